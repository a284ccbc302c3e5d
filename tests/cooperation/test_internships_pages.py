"""Internship pages and API: scoping per role, query counts, the steps as POST forms, the student's and the
mentor's pages, the compliance dashboard, the home counters, and the issue's "done when" end to end."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiaoqitong.cooperation.choices import LogStatus, MentorSide, PlacementStatus
from xiaoqitong.cooperation.models import (
    Evaluation,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
)
from xiaoqitong.cooperation.selectors.internships import compliance
from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import csv_upload, login_clients
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory, student_account
from .factories_internships import (
    CurrentPlacementFactory,
    InternshipLogFactory,
    days,
    hr,
    mentor,
    monday,
    out_of_city_enterprise,
    running_placement,
    school_admin,
    teacher,
    today,
)

pytestmark = pytest.mark.django_db
PLACEMENTS = "/cooperation/placements/"
API = "/api/v1/cooperation/"


# --- scoping ------------------------------------------------------------------------------------------------
def _visible(user, url_list, api_list, obj):
    page, api = login_clients(user)
    detail = page.get(f"{url_list}{obj.pk}/").status_code
    listed = api.get(api_list)
    ids = {row["id"] for row in listed.data["results"]} if listed.status_code == 200 else set()
    return detail, obj.pk in ids


def test_placement_scoping_by_role():
    placement = running_placement()
    other = running_placement()
    school = placement.plan.school
    cases = [
        (school_admin(school), True, False),
        (teacher(school), True, False),
        (hr(placement.enterprise), True, False),
        (placement.enterprise_mentor, True, False),
        (mentor(placement.enterprise), False, False),  # a mentor sees only those they mentor
        (placement.student.user, True, False),
        (user_with_role(Role.GOV_OFFICER), True, True),
    ]
    for user, sees_own, sees_other in cases:
        for obj, expected in ((placement, sees_own), (other, sees_other)):
            status, listed = _visible(user, PLACEMENTS, f"{API}placements/", obj)
            assert status == (200 if expected else 404), (user.role, obj.pk)
            assert listed == expected, (user.role, obj.pk)
    page, api = login_clients(user_with_role(Role.RESEARCHER))
    assert page.get(PLACEMENTS).status_code == 403
    assert api.get(f"{API}placements/").status_code == 403


def test_records_follow_their_placement():
    placement = running_placement()
    log = InternshipLogFactory(placement=placement)
    outsider = student_account(StudentFactory())
    for url, obj in (("/cooperation/internship-logs/", log),):
        assert _visible(placement.student.user, url, f"{API}internship-logs/", obj) == (200, True)
        assert _visible(placement.school_mentor, url, f"{API}internship-logs/", obj) == (200, True)
        assert _visible(outsider, url, f"{API}internship-logs/", obj) == (404, False)
        assert _visible(hr(EnterpriseFactory()), url, f"{API}internship-logs/", obj) == (404, False)


def test_plan_written_only_by_the_school_admin():
    placement = running_placement()
    plan = placement.plan
    page, _api = login_clients(teacher(plan.school))
    assert page.get(f"/cooperation/internship-plans/{plan.pk}/").status_code == 200
    assert page.get(f"/cooperation/internship-plans/{plan.pk}/edit/").status_code == 403
    page, _api = login_clients(school_admin(SchoolFactory()))
    assert page.get(f"/cooperation/internship-plans/{plan.pk}/").status_code == 404
    page, _api = login_clients(placement.enterprise_mentor)
    assert page.get(f"/cooperation/internship-plans/{plan.pk}/").status_code == 200


# --- query counts -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/cooperation/internship-logs/",
        "/cooperation/internship-check-ins/",
        "/cooperation/internship-leave/",
        "/cooperation/internship-subsidies/",
        "/cooperation/internship-evaluations/",
        "/cooperation/internships/compliance/",
        f"{API}internship-logs/",
        f"{API}internship-check-ins/",
        f"{API}internship-leave/",
        f"{API}internship-subsidies/",
        f"{API}internship-evaluations/",
        f"{API}internship-compliance/",
    ],
)
def test_lists_and_dashboard_run_no_query_per_row(url, admin_client):
    def make(n):
        for _ in range(n):
            placement = running_placement()
            InternshipLogFactory(placement=placement)
            placement.check_ins.create(date=today(), time=dt.datetime.now(dt.UTC))
            LeaveRequest.objects.create(placement=placement, start_date=days(1), end_date=days(2), reason="x")
            InternshipSubsidy.objects.create(placement=placement, month=days(-5).replace(day=1), amount=1000)
            Evaluation.objects.create(placement=placement, side=MentorSide.SCHOOL, score=80)

    from rest_framework.test import APIClient

    from xiaoqitong.orgs.models import User

    client = admin_client
    if url.startswith(API):
        client = APIClient()
        client.force_authenticate(User.objects.get(username="admin"))
    make(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), url


# --- steps on the pages -------------------------------------------------------------------------------------
def test_log_countersign_page_only_for_the_mentor():
    placement = running_placement()
    log = InternshipLogFactory(placement=placement)
    page, _api = login_clients(hr(placement.enterprise))
    response = page.post(f"/cooperation/internship-logs/{log.pk}/countersign/", follow=True)
    assert "企业导师本人" in response.content.decode()
    log.refresh_from_db()
    assert log.status == LogStatus.SUBMITTED
    page, _api = login_clients(placement.enterprise_mentor)
    body = page.get("/cooperation/internship-logs/pending/").content.decode()
    assert log.content in body
    page.post(f"/cooperation/internship-logs/{log.pk}/return/", {"comment": "请补充加工参数"})
    log.refresh_from_db()
    assert log.status == LogStatus.RETURNED and log.mentor_comment == "请补充加工参数"


def test_student_checks_in_and_asks_for_leave_on_the_pages():
    placement = running_placement()
    page, _api = login_clients(placement.student.user)
    body = page.get("/cooperation/internships/mine/").content.decode()
    assert placement.enterprise.name in body and "签到" in body
    page.post(f"/cooperation/internship-check-ins/check-in/{placement.pk}/", {"location": "车间"})
    assert placement.check_ins.count() == 1
    assert "今天已签到" in page.get("/cooperation/internships/mine/").content.decode()
    response = page.post(
        "/cooperation/internship-leave/add/",
        {"placement": placement.pk, "start_date": days(2), "end_date": days(2), "reason": "看病"},
    )
    assert response.status_code == 302
    leave = LeaveRequest.objects.get()
    # The teacher's page offers only the school side; the API refuses the enterprise side to the teacher.
    page, api = login_clients(placement.school_mentor)
    body = page.get(f"/cooperation/internship-leave/{leave.pk}/").content.decode()
    assert "以学校导师身份同意" in body
    response = api.post(
        f"{API}internship-leave/{leave.pk}/decide/", {"side": "enterprise", "approve": True}, format="json"
    )
    assert response.status_code == 403
    page.post(f"/cooperation/internship-leave/{leave.pk}/approve/", {"side": "school"})
    _page, api = login_clients(placement.enterprise_mentor)
    response = api.post(
        f"{API}internship-leave/{leave.pk}/decide/", {"side": "enterprise", "approve": True}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "approved"


def test_placement_page_shows_the_t16_flag_and_the_steps():
    placement = CurrentPlacementFactory(enterprise=out_of_city_enterprise())
    placement.flags = [
        {"rule": "T16", "source": "郴政发〔2021〕9号 四（十一）", "message": "已安排实习 1 人，占 0.0%"}
    ]
    placement.save()
    page, _api = login_clients(school_admin(placement.plan.school))
    body = page.get(f"{PLACEMENTS}{placement.pk}/").content.decode()
    assert "规则提示（T16）" in body and "占 0.0%" in body and "开始实习" in body
    page.post(f"{PLACEMENTS}{placement.pk}/start/")
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE
    assert (
        "已安排实习 1 人" in page.get(f"/cooperation/internship-plans/{placement.plan_id}/").content.decode()
    )


def test_api_log_steps_and_pending():
    placement = running_placement()
    _page, api = login_clients(placement.student.user)
    response = api.post(
        f"{API}internship-logs/",
        {
            "placement": placement.pk,
            "week_start": str(today()),
            "content": "学习装配",
            "hours": 40,
            "submit": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    _page, api = login_clients(hr(placement.enterprise))
    assert api.post(f"{API}internship-logs/{pk}/countersign/", {}, format="json").status_code == 403
    _page, api = login_clients(placement.enterprise_mentor)
    assert [row["id"] for row in api.get(f"{API}internship-logs/pending/").data["results"]] == [pk]
    response = api.post(f"{API}internship-logs/{pk}/countersign/", {"comment": "好"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "countersigned"


def test_subsidy_import_by_the_enterprise(django_capture_on_commit_callbacks):
    placement = running_placement()
    user = hr(placement.enterprise)
    page, _api = login_clients(user)
    month = days(-10).strftime("%Y-%m")
    rows = [
        {
            "学校代码": placement.plan.school.code,
            "学号": placement.student.student_no,
            "月份": month,
            "金额": "1800",
            "发放日期": str(today()),
            "备注": "",
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            page.post("/cooperation/internship-subsidies/import/", {"file": csv_upload(rows)}).status_code
            == 302
        )
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.VALID, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/core/imports/{job.pk}/confirm/")
    assert InternshipSubsidy.objects.get().amount == 1800
    body = page.get("/cooperation/internship-subsidies/?export=csv").content.decode("utf-8-sig")
    assert placement.student.student_no in body and month in body


def test_forms_render_for_the_roles_that_write():
    placement = running_placement()
    log = InternshipLogFactory(placement=placement, status=LogStatus.RETURNED)
    pages = [
        (
            school_admin(placement.plan.school),
            [
                "/cooperation/internship-plans/add/",
                "/cooperation/placements/add/",
                f"{PLACEMENTS}{placement.pk}/edit/",
                "/cooperation/internship-subsidies/add/",
                "/cooperation/placements/import/",
            ],
        ),
        (
            placement.student.user,
            [
                "/cooperation/internship-logs/add/",
                f"/cooperation/internship-logs/{log.pk}/edit/",
                "/cooperation/internship-leave/add/",
                f"{PLACEMENTS}{placement.pk}/",
            ],
        ),
        (
            placement.school_mentor,
            ["/cooperation/internship-evaluations/add/", f"{PLACEMENTS}{placement.pk}/"],
        ),
        (
            hr(placement.enterprise),
            ["/cooperation/internship-subsidies/add/", "/cooperation/internship-subsidies/import/"],
        ),
    ]
    for user, urls in pages:
        page, _api = login_clients(user)
        for url in urls:
            assert page.get(url).status_code == 200, (user.role, url)
    page, _api = login_clients(placement.student.user)
    assert page.get("/cooperation/internship-plans/add/").status_code == 403
    assert page.get(f"/cooperation/internship-logs/{log.pk}/").status_code == 200


# --- the dashboard ------------------------------------------------------------------------------------------
def test_dashboard_numbers_per_school_and_for_the_city():
    placement = running_placement()
    school = placement.plan.school
    InternshipLogFactory(placement=placement, status=LogStatus.COUNTERSIGNED)
    InternshipLogFactory(placement=placement, week_start=monday() - dt.timedelta(days=7))
    placement.check_ins.create(date=today(), time=dt.datetime.now(dt.UTC))
    away = running_placement(enterprise=out_of_city_enterprise())
    Placement.objects.filter(pk=away.pk).update(flags=[{"rule": "T16", "source": "", "message": ""}])
    year = placement.start_date.year
    data = compliance(user_with_role(Role.GOV_OFFICER), year)
    rows = {row.school_id: row for row in data.rows}
    mine = rows[school.pk]
    assert (mine.interns, mine.in_city, mine.logs_submitted, mine.logs_countersigned) == (1, 1, 2, 1)
    assert mine.check_in_days == 1 and mine.logs_expected >= 5 and not mine.under
    theirs = rows[away.plan.school_id]
    assert theirs.under and theirs.flagged == 1 and theirs.share_text == "0.0%"
    assert data.total.interns == 2 and data.total.share_text == "50.0%" and data.total.under
    # A school's administrator sees their school only, without a city total.
    own = compliance(school_admin(school), year)
    assert [row.school_id for row in own.rows] == [school.pk] and own.total is None


def test_dashboard_page_export_and_access():
    placement = running_placement(enterprise=out_of_city_enterprise())
    year = placement.start_date.year
    page, api = login_clients(user_with_role(Role.GOV_OFFICER))
    body = page.get(f"/cooperation/internships/compliance/?year={year}").content.decode()
    assert placement.plan.school.name in body and "低于要求" in body and "全市合计" in body
    response = page.get(f"/cooperation/internships/compliance/?year={year}&export=csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("学校,实习人数") and len(lines) == 3
    response = page.get(f"/cooperation/internships/compliance/?year={year}&half=1&export=xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    data = api.get(f"{API}internship-compliance/?year={year}").data
    assert data["rows"][0]["under"] is True and data["total"]["interns"] == 1
    for role in (Role.RESEARCHER, Role.ENTERPRISE_HR, Role.STUDENT):
        page, api = login_clients(user_with_role(role))
        assert page.get("/cooperation/internships/compliance/").status_code == 403
        assert api.get(f"{API}internship-compliance/").status_code == 403


def test_home_counters_and_menu():
    placement = running_placement()
    page, _api = login_clients(placement.student.user)
    body = page.get("/").content.decode()
    assert "本周待写周志" in body and "我的实习" in body
    InternshipLogFactory(placement=placement)
    page, _api = login_clients(placement.enterprise_mentor)
    body = page.get("/").content.decode()
    assert "待会签周志" in body
    page, _api = login_clients(school_admin(placement.plan.school))
    body = page.get("/").content.decode()
    assert "实习规则提示" in body and "实习合规看板" in body


# --- done when ----------------------------------------------------------------------------------------------
def test_done_when_school_plans_places_student_writes_mentor_countersigns():
    """demo-school plans an internship whose local share would fall under 60% and is told so with the numbers;
    then plans it right, places a student with a mentor; demo-student writes a weekly log that demo-mentor
    countersigns; the dashboard shows it."""
    major = SchoolMajorFactory()
    school = major.school
    admin = school_admin(school)
    enterprise = EnterpriseFactory()
    the_mentor = mentor(enterprise)
    the_teacher = teacher(school)
    student = StudentFactory(school_major=major)
    student_user = student_account(student)
    page, _api = login_clients(admin)

    form = {
        "school_major": major.pk,
        "cohort": 2024,
        "title": "顶岗实习",
        "period_start": days(-14),
        "period_end": days(150),
        "planned_interns": 10,
        "planned_local": 5,
        "note": "",
    }
    response = page.post("/cooperation/internship-plans/add/", form)
    assert response.status_code == 400
    body = response.content.decode()
    assert "本计划安排市域内企业实习 5 人，占计划实习人数 10 人的 50.0%，低于 60%" in body and "T16" in body
    assert not InternshipPlan.objects.exists()

    response = page.post("/cooperation/internship-plans/add/", form | {"planned_local": 8})
    assert response.status_code == 302
    plan = InternshipPlan.objects.get()

    response = page.post(
        "/cooperation/placements/add/",
        {
            "plan": plan.pk,
            "student_no": student.student_no,
            "enterprise_code": enterprise.credit_code,
            "school_mentor_username": the_teacher.username,
            "enterprise_mentor_username": the_mentor.username,
            "start_date": days(-7),
            "end_date": days(90),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    placement = Placement.objects.get()
    assert placement.in_city and placement.enterprise_mentor == the_mentor
    page.post(f"{PLACEMENTS}{placement.pk}/start/")

    student_page, _api = login_clients(student_user)
    response = student_page.post(
        "/cooperation/internship-logs/add/",
        {
            "placement": placement.pk,
            "week_start": today(),
            "content": "本周跟随师傅学习数控车床对刀与程序调试。",
            "hours": 40,
            "submit": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    log = InternshipLog.objects.get()
    assert log.status == LogStatus.SUBMITTED

    mentor_page, _api = login_clients(the_mentor)
    assert "数控车床对刀" in mentor_page.get("/cooperation/internship-logs/pending/").content.decode()
    mentor_page.post(f"/cooperation/internship-logs/{log.pk}/countersign/", {"comment": "表现很好"})
    log.refresh_from_db()
    assert log.status == LogStatus.COUNTERSIGNED and log.countersigned_by == the_mentor

    body = page.get(f"/cooperation/internships/compliance/?year={placement.start_date.year}").content.decode()
    assert school.name in body
    data = compliance(admin, placement.start_date.year)
    assert data.rows[0].logs_countersigned == 1 and data.rows[0].in_city == 1


# --- review additions ---------------------------------------------------------------------------------------
def test_api_placement_is_looked_up_among_those_the_user_sees():
    """Another enterprise's HR naming a placement it cannot see gets "does not exist" on that field, not a
    403 that tells the placement is there."""
    placement = running_placement()
    _page, api = login_clients(hr(EnterpriseFactory()))
    month = today().replace(day=1).isoformat()
    response = api.post(
        f"{API}internship-subsidies/",
        {"placement": placement.pk, "month": month, "amount": "100"},
        format="json",
    )
    assert response.status_code == 400 and "placement" in response.data
    assert not InternshipSubsidy.objects.exists()


def test_plan_form_cites_the_rule_as_stored():
    from xiaoqitong.cooperation.forms.internships import InternshipPlanForm
    from xiaoqitong.cooperation.models import Rule

    admin = school_admin(SchoolFactory())
    help_text = str(InternshipPlanForm(user=admin).fields["planned_local"].help_text)
    assert "60%" in help_text and "T16" in help_text
    Rule.objects.filter(key="local_intern_share").update(value="0.7")
    help_text = str(InternshipPlanForm(user=admin).fields["planned_local"].help_text)
    assert "70%" in help_text


def test_share_format_is_one_everywhere():
    from decimal import Decimal

    from xiaoqitong.cooperation.selectors.internships import ComplianceRow
    from xiaoqitong.core.formats import percent_text

    assert percent_text(1, 16) == "6.3%" and percent_text(17, 30) == "56.7%" and percent_text(0, 0) == "—"
    assert ComplianceRow(None, "", interns=16, in_city=1, rule_share=Decimal("0.6")).share_text == "6.3%"
