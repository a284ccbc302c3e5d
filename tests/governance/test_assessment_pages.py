"""The assessment's pages and API: the list with the lead department's compute form, the ranking (a school
sees only its own row until published), a school's score explained with its inputs and the records behind
them, the exports with every input, the indicators' pages, query counts, and the API with its actions."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.orgs.factories import SchoolFactory, user_with_role
from xiaoqitong.core.testing import login_clients
from xiaoqitong.governance.choices import AssessmentStatus
from xiaoqitong.governance.models import Assessment, Indicator
from xiaoqitong.governance.services.assessment import assessment_compute
from xiaoqitong.orgs.choices import Role

from .factories_assessment import YEAR, assessor, officer, only_indicators, school_with_records

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/governance"


@pytest.fixture
def scene():
    only_indicators(
        {"code": "I1", "name": "实习本地率", "measure": "local_interns", "floor": D("0"), "full": D("1")},
        {"code": "I2", "name": "留郴率", "measure": "local_employment", "weight": D("20")},
    )
    a, _ = school_with_records(interns=10, local=6)
    b, _ = school_with_records(interns=4, local=1)
    empty = SchoolFactory()
    lead = assessor()
    draft = assessment_compute(actor=lead, year=YEAR)
    return {"a": a, "b": b, "empty": empty, "lead": lead, "draft": draft}


def test_lead_computes_from_the_list_page(scene):
    page, _api = login_clients(scene["lead"])
    response = page.get(reverse("governance:assessment_list"))
    assert response.status_code == 200 and "计算得分" in response.content.decode()
    response = page.post(reverse("governance:assessment_list"), {"year": YEAR - 1})
    assert response.status_code == 302
    assert Assessment.objects.filter(year=YEAR - 1).exists()
    other, _ = login_clients(officer())
    assert other.post(reverse("governance:assessment_list"), {"year": 2020}).status_code == 403
    assert "计算得分" not in other.get(reverse("governance:assessment_list")).content.decode()


def test_ranking_page_says_no_data_and_runs_few_queries(scene, django_assert_max_num_queries):
    page, _ = login_clients(scene["lead"])
    url = scene["draft"].get_absolute_url()
    with django_assert_max_num_queries(25):
        response = page.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert scene["a"].name in html and scene["empty"].name in html
    assert "暂无数据" in html and "暂无数据的指标" in html
    assert "data-publish" in html and "data-recompute" in html
    for _ in range(5):
        school_with_records(interns=1)
    assessment_compute(actor=scene["lead"], year=YEAR)
    with django_assert_max_num_queries(25):
        assert page.get(url).status_code == 200


def test_school_sees_its_own_row_until_published_then_the_ranking(scene):
    teacher = user_with_role(Role.TEACHER, school=scene["a"])
    page, api = login_clients(teacher)
    url = scene["draft"].get_absolute_url()
    html = page.get(url).content.decode()
    assert scene["a"].name in html and scene["b"].name not in html and "尚未发布" in html
    own = reverse("governance:assessment_school", args=[scene["draft"].pk, scene["a"].pk])
    other = reverse("governance:assessment_school", args=[scene["draft"].pk, scene["b"].pk])
    assert page.get(own).status_code == 200
    assert page.get(other).status_code == 404
    assert len(api.get(f"{API}/scores/").json()["results"]) == 1
    researcher, _ = login_clients(user_with_role(Role.RESEARCHER))
    assert researcher.get(url).status_code == 404  # drafts are the lead's
    page_lead, _ = login_clients(scene["lead"])
    assert (
        page_lead.post(reverse("governance:assessment_publish", args=[scene["draft"].pk])).status_code == 302
    )
    assert scene["b"].name in page.get(url).content.decode()
    assert page.get(other).status_code == 200
    assert researcher.get(url).status_code == 200
    enterprise, _ = login_clients(user_with_role(Role.ENTERPRISE_HR))
    assert enterprise.get(url).status_code == 403


def test_school_page_explains_each_score(scene):
    page, _ = login_clients(scene["lead"])
    html = page.get(reverse("governance:assessment_school", args=[scene["draft"].pk, scene["a"].pk])).content
    html = html.decode()
    assert "市域内企业实习生" in html and "<b>6</b>" in html and "<b>10</b>" in html
    assert "60.0%" in html and "线性" in html and "6.00" in html
    assert f"school={scene['a'].code}" in html  # the records behind it
    html = page.get(reverse("governance:assessment_school", args=[scene["draft"].pk, scene["empty"].pk]))
    assert "暂无数据" in html.content.decode() and "并非实际为零" in html.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_ranking_export_has_every_input(scene, fmt):
    page, _ = login_clients(scene["lead"])
    response = page.get(scene["draft"].get_absolute_url(), {"export": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:4] == ["名次", "学校代码", "学校", "总分"]
        assert "I1 实习本地率 分子" in rows[0] and "I2 留郴率 说明" in rows[0]
        assert len(rows) == 4
        a_row = next(r for r in rows if r[1] == scene["a"].code)
        assert a_row[4:8] == ["6", "10", "0.6", "6"]


def test_indicator_pages(scene):
    page, _ = login_clients(scene["lead"])
    assert page.get(reverse("governance:indicator_list")).status_code == 200
    indicator = Indicator.objects.get(code="I1")
    html = page.get(reverse("governance:indicator_detail", args=[indicator.pk])).content.decode()
    assert "计分规则" in html and "实习" in html
    response = page.post(
        reverse("governance:indicator_add"),
        {
            "code": "I9",
            "name": "新指标",
            "group": "校企合作",
            "measure": "practice_days",
            "weight": "5",
            "direction": "higher",
            "floor": "0",
            "full": "15",
            "sort_order": "90",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bad = page.post(
        reverse("governance:indicator_add"),
        {
            "code": "I8",
            "name": "x",
            "group": "g",
            "measure": "practice_days",
            "weight": "5",
            "direction": "higher",
            "floor": "5",
            "full": "1",
            "sort_order": "1",
        },
    )
    assert bad.status_code == 400 and "满分值应高于零分值" in bad.content.decode()
    school_page, _ = login_clients(user_with_role(Role.SCHOOL_ADMIN))
    assert school_page.get(reverse("governance:indicator_list")).status_code == 200
    assert school_page.get(reverse("governance:indicator_add")).status_code == 403


def test_api(scene, django_assert_max_num_queries):
    _page, api = login_clients(scene["lead"])
    assert api.get(f"{API}/indicators/measures/").status_code == 200
    assert api.get(f"{API}/indicators/").json()["count"] >= 2
    response = api.post(f"{API}/assessments/compute/", {"year": YEAR - 2}, format="json")
    assert response.status_code == 200 and response.json()["status"] == AssessmentStatus.DRAFT
    with django_assert_max_num_queries(12):
        scores = api.get(f"{API}/scores/", {"year": YEAR}).json()
    assert scores["count"] == 3 and len(scores["results"][0]["lines"]) == 2
    pk = scene["draft"].pk
    assert api.post(f"{API}/assessments/{pk}/publish/").json()["status"] == "published"
    assert api.post(f"{API}/assessments/{pk}/publish/").status_code == 400
    _p, other = login_clients(officer())
    assert other.post(f"{API}/assessments/compute/", {"year": 2020}, format="json").status_code == 403
    assert other.post(f"{API}/indicators/", {"code": "X"}, format="json").status_code == 403
    assert other.get(f"{API}/assessments/").json()["count"] == 1  # the published one only
    created = api.post(
        f"{API}/indicators/",
        {
            "code": "API1",
            "name": "接口指标",
            "group": "校企合作",
            "measure": "practice_days",
            "weight": "5",
            "floor": "0",
            "full": "15",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    bad = api.post(
        f"{API}/indicators/",
        {
            "code": "API2",
            "name": "x",
            "group": "g",
            "measure": "practice_days",
            "weight": "5",
            "floor": "3",
            "full": "1",
        },
        format="json",
    )
    assert bad.status_code == 400 and "full" in bad.json()
