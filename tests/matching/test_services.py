"""The index kept current (delta segment, snapshots, refresh task), the students' arrays, invitations."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoqitong.core.models import AuditLog
from xiaoqitong.core.services import touch
from xiaoqitong.enterprises import services as enterprise_services
from xiaoqitong.enterprises.models import Application, Position
from xiaoqitong.matching import services, tasks
from xiaoqitong.matching.arrays import build_catalog
from xiaoqitong.matching.models import Invitation
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools import services as school_services
from xiaoqitong.schools.models import Student

from ..enterprises.factories import (
    ApplicationFactory,
    GraduateOutcomeFactory,
    PublishedPositionFactory,
    in_days,
)
from ..orgs.factories import UserFactory, user_with_role
from ..schools.factories import student_account
from .factories import cnc_posting, cnc_student, hotel_posting, skill

pytestmark = [pytest.mark.usefixtures("reference_data"), pytest.mark.django_db]


@pytest.fixture
def rebuilds(monkeypatch):
    """Record rebuild requests instead of running the task (eager in tests)."""
    calls = []
    monkeypatch.setattr(services, "_ask_for_rebuild", lambda: calls.append(1))
    return calls


def admin():
    return UserFactory(is_superuser=True, is_staff=True)


# --- the index kept current ---------------------------------------------------------------------------
def test_new_changed_and_closed_positions_show_without_a_rebuild(
    rebuilds, django_capture_on_commit_callbacks
):
    cnc = cnc_posting()
    data = build_catalog()
    index = services.current_index(data)
    assert index.position_ids.tolist() == [cnc.pk]
    version = index.version

    hotel = hotel_posting()  # new
    cnc.status = "closed"
    cnc.save()  # closed
    again = services.current_index(data)
    assert again is index and again.version == version  # the same index, not a rebuild
    assert again.position_ids.tolist() == [hotel.pk]

    # a change of requirements only (a platform administrator editing a published posting) is seen too
    enterprise_services.position_update(
        actor=admin(),
        instance=hotel,
        data={"required_skills": [skill("酒店前厅服务"), skill("客房服务")], "bonus_skills": []},
    )
    with django_capture_on_commit_callbacks(execute=True) as queued, services.using_index():
        services.current_index(data)
        assert not rebuilds  # never under the lock
    assert hotel.pk in index and index.delta_fraction > 0
    assert len(queued) == 1 and rebuilds == [1]  # more than 5% changed: a rebuild was asked for, on commit
    with django_capture_on_commit_callbacks(execute=True) as queued, services.using_index():
        services.current_index(data)
    assert not queued and rebuilds == [1]  # once


def test_a_change_committed_late_is_not_missed(rebuilds):
    cnc = cnc_posting()
    data = build_catalog()
    index = services.current_index(data)
    hotel = hotel_posting()
    # its transaction set updated_at before the index last looked, and committed after
    Position.objects.filter(pk=hotel.pk).update(updated_at=timezone.now() - dt.timedelta(seconds=30))
    assert hotel.pk in services.current_index(data)
    assert index.position_ids.tolist() == sorted([cnc.pk, hotel.pk])
    # looking again changes nothing: what was applied is remembered
    before = index.delta_fraction
    services.current_index(data)
    assert index.delta_fraction == before


def test_a_newer_snapshot_is_loaded_and_kept_current(rebuilds):
    cnc = cnc_posting()
    data = build_catalog()
    first = services.current_index(data)
    services.save_snapshot(services.build_index(data=data))  # another process (the worker) saved one
    second = services.current_index(data)
    assert second is not first and second.position_ids.tolist() == [cnc.pk]
    hotel = hotel_posting()
    assert services.current_index(data) is second and hotel.pk in second


def test_a_refused_snapshot_on_disk_does_not_rebuild_every_query(rebuilds, monkeypatch):
    cnc_posting()
    data = build_catalog()
    services.save_snapshot(services.build_index(data=data, on=in_days(-1)))  # yesterday's: refused today
    builds = []
    real = services.build_index
    monkeypatch.setattr(services, "build_index", lambda **kw: builds.append(1) or real(**kw))
    first = services.current_index(data)
    for _ in range(4):
        assert services.current_index(data) is first
    assert builds == [1]
    services.save_snapshot(real(data=data))  # the worker saves today's: loaded
    assert services.current_index(data) is not first and builds == [1]


def test_a_failed_update_is_tried_again(rebuilds, monkeypatch):
    cnc_posting()
    data = build_catalog()
    index = services.current_index(data)
    hotel = hotel_posting()
    real = services.position_arrays

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(services, "position_arrays", real)
        raise RuntimeError("database is locked")

    monkeypatch.setattr(services, "position_arrays", fail_once)
    with pytest.raises(RuntimeError):
        services.current_index(data)
    assert hotel.pk not in index
    assert hotel.pk in services.current_index(data)


def test_another_day_builds_anew(rebuilds):
    cnc_posting()
    data = build_catalog()
    today = services.current_index(data)
    assert services.current_index(data, on=in_days(1)) is not today


def test_refresh_snapshot_builds_only_when_due(rebuilds):
    assert services.refresh_snapshot() == {"built": False, "reason": "no open position"}
    positions = [cnc_posting() for _ in range(3)]
    done = tasks.refresh_index.delay().get()
    assert done["built"] and done["reason"] == "missing" and done["positions"] == 3
    assert services.refresh_snapshot() == {"built": False}  # nothing changed since
    positions[0].title = "数控车床调机员"
    positions[0].save()  # 1 of 3 changed: more than 5%
    assert services.refresh_snapshot()["reason"] == "1 changed"
    assert services.refresh_snapshot()["built"] is False
    assert services.refresh_snapshot(force=True)["reason"] == "forced"
    meta = services.read_meta()
    assert meta["on"] == timezone.localdate().isoformat() and meta["positions"] == 3


def test_unreadable_snapshot_metadata_is_ignored(rebuilds):
    cnc_posting()
    data = build_catalog()
    services.save_snapshot(services.build_index(data=data))
    meta = services.default_snapshot_path().with_name("positions.npz.json")
    meta.write_text("{not json", encoding="utf-8")
    assert services.read_meta() is None and services.load_snapshot(data) is None
    assert len(services.current_index(data)) == 1  # built in memory instead


# --- students ------------------------------------------------------------------------------------------
def test_students_are_read_again_when_they_change():
    student = cnc_student()
    other = cnc_student()
    data = build_catalog()
    arrays = services.current_students(data)
    assert sorted(arrays.ids.tolist()) == sorted([student.pk, other.pk])
    row = arrays.ids.tolist().index(student.pk)
    assert arrays.skills[row].indices.tolist() == [data.skills.id(skill("PLC编程").pk)]

    # skills only: the service touches updated_at so that the change is seen
    school_services.student_update(
        actor=admin(),
        instance=student,
        data={"skill_levels": [(skill("PLC编程"), "proficient"), (skill("数控车削编程"), "proficient")]},
    )
    arrays = services.current_students(data)
    row = arrays.ids.tolist().index(student.pk)
    assert sorted(arrays.skills[row].indices.tolist()) == sorted(
        data.skills.ids([skill("PLC编程").pk, skill("数控车削编程").pk])
    )
    # employed: no longer looking
    GraduateOutcomeFactory(student=other, outcome="employed")
    assert services.current_students(data).ids.tolist() == [student.pk]


def test_touch_sets_updated_at_only():
    student = cnc_student()
    before = Student.objects.get(pk=student.pk).updated_at
    touch(student)
    after = Student.objects.get(pk=student.pk)
    assert after.updated_at > before and after.name == student.name and student.updated_at == after.updated_at


# --- invitations --------------------------------------------------------------------------------------
@pytest.fixture
def setting():
    """An open posting, its HR, and a consenting student who is looking, with an account."""
    position = cnc_posting()
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=position.enterprise)
    student = cnc_student(consent="deidentified")
    return position, hr, student, student_account(student)


def test_invite_accept_applies(setting):
    position, hr, student, account = setting
    invitation = services.invitation_create(
        actor=hr, position=position, student=student, message=" 欢迎投递 "
    )
    assert invitation.status == "sent" and invitation.message == "欢迎投递" and invitation.invited_by == hr
    assert AuditLog.objects.filter(verb="invitation_create", object_id=str(invitation.pk)).exists()
    done = services.invitation_respond(actor=account, invitation=invitation, accept=True, note="谢谢邀请")
    application = Application.objects.get(student=student, position=position)
    assert done.status == "accepted" and done.application == application and application.note == "谢谢邀请"
    assert done.responded_at is not None
    with pytest.raises(ValidationError, match="已是“已接受”状态，不能再回复"):
        services.invitation_respond(actor=account, invitation=invitation, accept=False)
    with pytest.raises(ValidationError, match="不能撤回"):
        services.invitation_withdraw(actor=hr, invitation=invitation)


def test_decline_and_withdraw(setting):
    position, hr, student, account = setting
    invitation = services.invitation_create(actor=hr, position=position, student=student)
    assert (
        services.invitation_respond(actor=account, invitation=invitation, accept=False).status == "declined"
    )
    assert not Application.objects.filter(student=student).exists()
    other = cnc_student(consent="full")
    second = services.invitation_create(actor=hr, position=position, student=other)
    assert services.invitation_withdraw(actor=hr, invitation=second).status == "withdrawn"
    assert AuditLog.objects.filter(verb="invitation_withdraw").count() == 1


def test_who_may_invite(setting):
    position, _hr, student, account = setting
    for actor in (
        user_with_role(Role.ENTERPRISE_MENTOR, enterprise=position.enterprise),
        user_with_role(Role.ENTERPRISE_HR),  # another enterprise
        user_with_role(Role.GOV_OFFICER),
        account,
    ):
        with pytest.raises(PermissionDenied):
            services.invitation_create(actor=actor, position=position, student=student)
    assert services.invitation_create(
        actor=admin(), position=position, student=student
    ).invited_by.is_superuser


def test_invitation_refusals(setting):
    position, hr, student, _account = setting
    hidden = cnc_student(consent="none")
    with pytest.raises(ValidationError, match="未向企业公开简历"):
        services.invitation_create(actor=hr, position=position, student=hidden)
    employed = cnc_student(consent="full")
    GraduateOutcomeFactory(student=employed, outcome="employed")
    with pytest.raises(ValidationError, match="目前不在求职"):
        services.invitation_create(actor=hr, position=position, student=employed)
    applied = cnc_student(consent="full")
    ApplicationFactory(student=applied, position=position)
    with pytest.raises(ValidationError, match="已投递此岗位"):
        services.invitation_create(actor=hr, position=position, student=applied)
    services.invitation_create(actor=hr, position=position, student=student)
    with pytest.raises(ValidationError, match="每个岗位只能邀请一次"):
        services.invitation_create(actor=hr, position=position, student=student)
    closed = PublishedPositionFactory(enterprise=position.enterprise, status="closed")
    with pytest.raises(ValidationError, match="不在招聘中"):
        services.invitation_create(actor=hr, position=closed, student=student)
    # a hidden student who applied is seen by the enterprise, but applied already
    assert Invitation.objects.count() == 1


def test_responding_is_the_invited_students_alone(setting):
    position, hr, student, _account = setting
    invitation = services.invitation_create(actor=hr, position=position, student=student)
    stranger = student_account(cnc_student())
    for actor in (stranger, hr, admin()):
        with pytest.raises(PermissionDenied):
            services.invitation_respond(actor=actor, invitation=invitation, accept=True)
    assert Invitation.objects.get(pk=invitation.pk).status == "sent"


def test_accepting_a_full_position_is_refused_and_changes_nothing(setting):
    position, hr, student, account = setting
    invitation = services.invitation_create(actor=hr, position=position, student=student)
    for _ in range(position.headcount):
        ApplicationFactory(position=position, status="offered")
    with pytest.raises(ValidationError, match="名额已满"):
        services.invitation_respond(actor=account, invitation=invitation, accept=True)
    invitation.refresh_from_db()
    assert invitation.status == "sent" and invitation.application is None


def test_bad_weights_are_refused_at_startup(settings):
    from xiaoqitong.matching.apps import check_weights

    settings.XQT_MATCH_WEIGHTS = {"text": 0.2}
    assert check_weights() == []
    settings.XQT_MATCH_WEIGHTS = {"txt": 0.2}
    (error,) = check_weights()
    assert error.id == "matching.E001" and "txt" in error.msg
    settings.XQT_MATCH_WEIGHTS = {"text": -1}
    assert check_weights()[0].id == "matching.E001"


def test_applying_from_the_position_page_accepts_the_invitation(setting):
    position, hr, student, account = setting
    invitation = services.invitation_create(actor=hr, position=position, student=student)
    application = enterprise_services.application_create(actor=account, position=position)
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.application == application
    assert invitation.responded_at is not None


def test_the_invitation_keeps_the_score_it_was_sent_with(setting):
    position, hr, student, _account = setting
    invitation = services.invitation_create(actor=hr, position=position, student=student)
    assert invitation.score == pytest.approx(services.pair_score(student, position)) and invitation.score > 0
