"""Students in agreements: invitations (several at once, by list or 学号), the student's answer by the
deadline within the planned headcount, expiry, leaving, the member list import, and the student's page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from xiaoqitong.cooperation import tasks
from xiaoqitong.cooperation.choices import AgreementStatus, MemberStatus
from xiaoqitong.cooperation.models import AgreementMember
from xiaoqitong.cooperation.services import agreements as services
from xiaoqitong.cooperation.views.agreements import AgreementMemberViews
from xiaoqitong.core.models import AuditLog, ImportJob
from xiaoqitong.core.navigation import counters_for
from xiaoqitong.core.testing import csv_upload, login_clients
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import user_with_role
from ..schools.factories import StudentFactory
from .factories_agreements import (
    OpenAgreementFactory,
    RunningAgreementFactory,
    eligible_student,
    in_days,
    sides,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def running():
    return RunningAgreementFactory(planned_headcount=2)


# --- invitations --------------------------------------------------------------------------------------------
def test_invite_several_by_list_and_by_student_number_with_one_audit(running):
    school, _hr = sides(running)
    a, b, c = (eligible_student(running) for _ in range(3))
    members = services.member_invite(
        actor=school, agreement=running, students=[a, b], student_nos=[c.student_no]
    )
    assert {m.student_id for m in members} == {a.pk, b.pk, c.pk}
    assert all(m.status == MemberStatus.INVITED for m in members)
    assert AuditLog.objects.filter(verb="member_invite", object_id=str(running.pk)).count() == 1


def test_invite_refusals_name_every_problem_and_write_nothing(running):
    school, hr = sides(running)
    good = eligible_student(running)
    wrong_cohort = eligible_student(running, grade=running.cohort + 1)
    other_school = StudentFactory()
    busy = eligible_student(running)
    elsewhere = RunningAgreementFactory(school_major=running.school_major, title="另一订单班")
    AgreementMember.objects.create(agreement=elsewhere, student=busy, status=MemberStatus.CONFIRMED)
    with pytest.raises(ValidationError) as excinfo:
        services.member_invite(
            actor=school,
            agreement=running,
            students=[good, wrong_cohort, other_school, busy],
            student_nos=["NOPE"],
        )
    text = "；".join(excinfo.value.messages)
    assert "NOPE" in text and f"{wrong_cohort.grade} 级" in text and "不是本校学生" in text
    assert "另一订单班" in text  # the other agreement is named
    assert not AgreementMember.objects.filter(agreement=running).exists()
    with pytest.raises(PermissionDenied):
        services.member_invite(actor=hr, agreement=running, students=[good])  # the school invites
    with pytest.raises(PermissionDenied):
        services.member_invite(actor=user_with_role(Role.SCHOOL_ADMIN), agreement=running, students=[good])


def test_invite_refused_unless_active_and_before_the_deadline():
    draft = OpenAgreementFactory()
    school, _hr = sides(draft)
    with pytest.raises(ValidationError, match="执行中"):
        services.member_invite(actor=school, agreement=draft, students=[eligible_student(draft)])
    late = RunningAgreementFactory(confirm_deadline=in_days(-1))
    school, _hr = sides(late)
    with pytest.raises(ValidationError, match=in_days(-1).isoformat()):
        services.member_invite(actor=school, agreement=late, students=[eligible_student(late)])


def test_a_declined_student_may_be_invited_again_but_not_an_invited_one(running):
    school, _hr = sides(running)
    student = eligible_student(running)
    (member,) = services.member_invite(actor=school, agreement=running, students=[student])
    with pytest.raises(ValidationError, match="已在本协议中"):
        services.member_invite(actor=school, agreement=running, students=[student])
    AgreementMember.objects.filter(pk=member.pk).update(status=MemberStatus.DECLINED)
    (again,) = services.member_invite(actor=school, agreement=running, students=[student])
    assert again.pk == member.pk and again.status == MemberStatus.INVITED


# --- answers ------------------------------------------------------------------------------------------------
def _invited(agreement, n=1):
    school, _hr = sides(agreement)
    students = [eligible_student(agreement, account=True) for _ in range(n)]
    return services.member_invite(actor=school, agreement=agreement, students=students)


def test_the_student_confirms_within_the_headcount_then_the_next_is_refused(running):
    first, second, third = _invited(running, 3)
    for member in (first, second):
        services.member_respond(actor=member.student.user, member=member, accept=True)
    with pytest.raises(ValidationError, match="计划 2 人，已确认 2 人"):
        services.member_respond(actor=third.student.user, member=third, accept=True)
    services.member_respond(actor=third.student.user, member=third, accept=False)
    assert AgreementMember.objects.get(pk=third.pk).status == MemberStatus.DECLINED
    assert AuditLog.objects.filter(verb="member_respond").count() == 3


def test_respond_refusals(running):
    (member,) = _invited(running)
    school, _hr = sides(running)
    with pytest.raises(PermissionDenied):
        services.member_respond(actor=school, member=member, accept=True)
    with pytest.raises(PermissionDenied):
        services.member_respond(
            actor=user_with_role(Role.STUDENT, school=running.school), member=member, accept=True
        )
    running.confirm_deadline = in_days(-1)
    running.save(update_fields=["confirm_deadline"])
    with pytest.raises(ValidationError, match=f"确认截止日期（{in_days(-1).isoformat()}）已过"):
        services.member_respond(actor=member.student.user, member=member, accept=True)


def test_confirming_is_refused_when_confirmed_elsewhere(running):
    (member,) = _invited(running)
    other = RunningAgreementFactory(school_major=running.school_major, title="预备员工班")
    AgreementMember.objects.create(agreement=other, student=member.student, status=MemberStatus.CONFIRMED)
    with pytest.raises(ValidationError, match="预备员工班"):
        services.member_respond(actor=member.student.user, member=member, accept=True)


def test_expire_overdue_members_marks_only_invitations_past_the_deadline(running):
    (member,) = _invited(running)
    (kept,) = _invited(RunningAgreementFactory())
    running.confirm_deadline = in_days(-1)
    running.save(update_fields=["confirm_deadline"])
    assert tasks.members_expire() == 1
    assert AgreementMember.objects.get(pk=member.pk).status == MemberStatus.EXPIRED
    assert AgreementMember.objects.get(pk=kept.pk).status == MemberStatus.INVITED
    assert AuditLog.objects.filter(verb="members_expire", actor__isnull=True).count() == 1
    assert services.members_expire(today=dt.date(2000, 1, 1)) == 0


def test_invitations_of_an_ended_agreement_expire_whatever_the_deadline(running):
    (member,) = _invited(running)
    running.status = AgreementStatus.ENDED
    running.save(update_fields=["status"])
    assert services.members_expire(today=dt.date(2000, 1, 1)) == 1
    assert AgreementMember.objects.get(pk=member.pk).status == MemberStatus.EXPIRED


def test_member_leave_by_the_school_with_a_note(running):
    (member,) = _invited(running)
    school, hr = sides(running)
    with pytest.raises(PermissionDenied):
        services.member_leave(actor=hr, member=member, note="x")
    with pytest.raises(ValidationError, match="退出原因"):
        services.member_leave(actor=school, member=member, note="")
    services.member_leave(actor=school, member=member, note="转学")
    member.refresh_from_db()
    assert member.status == MemberStatus.LEFT and member.note == "转学"
    with pytest.raises(ValidationError, match="不能办理退出"):
        services.member_leave(actor=school, member=member, note="again")


# --- pages, API, counters -----------------------------------------------------------------------------------
def test_my_agreements_page_shows_the_deadline_and_buttons_and_confirms(running):
    (member,) = _invited(running)
    user = member.student.user
    assert {c["label"]: c["value"] for c in counters_for(user)}["待我确认的校企合作"] == 1
    page, api = login_clients(user)
    body = page.get("/cooperation/agreements/mine/").content.decode()
    assert running.title in body and running.confirm_deadline.isoformat() in body and "确认参加" in body
    response = page.post(
        f"/cooperation/agreement-members/{member.pk}/respond/",
        {"accept": "1", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert AgreementMember.objects.get(pk=member.pk).status == MemberStatus.CONFIRMED
    # Through the API the second answer is refused in Chinese.
    response = api.post(f"/api/v1/cooperation/agreement-members/{member.pk}/respond/", {"accept": False})
    assert response.status_code == 400 and "不能再确认或拒绝" in str(response.data)


def test_member_scoping_and_list_query_count(running, django_assert_max_num_queries):
    _invited(running, 3)
    other = RunningAgreementFactory()
    (stranger,) = _invited(other)
    school, hr = sides(running)
    for user in (school, hr):
        page, api = login_clients(user)
        assert page.get(AgreementMemberViews.url_for("detail", stranger)).status_code == 404
        assert api.get(f"/api/v1/cooperation/agreement-members/{stranger.pk}/").status_code == 404
        assert api.get("/api/v1/cooperation/agreement-members/").data["count"] == 3
    page, _api = login_clients(school)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert page.get(AgreementMemberViews.url_for("list")).status_code == 200
    _invited(running, 4)
    with CaptureQueriesContext(connection) as many:
        page.get(AgreementMemberViews.url_for("list"))
    assert len(many) == len(few)
    researcher = user_with_role(Role.RESEARCHER)
    page, _api = login_clients(researcher)
    assert page.get(AgreementMemberViews.url_for("list")).status_code == 403
    assert APIClient().get("/api/v1/cooperation/agreement-members/").status_code in (401, 403)


def test_member_list_import_invites_and_is_idempotent(running, django_capture_on_commit_callbacks):
    school, _hr = sides(running)
    students = [eligible_student(running) for _ in range(2)]
    rows = [
        {
            "学校代码": running.school.code,
            "学号": s.student_no,
            "姓名": s.name,
            "协议（编号或名称）": running.title,
        }
        for s in students
    ]
    page, _api = login_clients(school)
    url = AgreementMemberViews.url_for("import")
    with django_capture_on_commit_callbacks(execute=True):
        assert page.post(url, {"file": csv_upload(rows)}).status_code == 302
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.VALID, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/core/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert AgreementMember.objects.filter(agreement=running, status=MemberStatus.INVITED).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        page.post(url, {"file": csv_upload(rows, encoding="gb18030")})
    again = ImportJob.objects.latest("pk")
    assert again.status == ImportJob.Status.VALID and again.summary == {"new": 0, "update": 0, "skip": 2}


def test_member_list_import_reports_ineligible_rows_by_id_or_name(
    running, django_capture_on_commit_callbacks
):
    school, _hr = sides(running)
    wrong = eligible_student(running, grade=running.cohort + 1)
    rows = [
        {
            "学校代码": running.school.code,
            "学号": wrong.student_no,
            "姓名": "",
            "协议（编号或名称）": str(running.pk),
        },
        {"学校代码": running.school.code, "学号": "NOPE", "姓名": "", "协议（编号或名称）": "不存在的协议"},
    ]
    page, _api = login_clients(school)
    with django_capture_on_commit_callbacks(execute=True):
        page.post(AgreementMemberViews.url_for("import"), {"file": csv_upload(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.INVALID
    messages = " ".join(e["message"] for e in job.errors)
    assert "协议面向" in messages and "NOPE" in messages and "不存在的协议" in messages
    assert not AgreementMember.objects.exists()


def test_api_invite_by_id_and_number_and_another_schools_student_reads_as_unknown(running):
    school, hr = sides(running)
    a, b = eligible_student(running), eligible_student(running)
    stranger = StudentFactory(name="外校学生")
    url = f"/api/v1/cooperation/agreements/{running.pk}/invite/"
    _page, api = login_clients(school)
    response = api.post(url, {"students": [stranger.pk]}, format="json")
    assert response.status_code == 400 and "外校学生" not in str(response.data)
    response = api.post(url, {"students": [a.pk], "student_nos": [b.student_no]}, format="json")
    assert response.status_code == 201 and {m["student"] for m in response.data} == {a.pk, b.pk}
    _page, api = login_clients(hr)
    response = api.post(url, {"student_nos": [eligible_student(running).student_no]}, format="json")
    assert response.status_code == 403 and "学校的管理员" in str(response.data)


def test_member_api_list_and_my_agreements_run_no_query_per_row(running):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    school, _hr = sides(running)
    (mine,) = _invited(running)
    student = mine.student.user
    _page, api = login_clients(school)
    page, _api = login_clients(student)
    with CaptureQueriesContext(connection) as few_api:
        assert api.get("/api/v1/cooperation/agreement-members/").data["count"] == 1
    with CaptureQueriesContext(connection) as few_page:
        assert page.get("/cooperation/agreements/mine/").status_code == 200
    _invited(running, 3)
    for _ in range(3):  # the same student invited to more agreements
        other = RunningAgreementFactory(school=running.school, school_major=running.school_major)
        services.member_invite(actor=sides(other)[0], agreement=other, students=[mine.student])
    with CaptureQueriesContext(connection) as many_api:
        assert api.get("/api/v1/cooperation/agreement-members/").data["count"] == 7  # all of the school's
    with CaptureQueriesContext(connection) as many_page:
        assert page.get("/cooperation/agreements/mine/").content.decode().count("data-place=") == 4
    assert len(many_api) == len(few_api) and len(many_page) == len(few_page)
