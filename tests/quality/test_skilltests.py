"""Skill sampling tests (三（七））: the result pages, API, export and the organizing department's spreadsheet
import (natural key kind + year + school + major or category; bad rows in Chinese; all or nothing; a second
import changes nothing), the services and their refusals, who sees what, the pass rates per school and for
the city, and a school's “质量概况” panel."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import ImportTests, ModelTests, check_access, csv_upload, login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.models import SkillTestResult
from xiaoqitong.quality.selectors import skilltests as selectors
from xiaoqitong.quality.services import skilltests as services
from xiaoqitong.quality.views.skilltests import SkillTestResultViews
from xiaoqitong.reference.models import Major, MajorCategory

from ..orgs.factories import SchoolFactory, user_with_role
from .factories_skilltests import YEAR, SkillTestResultFactory, TheorySurveyFactory, sheet_rows
from .factories_teachers import staff

API = "/api/v1/quality/skill-test-results/"
SUMMARY = reverse("quality:skilltests_summary")
SUMMARY_API = "/api/v1/quality/skill-test-summary/"


class TestSkillTestResult(ImportTests, ModelTests):
    views = SkillTestResultViews
    api_url = API
    factory = SkillTestResultFactory
    update_data = {"passed": 30}

    def form_data(self):
        return {
            "kind": "skill_sampling",
            "year": YEAR,
            "school": SchoolFactory().pk,
            "major": "660103",
            "category": "",
            "tested": 40,
            "passed": 35,
            "average_score": "80.5",
            "organizer": "市教育局",
        }

    def api_data(self):
        return {
            "kind": "theory_survey",
            "year": YEAR,
            "school": SchoolFactory().code,
            "category": "66",
            "tested": 100,
            "passed": 88,
        }

    def import_rows(self):
        return sheet_rows(SchoolFactory())

    def test_import_reports_every_bad_row_in_chinese(self, client_admin, django_capture_on_commit_callbacks):
        rows = self.import_rows()
        rows[0]["合格人数"] = "50"  # more than tested
        rows[1]["专业代码"] = "999999"
        rows[2]["专业代码"] = "660103"  # a survey names a category, not a major
        rows.append(rows[0] | {"测试类型": "期末考试", "学校代码": "00000"})
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        messages: dict[tuple, str] = {}
        for e in job.errors:
            messages[(e["row"], e["column"])] = messages.get((e["row"], e["column"]), "") + e["message"]
        assert "合格人数不能多于参测人数" in messages[(2, "合格人数")], job.errors
        assert "找不到代码为“999999”的专业" in messages[(3, "专业代码")]
        assert "按专业大类填报" in messages[(4, "专业代码")]
        assert "不是可选值" in messages[(5, "测试类型")] and "学校" in messages[(5, "学校代码")]
        assert not SkillTestResult.objects.exists()

    def test_a_corrected_file_updates_the_rows_it_names(
        self, client_admin, django_capture_on_commit_callbacks
    ):
        school = SchoolFactory()
        rows = sheet_rows(school)
        for step in ("check", "confirm"):
            with django_capture_on_commit_callbacks(execute=True):
                if step == "check":
                    client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
                else:
                    client_admin.post(f"/core/imports/{ImportJob.objects.latest('pk').pk}/confirm/")
        assert SkillTestResult.objects.count() == 3
        rows[2]["合格人数"] = "95"
        rows[0]["专业代码"] = "660103K"  # the K of a code may be written or not: the same row
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.summary == {"new": 0, "update": 1, "skip": 2}, job.errors
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(f"/core/imports/{job.pk}/confirm/")
        assert SkillTestResult.objects.get(kind="theory_survey", school=school).passed == 95
        assert SkillTestResult.objects.count() == 3

    def test_two_rows_of_one_subject_are_duplicates(self, client_admin, django_capture_on_commit_callbacks):
        rows = sheet_rows(SchoolFactory())
        rows.append(dict(rows[2]))
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        assert job.errors == [
            {"row": 5, "column": "测试类型、年度、学校代码、专业大类代码", "message": "与第 4 行重复"}
        ]


# --- services -----------------------------------------------------------------------------------------------
def result_data(**extra):
    return {
        "kind": "skill_sampling",
        "year": YEAR,
        "school": SchoolFactory(),
        "major": Major.objects.get(code="660103"),
        "tested": 30,
        "passed": 27,
        **extra,
    }


def test_officers_record_results_and_others_are_refused():
    officer = user_with_role(Role.GOV_OFFICER)
    result = services.skill_test_result_create(actor=officer, data=result_data())
    services.skill_test_result_update(actor=officer, instance=result, data={"passed": 28})
    for role in (Role.SCHOOL_ADMIN, Role.TEACHER, Role.RESEARCHER, Role.ENTERPRISE_HR):
        actor = user_with_role(role, **({"school": result.school} if role in (Role.SCHOOL_ADMIN,) else {}))
        with pytest.raises(PermissionDenied, match="政府部门"):
            services.skill_test_result_create(actor=actor, data=result_data())
        with pytest.raises(PermissionDenied, match="政府部门"):
            services.skill_test_result_update(actor=actor, instance=result, data={"passed": 1})
        with pytest.raises(PermissionDenied, match="政府部门"):
            services.skill_test_result_delete(actor=actor, instance=result)
    services.skill_test_result_delete(actor=officer, instance=result)
    assert not SkillTestResult.objects.exists()


def test_each_kind_names_its_own_subject():
    officer = user_with_role(Role.GOV_OFFICER)
    category = MajorCategory.objects.get(code="66")
    with pytest.raises(ValidationError, match="不填专业大类"):
        services.skill_test_result_create(actor=officer, data=result_data(category=category))
    with pytest.raises(ValidationError, match="须填写专业大类"):
        services.skill_test_result_create(actor=officer, data=result_data(kind="theory_survey", major=None))
    with pytest.raises(ValidationError, match="不填专业"):
        services.skill_test_result_create(
            actor=officer, data=result_data(kind="theory_survey", category=category)
        )
    with pytest.raises(ValidationError, match="合格人数不能多于参测人数"):
        services.skill_test_result_create(actor=officer, data=result_data(passed=31))
    result = services.skill_test_result_create(actor=officer, data=result_data())
    with pytest.raises(ValidationError, match="已有结果，请修改原记录"):
        services.skill_test_result_create(
            actor=officer, data=result_data(school=result.school, tested=10, passed=1)
        )
    with pytest.raises(ValidationError, match="不填专业大类"):
        services.skill_test_result_update(actor=officer, instance=result, data={"category": category})


# --- who sees what ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role", [Role.GOV_OFFICER, Role.SCHOOL_ADMIN, Role.TEACHER, Role.RESEARCHER, Role.STUDENT]
)
def test_result_access(role):
    user = user_with_role(role)
    own = SkillTestResultFactory(school=user.school) if user.school_id else None
    other = SkillTestResultFactory()

    def may(action, is_own):
        if role == Role.GOV_OFFICER:
            return True
        if role == Role.SCHOOL_ADMIN:
            return action in ("view", "export") and is_own
        if role == Role.TEACHER:
            return action == "view" and is_own
        return False

    check_access(user, SkillTestResultViews, API, may, own, other, label=role)


# --- the figures --------------------------------------------------------------------------------------------
@pytest.fixture
def tested():
    """甲: 抽测 40/36 (avg 80) + 20/15 (avg 70), 普测 100/90 (no average); 乙: 抽测 10/5 (avg 60);
    丙: nothing."""
    a, b, c = SchoolFactory(name="甲职校"), SchoolFactory(name="乙职校"), SchoolFactory(name="丙职校")
    SkillTestResultFactory(school=a, year=YEAR, tested=40, passed=36, average_score=Decimal("80"))
    SkillTestResultFactory(school=a, year=YEAR, tested=20, passed=15, average_score=Decimal("70"))
    TheorySurveyFactory(school=a, tested=100, passed=90, average_score=None)
    SkillTestResultFactory(school=b, year=YEAR, tested=10, passed=5, average_score=Decimal("60"))
    SkillTestResultFactory(school=b, year=YEAR - 1, tested=10, passed=10)  # another year
    staff(a, full_time=4, dual=3, part_time=1)
    return a, b, c


def test_pass_rates_per_school_and_city(tested):
    a, b, c = tested
    by_school = selectors.results_by_school(YEAR)
    sampling = by_school[a.pk]["skill_sampling"]
    assert (sampling.tested, sampling.passed, sampling.subjects) == (60, 51, 2)
    assert sampling.pass_rate == Decimal("85.0")
    assert sampling.average_score == Decimal("76.7")  # (40*80 + 20*70) / 60
    assert by_school[a.pk]["theory_survey"].average_score is None
    assert by_school[b.pk]["skill_sampling"].pass_rate == Decimal("50.0")
    assert "theory_survey" not in by_school[b.pk] and c.pk not in by_school  # not tested: no figure
    city = selectors.city_results(by_school)
    assert city["skill_sampling"]["pooled"].pass_rate == Decimal("80.0")  # 56 / 70
    assert city["skill_sampling"]["mean"] == Decimal("67.5")  # (85 + 50) / 2
    assert city["theory_survey"]["pooled"].pass_rate == Decimal("90.0")
    assert city["theory_survey"]["schools"] == 1


def test_summary_page_for_officers(client, tested):
    a, _b, _c = tested
    client.force_login(user_with_role(Role.GOV_OFFICER))
    response = client.get(SUMMARY, {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲职校" in html and "乙职校" in html and "丙职校" not in html  # every school tested that year
    assert "85.0%" in html and "80.0%" in html and "67.5%" in html
    line = next(line for line in response.context["lines"] if line.school == a)
    assert line.dual.text == "75.0%" and line.part_time.text == "20.0%"  # beside its teachers' figures
    body = client.get(SUMMARY, {"year": YEAR, "export": "csv"}).content.decode("utf-8-sig")
    assert "专业技能抽测合格率" in body and "85.0%" in body and "75.0%" in body


def test_school_staff_see_their_line_and_the_city(client, tested):
    a, b, _c = tested
    client.force_login(user_with_role(Role.TEACHER, school=b))
    response = client.get(SUMMARY, {"year": YEAR})
    assert [line.school for line in response.context["lines"]] == [b]
    assert "80.0%" in response.content.decode()  # the city's pooled rate
    assert client.get(reverse("quality:skilltests_school", args=[a.pk])).status_code == 404
    assert client.get(reverse("quality:skilltests_school", args=[b.pk]), {"year": YEAR}).status_code == 200


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.STUDENT])
def test_summary_refused_to_enterprises_and_students(client, role):
    user = user_with_role(role)
    client.force_login(user)
    assert client.get(SUMMARY).status_code == 403
    _page, api = login_clients(user)
    assert api.get(SUMMARY_API).status_code == 403


def test_school_page_panel(client, tested):
    a, _b, c = tested
    client.force_login(user_with_role(Role.GOV_OFFICER))
    response = client.get(reverse("quality:skilltests_school", args=[a.pk]), {"year": YEAR})
    html = response.content.decode()
    assert "质量概况" in html and "data-quality-panel" in html
    panel = {item["kind"]: item for item in response.context["panel"]}
    assert panel["skill_sampling"]["text"] == "85.0%" and panel["theory_survey"]["text"] == "90.0%"
    assert panel["dual"]["text"] == "75.0%" and panel["dual"]["met"] is True
    assert panel["part_time"]["met"] is True and "T18" in panel["part_time"]["source"]
    assert len(response.context["results"]) == 3
    # a school without teachers or results: no figures, never 0
    panel = {i["kind"]: i for i in selectors.school_quality(c.pk, YEAR)}
    assert all(item["text"] is None for item in panel.values())


def test_the_panel_on_the_schools_own_page(client, tested):
    """The orgs school page carries the same panel for those who see that school's line, not for others."""
    a, b, _c = tested
    url = reverse("orgs:school_detail", args=[a.pk])
    client.force_login(user_with_role(Role.GOV_OFFICER))
    html = client.get(url, {"year": YEAR}).content.decode()
    assert "data-quality-panel" in html and "85.0%" in html and "75.0%" in html
    client.force_login(user_with_role(Role.TEACHER, school=b))
    response = client.get(url, {"year": YEAR})
    assert response.status_code == 200 and "data-quality-panel" not in response.content.decode()


