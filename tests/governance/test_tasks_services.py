"""The services of the responsibility list: milestones by the lead parties (and their refusals: another
department, a unit or an owner outside the task's parties), the complete / cancel / reopen steps, progress
reports by the parties (refusals: wrong role, not a party, a milestone of another task, a bad percent, a bad
file), attachments, and the daily tick's reminders, each sent once."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from xiaoqitong.core.models import AuditLog
from xiaoqitong.governance.models import Milestone, ProgressAttachment, ProgressReport
from xiaoqitong.governance.services import tasks as services
from xiaoqitong.orgs.choices import Role

from . import factories_tasks
from .factories_tasks import department, exe_as_pdf, milestone, officer, pdf, school_admin, set_today, texts

annex = factories_tasks.annex  # a fixture
media_root = factories_tasks.media_root  # a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return set_today(monkeypatch)


# --- milestones -------------------------------------------------------------------------------------------
def test_a_lead_officer_adds_a_milestone_with_owners_from_the_parties(
    annex, clock, django_capture_on_commit_callbacks
):
    ndrc = officer("CZ-FGW")
    owner = officer("CZ-JYJ")  # 市教育局 is responsible in task 8
    with django_capture_on_commit_callbacks(execute=True):
        m = milestone(annex[8], ndrc, 30, department=department("CZ-JYJ"), owners=[owner])
    assert m.status == "open" and m.percent == 0
    assert list(m.owners.all()) == [owner]
    assert "您被指定为任务8" in texts(owner)[0]
    assert AuditLog.objects.filter(verb="milestone_create", object_id=str(m.pk)).count() == 1


def test_only_the_lead_department_manages_milestones(annex, clock):
    edu = officer("CZ-JYJ")  # responsible, not lead, in task 8
    with pytest.raises(PermissionDenied, match="牵头部门"):
        milestone(annex[8], edu)
    with pytest.raises(PermissionDenied):
        milestone(annex[8], school_admin())
    assert not Milestone.objects.exists()
    # two lead departments in task 4: either manages it
    assert milestone(annex[4], officer("CZ-RSJ")).pk
    assert milestone(annex[4], officer("CZ-JYJ"), 40).pk


def test_the_unit_and_owners_must_be_of_the_tasks_parties(annex, clock):
    ndrc = officer("CZ-FGW")
    with pytest.raises(ValidationError) as exc:
        milestone(annex[9], ndrc, department=department("CZ-WJW"))  # 市卫生健康委: not in task 9
    assert "department" in exc.value.message_dict
    stranger = officer("CZ-WJW")
    with pytest.raises(ValidationError) as exc:
        milestone(annex[9], ndrc, owners=[stranger])
    assert "owners" in exc.value.message_dict
    # 各县市区人民政府 and 市属各职业院校: any county government, any school
    county = officer("CZ-BHQ")
    school = SchoolFactory()
    m = milestone(annex[9], ndrc, department=department("CZ-BHQ"), owners=[county])
    assert m.department.code == "CZ-BHQ"
    m2 = milestone(annex[9], ndrc, 50, school=school, owners=[school_admin(school)])
    assert m2.school == school
    with pytest.raises(ValidationError):
        milestone(annex[2], officer("CZ-RSJ"), school=SchoolFactory())  # task 2 names no schools group


def test_update_keeps_the_task_and_a_new_due_date_resends_reminders(annex, clock):
    ndrc = officer("CZ-FGW")
    m = milestone(annex[8], ndrc, 10)
    services.tasks_tick()
    m.refresh_from_db()
    assert m.reminded == ["d14"]
    with pytest.raises(ValidationError):
        services.milestone_update(actor=ndrc, instance=m, data={"task": annex[9]})
    with pytest.raises(PermissionDenied):
        services.milestone_update(actor=officer("CZ-JYJ"), instance=m, data={"title": "x"})
    m = services.milestone_update(
        actor=ndrc, instance=m, data={"due_date": clock.today + dt.timedelta(days=60)}
    )
    m.refresh_from_db()
    assert m.reminded == []


def test_complete_cancel_reopen_and_delete(annex, clock):
    ndrc = officer("CZ-FGW")
    m = milestone(annex[10], ndrc)
    with pytest.raises(PermissionDenied):
        services.milestone_complete(actor=officer("CZ-JYJ"), milestone=m)
    m = services.milestone_complete(actor=ndrc, milestone=m)
    assert (m.status, m.percent, m.done_by) == ("done", 100, ndrc)
    with pytest.raises(ValidationError):
        services.milestone_complete(actor=ndrc, milestone=m)
    m = services.milestone_reopen(actor=ndrc, milestone=m)
    assert m.status == "open" and m.done_at is None
    with pytest.raises(ValidationError):
        services.milestone_cancel(actor=ndrc, milestone=m, reason=" ")
    m = services.milestone_cancel(actor=ndrc, milestone=m, reason="与节点合并")
    assert m.status == "cancelled"
    assert AuditLog.objects.get(verb="milestone_cancel").changes["reason"] == [None, "与节点合并"]
    other = milestone(annex[10], ndrc, 40)
    services.report_create(
        actor=ndrc, task=annex[10], data={"milestone": other, "period_end": clock.today, "text": "推进中"}
    )
    with pytest.raises(ValidationError, match="取消"):
        services.milestone_delete(actor=ndrc, instance=other)
    third = milestone(annex[10], ndrc, 50)
    services.milestone_delete(actor=ndrc, instance=third)
    assert not Milestone.objects.filter(pk=third.pk).exists()


# --- progress reports ------------------------------------------------------------------------------------
def test_a_party_files_a_report_that_moves_its_milestone(
    annex, clock, media_root, django_capture_on_commit_callbacks
):
    ndrc = officer("CZ-FGW")
    m = milestone(annex[8], ndrc)
    edu = officer("CZ-JYJ")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_create(
            actor=edu,
            task=annex[8],
            data={
                "milestone": m,
                "period_end": clock.today,
                "text": "已完成基地遴选",
                "percent": 60,
                "problems": "无",
            },
            attachments=[pdf()],
        )
    assert report.department.code == "CZ-JYJ" and report.author == edu
    m.refresh_from_db()
    assert m.percent == 60
    assert report.attachments.count() == 1
    assert "市教育局" in texts(ndrc)[-1] and "任务8" in texts(ndrc)[-1]
    assert AuditLog.objects.filter(verb="report_create").count() == 1


def test_a_school_files_through_the_all_schools_group(annex, clock):
    admin = school_admin()
    report = services.report_create(
        actor=admin, task=annex[1], data={"period_end": clock.today, "text": "已达标"}
    )
    assert report.school == admin.school
    with pytest.raises(PermissionDenied):  # task 2 names no schools group (only 郴州技师学院)
        services.report_create(actor=admin, task=annex[2], data={"period_end": clock.today, "text": "x"})
    teacher = user_with_role(Role.TEACHER, school=admin.school)
    with pytest.raises(PermissionDenied):  # teachers read, administrators report
        services.report_create(actor=teacher, task=annex[1], data={"period_end": clock.today, "text": "x"})


@pytest.mark.parametrize(
    "who",
    [lambda: user_with_role(Role.ENTERPRISE_HR, enterprise=EnterpriseFactory()), lambda: officer("CZ-WJW")],
)
def test_report_refused_to_a_wrong_role_or_a_non_party(annex, clock, who):
    with pytest.raises(PermissionDenied):  # 市卫生健康委 is no party of task 9
        services.report_create(actor=who(), task=annex[9], data={"period_end": clock.today, "text": "x"})
    assert not ProgressReport.objects.exists()


def test_report_refusals_milestone_percent_date_and_file(annex, clock, media_root):
    ndrc = officer("CZ-FGW")
    m8 = milestone(annex[8], ndrc)
    m9 = milestone(annex[9], ndrc)
    base = {"period_end": clock.today, "text": "进展"}
    cases = [
        ({"milestone": m9}, "milestone"),
        ({"milestone": m8, "percent": 120}, "percent"),
        ({"percent": 50}, "percent"),
        ({"period_end": clock.today + dt.timedelta(days=3)}, "period_end"),
    ]
    for extra, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.report_create(actor=ndrc, task=annex[8], data=base | extra)
        assert field in exc.value.message_dict, extra
    with pytest.raises(ValidationError) as exc:
        services.report_create(actor=ndrc, task=annex[8], data=base, attachments=[exe_as_pdf()])
    assert "file" in exc.value.message_dict
    services.milestone_complete(actor=ndrc, milestone=m8)
    with pytest.raises(ValidationError):
        services.report_create(actor=ndrc, task=annex[8], data=base | {"milestone": m8, "percent": 50})
    assert not ProgressReport.objects.exists() and not ProgressAttachment.objects.exists()


def test_attachments_only_by_the_reporting_unit(annex, clock, media_root):
    edu = officer("CZ-JYJ")
    report = services.report_create(
        actor=edu, task=annex[8], data={"period_end": clock.today, "text": "进展"}
    )
    colleague = officer("CZ-JYJ")
    a = services.attachment_add(actor=colleague, report=report, upload=pdf("会议纪要.pdf"), title="")
    assert a.title == "会议纪要" and a.file_size > 0
    with pytest.raises(PermissionDenied):
        services.attachment_add(actor=officer("CZ-FGW"), report=report, upload=pdf())
    with pytest.raises(ValidationError):
        services.attachment_add(actor=edu, report=report, upload=exe_as_pdf())


# --- the tick ------------------------------------------------------------------------------------------
def test_tick_sends_14_3_1_days_and_overdue_reminders_once_each(
    annex, clock, django_capture_on_commit_callbacks
):
    ndrc = officer("CZ-FGW")
    owner = officer("CZ-FGW")
    m = milestone(annex[8], ndrc, 20, owners=[owner])
    start = clock.today
    sent = []
    for day in range(0, 24):
        clock.today = start + dt.timedelta(days=day)
        with django_capture_on_commit_callbacks(execute=True):
            counts = services.tasks_tick(on=clock.today)
        if counts["reminders"] or counts["overdue"]:
            sent.append((day, counts["reminders"], counts["overdue"]))
    assert sent == [(6, 1, 0), (17, 1, 0), (19, 1, 0), (21, 0, 1)]
    m.refresh_from_db()
    assert m.reminded == ["d14", "d3", "d1", "overdue"]
    assert len(texts(owner)) == 4 and "已逾期" in texts(owner)[-1]
    assert not texts(ndrc)[1:]  # the creator hears nothing once the owner is named


def test_tick_without_owners_tells_the_units_people_and_skips_closed(
    annex, clock, django_capture_on_commit_callbacks
):
    ndrc = officer("CZ-FGW")
    edu = officer("CZ-JYJ")
    milestone(annex[8], ndrc, 2, department=department("CZ-JYJ"))
    lead_only = milestone(annex[9], ndrc, -1)
    done = milestone(annex[10], ndrc, 1)
    services.milestone_complete(actor=ndrc, milestone=done)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.tasks_tick()
    assert counts == {"reminders": 1, "overdue": 1, "recipients": 2}
    assert "还有 2 天" in texts(edu)[0]
    assert any("已逾期" in t and lead_only.title in t for t in texts(ndrc))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tasks_tick() == {"reminders": 0, "overdue": 0, "recipients": 0}
