"""Minutes and commitments of a 产教对话: the generic pages, API, export and import of commitments (natural
key 活动编号 + 承诺事项), who may read and write them, the follow-ups until done or dropped, the board's
countsand filters (overdue), and the daily reminder task."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xiaoqitong.core.models import AuditLog, Notification
from xiaoqitong.core.testing import ImportTests, ModelTests, check_access, login_clients
from xiaoqitong.events import tasks
from xiaoqitong.events.choices import CommitmentStatus
from xiaoqitong.events.models import Commitment, CommitmentUpdate
from xiaoqitong.events.services import dialogues as services
from xiaoqitong.events.views.dialogues import CommitmentViews
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import DepartmentFactory, EnterpriseFactory, SchoolFactory, user_with_role
from .factories import (
    CommitmentFactory,
    CommitmentUpdateFactory,
    DialogueFactory,
    EventFactory,
    RegistrationFactory,
    SchoolRegistrationFactory,
    at,
)

API = "/api/v1/events/commitments/"
pytestmark = pytest.mark.django_db


def organizer_of(event):
    return user_with_role(Role.GOV_OFFICER, department=event.organizer)


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


class TestCommitment(ImportTests, ModelTests):
    views = CommitmentViews
    api_url = API
    factory = CommitmentFactory
    update_data = {"owner_person": "李科长"}

    def form_data(self):
        return {
            "event": DialogueFactory().pk,
            "content": "开设数控技术订单班一个",
            "owner_school": SchoolFactory().pk,
            "owner_enterprise": "",
            "owner_department": "",
            "owner_person": "张校长",
            "due_date": in_days(60).isoformat(),
        }

    def api_data(self):
        return {
            "event": DialogueFactory().pk,
            "content": "选派技术骨干担任兼职教师",
            "owner_enterprise": EnterpriseFactory().credit_code,
            "owner_person": "刘经理",
            "due_date": in_days(90).isoformat(),
        }

    def import_rows(self):
        event = DialogueFactory()
        school = SchoolFactory()
        department = DepartmentFactory()
        return [
            {
                "活动编号": str(event.pk),
                "承诺事项": f"导入的承诺事项{n}",
                "责任学校代码": school.code if n == 1 else "",
                "责任企业统一社会信用代码": "",
                "责任部门代码": "" if n == 1 else department.code,
                "责任人": "王主任",
                "完成时限": in_days(30 * n).isoformat(),
            }
            for n in (1, 2)
        ]

    def test_access_by_role(self):
        event = DialogueFactory()
        organizer = organizer_of(event)
        own = CommitmentFactory(event=event)
        other = CommitmentFactory()
        check_access(
            organizer,
            CommitmentViews,
            API,
            lambda action, is_own: is_own or action == "import",
            own,
            other,
            "organizer",
        )
        school_admin = user_with_role(Role.SCHOOL_ADMIN, school=own.owner_school)
        check_access(
            school_admin,
            CommitmentViews,
            API,
            lambda action, is_own: action in {"view", "export"} and is_own,
            own,
            other,
            "owner school",
        )
        for role in (Role.STUDENT, Role.RESEARCHER):
            user = user_with_role(role)
            page, api = login_clients(user)
            assert page.get(CommitmentViews.url_for("list")).status_code == 403
            assert api.get(API).status_code == 403

    def test_an_import_into_another_departments_dialogue_is_refused(self, django_capture_on_commit_callbacks):
        from xiaoqitong.core.models import ImportJob
        from xiaoqitong.core.testing import csv_upload

        officer = organizer_of(DialogueFactory())
        rows = self.import_rows()  # a dialogue of another department
        page, _api = login_clients(officer)
        with django_capture_on_commit_callbacks(execute=True):
            page.post(CommitmentViews.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        assert any("不是本部门主办" in e["message"] for e in job.errors), job.errors

    def test_an_import_checks_the_owner_and_the_due_date(
        self, client_admin, django_capture_on_commit_callbacks
    ):
        from xiaoqitong.core.models import ImportJob
        from xiaoqitong.core.testing import csv_upload

        rows = self.import_rows()
        rows[0]["责任部门代码"] = rows[1]["责任部门代码"]  # two owners
        rows[1]["完成时限"] = "2000-01-01"
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(CommitmentViews.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        messages = " ".join(e["message"] for e in job.errors)
        assert "有且只有一个责任单位" in messages and "早于活动日期" in messages
        assert not Commitment.objects.exists()


# --- services ----------------------------------------------------------------------------------------------
def test_minutes_are_the_organizers_on_a_dialogue():
    event = DialogueFactory()
    organizer = organizer_of(event)
    services.event_minutes_update(actor=organizer, event=event, minutes="一、园区企业用工需求通报……")
    event.refresh_from_db()
    assert event.minutes.startswith("一、")
    assert AuditLog.objects.filter(verb="event_minutes_update", object_id=str(event.pk)).count() == 1
    with pytest.raises(PermissionDenied, match="由活动主办部门填写"):
        services.event_minutes_update(actor=user_with_role(Role.GOV_OFFICER), event=event, minutes="x")
    fair = EventFactory()
    with pytest.raises(ValidationError, match="不记录会议纪要"):
        services.event_minutes_update(actor=organizer_of(fair), event=fair, minutes="x")


def test_commitment_refusals():
    event = DialogueFactory()
    organizer = organizer_of(event)
    data = {
        "event": event,
        "content": "共建实训基地",
        "owner_school": SchoolFactory(),
        "due_date": in_days(30),
    }
    with pytest.raises(PermissionDenied):
        services.commitment_create(actor=user_with_role(Role.GOV_OFFICER), data=data)
    with pytest.raises(ValidationError, match="早于活动日期"):
        services.commitment_create(actor=organizer, data=data | {"due_date": in_days(-30)})
    with pytest.raises(ValidationError, match="有且只有一个责任单位"):
        services.commitment_create(actor=organizer, data=data | {"owner_enterprise": EnterpriseFactory()})
    fair = EventFactory()
    with pytest.raises(ValidationError, match="不记录会议纪要和承诺事项"):
        services.commitment_create(actor=organizer_of(fair), data=data | {"event": fair})
    commitment = services.commitment_create(actor=organizer, data=data | {"status": "done"})
    assert commitment.status == CommitmentStatus.OPEN  # the status moves by follow-ups only
    with pytest.raises(ValidationError, match="所属的活动不能修改"):
        services.commitment_update(actor=organizer, instance=commitment, data={"event": DialogueFactory()})
    CommitmentUpdateFactory(commitment=commitment)
    with pytest.raises(ValidationError, match="已有 1 条进展记录，不能删除"):
        services.commitment_delete(actor=organizer, instance=commitment)


def test_a_new_commitment_is_told_to_its_owner(django_capture_on_commit_callbacks):
    event = DialogueFactory()
    school = SchoolFactory()
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school)
    teacher = user_with_role(Role.TEACHER, school=school)
    with django_capture_on_commit_callbacks(execute=True):
        services.commitment_create(
            actor=organizer_of(event),
            data={"event": event, "content": "开设订单班", "owner_school": school, "due_date": in_days(30)},
        )
    assert Notification.objects.filter(user=admin, text__contains="开设订单班").exists()
    assert not Notification.objects.filter(user=teacher).exists()


def test_follow_ups_until_done(django_capture_on_commit_callbacks):
    commitment = CommitmentFactory()
    organizer = organizer_of(commitment.event)
    owner = user_with_role(Role.TEACHER, school=commitment.owner_school)
    with django_capture_on_commit_callbacks(execute=True):
        services.commitment_follow_up(
            actor=owner, commitment=commitment, status="in_progress", note="方案已报送。"
        )
    assert Notification.objects.filter(user=organizer, text__contains="推进中").exists()
    with pytest.raises(ValidationError, match="只有活动主办部门可以取消"):
        services.commitment_follow_up(actor=owner, commitment=commitment, status="dropped", note="不做了")
    with pytest.raises(ValidationError, match="请填写进展说明"):
        services.commitment_follow_up(actor=owner, commitment=commitment, status="done", note=" ")
    with pytest.raises(PermissionDenied, match="责任单位或活动主办部门"):
        services.commitment_follow_up(
            actor=user_with_role(Role.SCHOOL_ADMIN), commitment=commitment, status="done", note="完成"
        )
    services.commitment_follow_up(actor=owner, commitment=commitment, status="done", note="首批学生已入班。")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DONE and commitment.done_at is not None
    assert list(commitment.updates.values_list("status", flat=True)) == ["in_progress", "done"]
    assert AuditLog.objects.filter(verb="commitment_follow_up", object_id=str(commitment.pk)).count() == 2
    with pytest.raises(ValidationError, match="已“已完成”，不能再填报"):
        services.commitment_follow_up(
            actor=organizer, commitment=commitment, status="in_progress", note="重开"
        )


def test_the_organizer_drops_a_commitment():
    commitment = CommitmentFactory(owner_school=None, owner_enterprise=EnterpriseFactory())
    services.commitment_follow_up(
        actor=organizer_of(commitment.event),
        commitment=commitment,
        status="dropped",
        note="企业产线调整，取消。",
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DROPPED and commitment.done_at is None


# --- the board ---------------------------------------------------------------------------------------------
def board_scene():
    event = DialogueFactory()
    school = SchoolFactory(code="4143000999")
    CommitmentFactory(event=event, owner_school=school, due_date=in_days(-3))  # overdue
    CommitmentFactory(
        event=event, owner_school=school, due_date=in_days(-3), status="done"
    )  # done, not overdue
    CommitmentFactory(event=event, owner_school=school, due_date=in_days(5), status="in_progress")
    CommitmentFactory(
        event=event, owner_school=None, owner_enterprise=EnterpriseFactory(), due_date=in_days(-1)
    )
    return event, school


def test_the_board_counts_and_filters_overdue_and_owner():
    event, school = board_scene()
    page, api = login_clients(organizer_of(event))
    body = page.get(reverse("events:commitment_list")).content.decode()
    assert 'data-count="overdue"' in body
    counts = api.get(f"{API}counts/").data
    assert (counts["total"], counts["overdue"], counts["done"], counts["in_progress"]) == (4, 2, 1, 1)
    assert api.get(f"{API}?overdue=true").data["count"] == 2
    assert api.get(f"{API}?owner={school.code}").data["count"] == 3
    assert api.get(f"{API}?owner={school.code}&state=open").data["count"] == 2
    assert api.get(f"{API}?owner_type=enterprise").data["count"] == 1
    assert api.get(f"{API}?status=done").data["count"] == 1
    overdue_rows = [row for row in api.get(API).data["results"] if row["is_overdue"]]
    assert len(overdue_rows) == 2
    body = page.get(reverse("events:commitment_list") + "?overdue=true").content.decode()
    assert body.count('data-overdue="1"') == 2
    # the owner school's staff see their own three only
    teacher = user_with_role(Role.TEACHER, school=school)
    _page, api = login_clients(teacher)
    assert api.get(f"{API}counts/").data["total"] == 3


def test_the_board_runs_no_query_per_row():
    event, _school = board_scene()
    page, _api = login_clients(organizer_of(event))
    url = reverse("events:commitment_list")
    with CaptureQueriesContext(connection) as few:
        page.get(url)
    for _n in range(6):
        commitment = CommitmentFactory(event=event, owner_school=None, owner_department=DepartmentFactory())
        CommitmentUpdateFactory(commitment=commitment)
    with CaptureQueriesContext(connection) as many:
        page.get(url)
    assert len(many) == len(few)


def test_follow_up_from_the_page_and_the_api():
    commitment = CommitmentFactory()
    owner = user_with_role(Role.SCHOOL_ADMIN, school=commitment.owner_school)
    page, api = login_clients(owner)
    body = page.get(commitment.get_absolute_url()).content.decode()
    assert "data-follow-up" in body and 'value="dropped"' not in body
    page.post(
        reverse("events:commitment_follow_up", args=[commitment.pk]),
        {"status": "in_progress", "note": "已对接"},
    )
    response = api.post(f"{API}{commitment.pk}/follow-up/", {"status": "done", "note": "完成"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "done"
    assert [u["status"] for u in response.data["updates"]] == ["in_progress", "done"]
    again = api.post(f"{API}{commitment.pk}/follow-up/", {"status": "done", "note": "x"}, format="json")
    assert again.status_code == 400 and "不能再填报" in str(again.data)
    stranger = login_clients(user_with_role(Role.SCHOOL_ADMIN))[1]
    assert (
        stranger.post(
            f"{API}{commitment.pk}/follow-up/", {"status": "done", "note": "x"}, format="json"
        ).status_code
        == 404
    )
    organizer_page = login_clients(organizer_of(commitment.event))[0]
    body = organizer_page.get(
        reverse("events:commitment_detail", args=[CommitmentFactory(event=commitment.event).pk])
    ).content.decode()
    assert 'value="dropped"' in body
    assert CommitmentUpdate.objects.filter(commitment=commitment).count() == 2
    CommitmentUpdateFactory(commitment=commitment, note="导入的历史进展")  # posted by nobody known
    body = page.get(commitment.get_absolute_url()).content.decode()
    assert "导入的历史进展" in body and "data-follow-up" not in body  # done: no more follow-ups


# --- the minutes page --------------------------------------------------------------------------------------
def test_the_minutes_page_by_role():
    event = DialogueFactory(minutes="会议议定三项合作。")
    mine = CommitmentFactory(event=event)
    CommitmentFactory(event=event)
    url = reverse("events:event_minutes", args=[event.pk])
    organizer = organizer_of(event)
    page, api = login_clients(organizer)
    body = page.get(url).content.decode()
    assert "<textarea" in body and body.count("data-commitment=") == 2
    page.post(url, {"minutes": "修订后的纪要"})
    event.refresh_from_db()
    assert event.minutes == "修订后的纪要"
    assert (
        api.patch(f"/api/v1/events/minutes/{event.pk}/", {"minutes": "API 纪要"}, format="json").status_code
        == 200
    )
    owner = user_with_role(Role.SCHOOL_ADMIN, school=mine.owner_school)
    page, api = login_clients(owner)
    body = page.get(url).content.decode()
    assert "API 纪要" in body and "<textarea" not in body and body.count("data-commitment=") == 1
    assert api.get(f"/api/v1/events/minutes/{event.pk}/").data["minutes"] == "API 纪要"
    assert (
        api.patch(f"/api/v1/events/minutes/{event.pk}/", {"minutes": "x"}, format="json").status_code == 403
    )
    participant = user_with_role(Role.SCHOOL_ADMIN)
    SchoolRegistrationFactory(event=event, school=participant.school)
    assert login_clients(participant)[0].get(url).status_code == 200
    for user in (user_with_role(Role.RESEARCHER), user_with_role(Role.ENTERPRISE_HR)):
        page, api = login_clients(user)
        assert page.get(url).status_code == 403
        assert api.get(f"/api/v1/events/minutes/{event.pk}/").status_code == 403
    fair = EventFactory()
    RegistrationFactory(event=fair)
    assert (
        login_clients(organizer_of(fair))[0].get(reverse("events:event_minutes", args=[fair.pk])).status_code
        == 403
    )


# --- the reminder ------------------------------------------------------------------------------------------
def test_the_daily_reminder_tells_each_owner_once(django_capture_on_commit_callbacks):
    school = SchoolFactory()
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school)
    CommitmentFactory(owner_school=school, due_date=in_days(-2), content="逾期的事项")
    CommitmentFactory(owner_school=school, due_date=in_days(6))
    CommitmentFactory(owner_school=school, due_date=in_days(30))  # not yet
    CommitmentFactory(owner_school=school, due_date=in_days(-2), status="done")  # done
    enterprise = EnterpriseFactory()
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=enterprise)
    CommitmentFactory(owner_school=None, owner_enterprise=enterprise, due_date=in_days(7))
    department = DepartmentFactory()
    officer = user_with_role(Role.GOV_OFFICER, department=department)
    CommitmentFactory(owner_school=None, owner_department=department, due_date=in_days(8))  # beyond 7 days
    with django_capture_on_commit_callbacks(execute=True):
        sent = tasks.commitments_remind()
    assert sent == 2
    (text,) = Notification.objects.filter(user=admin).values_list("text", flat=True)
    assert "1 项已逾期" in text and "1 项将在 7 天内到期" in text and "逾期的事项" in text
    url = Notification.objects.get(user=admin).url
    assert url.startswith("/events/commitments/?") and school.code in url
    assert Notification.objects.filter(user=hr, text__contains="7 天内到期").exists()
    assert not Notification.objects.filter(user=officer).exists()


def test_the_reminder_task_is_scheduled_daily():
    from xiaoqitong.celery import app

    entry = app.conf.beat_schedule["events.commitments_remind"]
    assert entry["task"] == "events.commitments_remind"
    assert entry["schedule"].hour == {8}
    assert at(0).date() == timezone.localdate()