def test_researchers_get_aggregates_not_rows(client, tested):
    a, _b, _c = tested
    client.force_login(user_with_role(Role.RESEARCHER))
    assert client.get(SUMMARY, {"year": YEAR}).status_code == 200
    response = client.get(reverse("quality:skilltests_school", args=[a.pk]), {"year": YEAR})
    assert response.status_code == 200 and response.context["reads_rows"] is False
    assert client.get(SkillTestResultViews.url_for("list")).status_code == 403


def test_summary_api_and_its_query_count(tested):
    a, b, _c = tested
    _page, api = login_clients(user_with_role(Role.GOV_OFFICER))
    with CaptureQueriesContext(connection) as few:
        data = api.get(SUMMARY_API, {"year": YEAR}).json()
    by_code = {line["school"]: line for line in data["schools"]}
    assert by_code[a.code]["kinds"]["skill_sampling"]["pass_rate"] == "85.0"
    assert by_code[b.code]["kinds"]["theory_survey"] is None
    assert by_code[a.code]["dual_qualified_share"]["text"] == "75.0%"
    city = {item["kind"]: item for item in data["city"]}
    assert city["skill_sampling"]["pooled"]["pass_rate"] == "80.0"
    for _n in range(5):
        SkillTestResultFactory(year=YEAR)
    with CaptureQueriesContext(connection) as many:
        api.get(SUMMARY_API, {"year": YEAR})
    assert len(many) == len(few)
