"""The reward fund's pages, API and files: the coefficients' pages and their import (validate, commit, the
same file again changes nothing, bad rows reported, only the lead department imports) and export that
imports again unchanged; an allocation made, computed and finalized on its pages with the workings shown
and exported; who reads what; query counts; the API with its actions."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.orgs.factories import SchoolFactory, user_with_role
from tests.schools.factories import SchoolMajorFactory
from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import csv_upload, login_clients
from xiaoqitong.governance.choices import AllocationStatus
from xiaoqitong.governance.models import Allocation, AllocationLine, FundingRule
from xiaoqitong.governance.services import funding as services
from xiaoqitong.orgs.choices import Role

from .factories_assessment import (  # noqa: F401  (an autouse fixture)
    YEAR,
    _seeded_funding_rules,
    officer,
    only_indicators,
    publish,
    treasurer,
)

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/governance"


@pytest.fixture
def scene():
    only_indicators({"code": "B", "measure": "integration_bases", "weight": D("10"), "full": D("2")})
    schools = [SchoolFactory() for _ in range(3)]
    for n, school in enumerate(schools, start=1):
        SchoolMajorFactory(school=school, year=YEAR, students_enrolled=100 * n)
        from tests.cooperation.factories import PracticeBaseFactory

        PracticeBaseFactory(owner_school=school)
    assessment = publish()
    lead = treasurer()
    allocation = services.allocation_create(
        actor=lead,
        data={
            "title": "2025 奖补",
            "year": YEAR,
            "assessment": assessment,
            "fund": D("5000000"),
            "score_share": D("0.5"),
            "min_score": D("0"),
        },
    )
    return {"schools": schools, "assessment": assessment, "lead": lead, "allocation": allocation}


def _import(page, rows, django_capture_on_commit_callbacks, confirm=True):
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(reverse("governance:fundingrule_import"), {"file": csv_upload(rows)})
    assert response.status_code == 302, response.content.decode()[:1000]
    job = ImportJob.objects.latest("pk")
    if confirm and job.status == ImportJob.Status.VALID:
        with django_capture_on_commit_callbacks(execute=True):
            page.post(f"/core/imports/{job.pk}/confirm/")
        job.refresh_from_db()
    return job


def test_coefficients_import_round_trip(django_capture_on_commit_callbacks):
    page, _ = login_clients(treasurer())
    FundingRule.objects.filter(category__code__in=["46", "52"]).delete()
    rows = [
        {"专业大类代码": "46", "生均系数": "1.25", "依据": "市财政局文件", "说明": ""},
        {"专业大类代码": "52", "生均系数": "1.2", "依据": "市财政局文件", "说明": "医药卫生"},
        {"专业大类代码": "73", "生均系数": "1.05", "依据": "市财政局文件", "说明": ""},
    ]
    job = _import(page, rows, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert FundingRule.objects.get(category__code="46").coefficient == D("1.25")
    assert FundingRule.objects.get(category__code="73").coefficient == D("1.05")
    again = _import(page, rows, django_capture_on_commit_callbacks, confirm=False)
    assert again.summary == {"new": 0, "update": 0, "skip": 3}
    bad = _import(
        page,
        [{"专业大类代码": "99", "生均系数": "-1", "依据": "", "说明": ""}],
        django_capture_on_commit_callbacks,
        confirm=False,
    )
    assert bad.status == ImportJob.Status.INVALID
    assert {e["column"] for e in bad.errors} >= {"专业大类代码", "生均系数"}, bad.errors
    # the export imports again unchanged
    response = page.get(reverse("governance:fundingrule_list"), {"export": "csv"})
    exported = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(exported) == 57 and {"专业大类", "层次"} <= set(exported[0])
    again = _import(page, exported, django_capture_on_commit_callbacks, confirm=False)
    assert again.status == ImportJob.Status.VALID and again.summary["skip"] == 57, again.errors
    # only the lead department imports
    other, _ = login_clients(officer())
    assert other.get(reverse("governance:fundingrule_import")).status_code == 403
    assert other.get(reverse("governance:fundingrule_list")).status_code == 200


def test_allocation_pages(scene, django_assert_max_num_queries):
    page, _ = login_clients(scene["lead"])
    url = scene["allocation"].get_absolute_url()
    html = page.get(url).content.decode()
    assert "data-compute" in html and "尚未测算" in html
    assert (
        page.post(reverse("governance:allocation_compute", args=[scene["allocation"].pk])).status_code == 302
    )
    with django_assert_max_num_queries(30):  # a fixed number: the lines come in one query
        html = page.get(url).content.decode()
    assert "5,000,000" in html and "× 1.200" in html
    assert "data-finalize" in html and "完全相等" in html
    assert sum(line.amount for line in AllocationLine.objects.all()) == D("5000000")
    response = page.get(
        reverse("governance:allocation_lines", args=[scene["allocation"].pk]), {"export": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "学校代码" and "各专业大类在校生 × 系数" in rows[0] and len(rows) == 4
    assert sum(D(r[-1]) for r in rows[1:]) == D("5000000")
    assert page.get(
        reverse("governance:allocation_lines", args=[scene["allocation"].pk]), {"export": "xlsx"}
    )["Content-Type"].startswith("application/vnd.openxmlformats")
    # a school reads nothing of a draft, then its own line of the final allocation
    school = scene["schools"][0]
    school_page, school_api = login_clients(user_with_role(Role.SCHOOL_ADMIN, school=school))
    assert school_page.get(url).status_code == 404
    assert (
        page.post(reverse("governance:allocation_finalize", args=[scene["allocation"].pk])).status_code == 302
    )
    assert Allocation.objects.get().status == AllocationStatus.FINAL
    html = school_page.get(url).content.decode()
    assert school.name in html and scene["schools"][1].name not in html
    assert len(school_api.get(f"{API}/allocation-lines/").json()["results"]) == 1
    assert page.get(reverse("governance:allocation_edit", args=[scene["allocation"].pk])).status_code == 403


def test_allocation_form_offers_published_assessments_only(scene):
    page, _ = login_clients(scene["lead"])
    response = page.post(
        reverse("governance:allocation_add"),
        {
            "title": "另一笔",
            "year": YEAR,
            "assessment": scene["assessment"].pk,
            "fund": "1000.50",
            "score_share": "0.6",
            "min_score": "0",
        },
    )
    assert response.status_code == 400 and "整元" in response.content.decode()
    other, _ = login_clients(officer())
    assert other.get(reverse("governance:allocation_add")).status_code == 403
    assert other.get(reverse("governance:allocation_list")).status_code == 200


def test_api(scene, django_assert_max_num_queries):
    _page, api = login_clients(scene["lead"])
    pk = scene["allocation"].pk
    assert api.post(f"{API}/allocations/{pk}/finalize/").status_code == 400  # not computed yet
    assert api.post(f"{API}/allocations/{pk}/compute/").status_code == 200
    with django_assert_max_num_queries(10):
        lines = api.get(f"{API}/allocation-lines/", {"allocation": pk}).json()
    assert lines["count"] == 3 and "categories" in lines["results"][0]["workings"]
    assert api.post(f"{API}/allocations/{pk}/finalize/").json()["status"] == "final"
    assert api.patch(f"{API}/allocations/{pk}/", {"title": "x"}, format="json").status_code in (400, 403)
    made = api.post(
        f"{API}/allocations/",
        {
            "title": "API",
            "year": YEAR,
            "assessment": scene["assessment"].pk,
            "fund": "100000",
            "score_share": "1",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    rule = api.get(f"{API}/funding-rules/", {"q": "46"}).json()["results"][0]
    assert rule["category"] == "46" and rule["coefficient"] == "1.200"
    changed = api.patch(f"{API}/funding-rules/{rule['id']}/", {"coefficient": "1.4"}, format="json")
    assert changed.status_code == 200
    _p, other = login_clients(officer())
    assert (
        other.patch(f"{API}/funding-rules/{rule['id']}/", {"coefficient": "2"}, format="json").status_code
        == 403
    )
    assert other.post(f"{API}/allocations/{made.json()['id']}/compute/").status_code == 404  # a draft
