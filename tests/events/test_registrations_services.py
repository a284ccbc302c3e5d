"""The services of event types, events and registrations: each success, each refusal (in Chinese, with the
numbers), the audit record and the notifications they leave."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoqitong.core.models import AuditLog, Notification
from xiaoqitong.core.testing import audit_count
from xiaoqitong.events.choices import EventStatus, ParticipantKind, RegistrationStatus
from xiaoqitong.events.models import Event, EventType, Registration, Slot
from xiaoqitong.events.services import registrations as services
from xiaoqitong.orgs.choices import Role

from ..enterprises.factories import PositionFactory, PublishedPositionFactory
from ..orgs.factories import DepartmentFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory
from .factories import (
    EnterpriseRegistrationFactory,
    EventFactory,
    RegistrationFactory,
    SchoolRegistrationFactory,
    SlotFactory,
    at,
    event_type,
    student_with_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return user_with_role(Role.GOV_OFFICER)


@pytest.fixture
def event(officer):
    return EventFactory(organizer=officer.department, capacity=2, booths=2)


@pytest.fixture
def hr():
    return user_with_role(Role.ENTERPRISE_HR)


@pytest.fixture
def school_admin():
    return user_with_role(Role.SCHOOL_ADMIN)


@pytest.fixture
def student_user():
    user, _student = student_with_user()
    return user


@pytest.fixture
def admin():
    return user_with_role(Role.PLATFORM_ADMIN)


def refusal(exc) -> str:
    return " ".join(exc.value.messages)


def notes(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


# --- event types -------------------------------------------------------------------------------------------
def test_seeded_types_keep_code_and_rule_and_are_never_deleted(admin):
    fair = event_type("fair")
    with pytest.raises(ValidationError) as exc:
        services.eventtype_delete(actor=admin, instance=fair)
    assert "政策规定的活动类型" in refusal(exc) and "供需见面会" in refusal(exc)
    with pytest.raises(ValidationError) as exc:
        services.eventtype_update(actor=admin, instance=fair, data={"rule_key": ""})
    assert "代码和对应指标不能修改" in refusal(exc)
    with pytest.raises(ValidationError):
        services.eventtype_update(actor=admin, instance=fair, data={"code": "fair2"})
    fair = services.eventtype_update(
        actor=admin, instance=fair, data={"name": "供需对接会", "rule_key": fair.rule_key}
    )
    assert fair.name == "供需对接会" and fair.rule_key == "fairs_per_year_min"


def test_event_types_are_written_by_platform_admins_only(admin, officer):
    with pytest.raises(PermissionDenied):
        services.eventtype_create(actor=officer, data={"code": "salon", "name": "技能沙龙"})
    salon = services.eventtype_create(actor=admin, data={"code": "salon", "name": "技能沙龙"})
    assert audit_count(EventType, salon.pk) == 1
    with pytest.raises(PermissionDenied):
        services.eventtype_update(actor=officer, instance=salon, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.eventtype_delete(actor=officer, instance=salon)
    EventFactory(type=salon)
    with pytest.raises(ValidationError) as exc:
        services.eventtype_delete(actor=admin, instance=salon)
    assert "已有 1 场活动使用" in refusal(exc)
    Event.objects.filter(type=salon).delete()
    services.eventtype_delete(actor=admin, instance=salon)
    assert not EventType.objects.filter(code="salon").exists()


# --- events ------------------------------------------------------------------------------------------------
def event_data(**extra):
    return {
        "type": event_type("fair"),
        "title": "2026 年郴州职业院校春季供需见面会",
        "venue": "郴州国际会展中心",
        "starts_at": at(20, 9),
        "ends_at": at(20, 17),
        "registration_opens_at": at(1, 9),
        "registration_closes_at": at(18, 18),
        "capacity": 300,
        "booths": 40,
    } | extra


def test_an_officers_event_is_their_departments_draft(officer):
    other = DepartmentFactory()
    event = services.event_create(actor=officer, data=event_data(organizer=other))
    assert event.organizer == officer.department and event.status == EventStatus.DRAFT
    assert event.created_by == officer
    assert audit_count(Event, event.pk) == 1
    event = services.event_update(actor=officer, instance=event, data={"organizer": other, "title": "改名"})
    assert event.organizer == officer.department and event.title == "改名"


def test_a_platform_admin_chooses_the_organizer(admin):
    department = DepartmentFactory()
    event = services.event_create(actor=admin, data=event_data(organizer=department))
    assert event.organizer == department


def test_event_writes_refused_to_others(officer, event, hr):
    stranger = user_with_role(Role.GOV_OFFICER)
    with pytest.raises(PermissionDenied):
        services.event_create(actor=hr, data=event_data())
    for call in (
        lambda: services.event_update(actor=stranger, instance=event, data={"title": "x"}),
        lambda: services.event_publish(actor=stranger, event=event),
        lambda: services.event_cancel(actor=stranger, event=event, reason="x"),
        lambda: services.event_delete(actor=stranger, instance=event),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_event_times_are_checked_by_the_service(officer):
    with pytest.raises(ValidationError) as exc:
        services.event_create(actor=officer, data=event_data(ends_at=at(20, 8)))
    assert "结束时间须晚于开始时间" in refusal(exc)


def test_capacity_and_booths_never_drop_below_the_places_taken(officer, event):
    RegistrationFactory.create_batch(2, event=event)
    EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    with pytest.raises(ValidationError) as exc:
        services.event_update(actor=officer, instance=event, data={"capacity": 1, "booths": 0})
    assert "已有 2 名学生报名" in refusal(exc) and "已有 1 个企业展位" in refusal(exc)
    services.event_update(actor=officer, instance=event, data={"capacity": 2, "booths": 1})


def test_publish_only_a_draft(officer):
    event = EventFactory(organizer=officer.department, status=EventStatus.DRAFT)
    event = services.event_publish(actor=officer, event=event)
    assert event.status == EventStatus.PUBLISHED
    assert AuditLog.objects.filter(verb="event_publish", object_id=str(event.pk)).count() == 1
    with pytest.raises(ValidationError) as exc:
        services.event_publish(actor=officer, event=event)
    assert "只有草稿状态的活动可以发布（当前状态：已发布）" in refusal(exc)


def test_cancel_needs_a_reason_and_tells_every_active_registration(
    officer, event, django_capture_on_commit_callbacks
):
    hr = user_with_role(Role.ENTERPRISE_HR)
    booth = EnterpriseRegistrationFactory(
        event=event, enterprise=hr.enterprise, status=RegistrationStatus.PENDING
    )
    school_admin = user_with_role(Role.SCHOOL_ADMIN)
    SchoolRegistrationFactory(event=event, school=school_admin.school)
    user, student = student_with_user()
    RegistrationFactory(event=event, student=student)
    gone_user, gone = student_with_user()
    RegistrationFactory(event=event, student=gone, status=RegistrationStatus.CANCELLED)
    with pytest.raises(ValidationError) as exc:
        services.event_cancel(actor=officer, event=event, reason="  ")
    assert "请填写取消原因" in refusal(exc)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_cancel(actor=officer, event=event, reason="场馆检修")
    assert event.status == EventStatus.CANCELLED
    for person in (hr, school_admin, user):
        assert any("已取消" in t and "场馆检修" in t for t in notes(person)), person
    assert notes(gone_user) == []
    entry = AuditLog.objects.get(verb="event_cancel", object_id=str(event.pk))
    assert entry.changes["reason"] == [None, "场馆检修"]
    booth.refresh_from_db()
    assert booth.status == RegistrationStatus.PENDING  # the record of who had registered stays
    with pytest.raises(ValidationError) as exc:
        services.event_cancel(actor=officer, event=event, reason="再次")
    assert "已经取消" in refusal(exc)
    with pytest.raises(ValidationError) as exc:
        services.event_update(actor=officer, instance=event, data={"title": "x"})
    assert "已取消，不能修改" in refusal(exc)


def test_cancel_refuses_drafts_and_ended_events(officer):
    draft = EventFactory(organizer=officer.department, status=EventStatus.DRAFT)
    with pytest.raises(ValidationError) as exc:
        services.event_cancel(actor=officer, event=draft, reason="x")
    assert "可直接删除" in refusal(exc)
    ended = EventFactory(
        organizer=officer.department,
        starts_at=at(-3, 9),
        ends_at=at(-3, 17),
        registration_opens_at=at(-10),
        registration_closes_at=at(-4),
    )
    with pytest.raises(ValidationError) as exc:
        services.event_cancel(actor=officer, event=ended, reason="x")
    assert "结束，不能取消" in refusal(exc)


def test_delete_only_drafts(officer, event):
    with pytest.raises(ValidationError) as exc:
        services.event_delete(actor=officer, instance=event)
    assert "不能删除" in refusal(exc) and "取消活动" in refusal(exc)
    draft = EventFactory(organizer=officer.department, status=EventStatus.DRAFT)
    services.event_delete(actor=officer, instance=draft)
    assert not Event.objects.filter(pk=draft.pk).exists()


# --- registering -------------------------------------------------------------------------------------------
def test_enterprise_registers_a_pending_booth_with_its_own_positions(
    hr, event, officer, django_capture_on_commit_callbacks
):
    mine = PublishedPositionFactory.create_batch(2, enterprise=hr.enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        booth = services.registration_create(actor=hr, event=event, positions=mine)
    assert booth.kind == ParticipantKind.ENTERPRISE and booth.enterprise == hr.enterprise
    assert booth.status == RegistrationStatus.PENDING and booth.registered_by == hr
    assert set(booth.positions.all()) == set(mine)
    assert len(booth.checkin_code) >= 20
    assert audit_count(Registration, booth.pk) == 1
    assert (
        "checkin_code"
        not in AuditLog.objects.get(object_id=str(booth.pk), verb="registration_create").changes
    )
    assert any("申请了活动" in t for t in notes(officer))


def test_positions_must_be_the_enterprises_own_published_ones(hr, event):
    draft = PositionFactory(enterprise=hr.enterprise, title="未发布的岗位")
    other = PublishedPositionFactory(title="别家的岗位")
    for position, name in ((draft, "未发布的岗位"), (other, "别家的岗位")):
        with pytest.raises(ValidationError) as exc:
            services.registration_create(actor=hr, event=event, positions=[position])
        assert name in refusal(exc) and "不是本企业已发布的岗位" in refusal(exc)
    assert not Registration.objects.exists()


def test_school_registers_an_approved_delegation_with_its_own_majors(school_admin, event):
    mine = SchoolMajorFactory(school=school_admin.school)
    delegation = services.registration_create(
        actor=school_admin, event=event, majors=[mine], delegation_size=6
    )
    assert delegation.kind == ParticipantKind.SCHOOL and delegation.status == RegistrationStatus.APPROVED
    assert delegation.delegation_size == 6 and list(delegation.majors.all()) == [mine]


def test_majors_must_be_the_schools_own(school_admin, event):
    other = SchoolMajorFactory()
    with pytest.raises(ValidationError) as exc:
        services.registration_create(actor=school_admin, event=event, majors=[other])
    assert "不是本校开设的专业" in refusal(exc) and other.school.name in refusal(exc)


def test_positions_and_majors_belong_to_their_kind(school_admin, student_user, event):
    with pytest.raises(ValidationError) as exc:
        services.registration_create(actor=school_admin, event=event, positions=[PublishedPositionFactory()])
    assert "只有企业展位可以携带岗位" in refusal(exc)
    with pytest.raises(ValidationError) as exc:
        services.registration_create(actor=student_user, event=event, majors=[SchoolMajorFactory()])
    assert "只有学校代表团可以推介专业" in refusal(exc)


def test_student_registers_self_approved(student_user, event):
    registration = services.registration_create(actor=student_user, event=event)
    assert registration.student.user == student_user
    assert registration.status == RegistrationStatus.APPROVED


def test_a_student_without_a_record_or_other_roles_cannot_register(event):
    bare = user_with_role(Role.STUDENT)
    with pytest.raises(ValidationError) as exc:
        services.registration_create(actor=bare, event=event)
    assert "还没有关联学生档案" in refusal(exc)
    for role in (
        Role.TEACHER,
        Role.ENTERPRISE_MENTOR,
        Role.GOV_OFFICER,
        Role.RESEARCHER,
        Role.PLATFORM_ADMIN,
    ):
        with pytest.raises(PermissionDenied):
            services.registration_create(actor=user_with_role(role), event=event)


def test_a_student_registers_only_themself(student_user, event):
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=student_user, event=event, student=StudentFactory())


def test_refused_outside_the_window_with_the_window(student_user, officer):
    early = EventFactory(organizer=officer.department, registration_opens_at=at(2, 9))
    with pytest.raises(ValidationError) as exc:
        services.registration_create(actor=student_user, event=early)
    window = timezone.localtime(early.registration_opens_at).strftime("%Y-%m-%d %H:%M")
    assert "报名尚未开始" in refusal(exc) and window in refusal(exc)
    late = EventFactory(
        organizer=officer.department, registration_opens_at=at(-5), registration_closes_at=at(-1)
    )
    with pytest.raises(ValidationError) as exc:
        services.registration_create(actor=student_user, event=late)
    closes = timezone.localtime(late.registration_closes_at).strftime("%Y-%m-%d %H:%M")
    assert "报名已截止" in refusal(exc) and closes in refusal(exc)


def test_refused_on_drafts_and_cancelled_events(student_user, officer):
    for status, words in ((EventStatus.DRAFT, "尚未发布"), (EventStatus.CANCELLED, "已取消")):
        event = EventFactory(organizer=officer.department, status=status)
        with pytest.raises(ValidationError) as exc:
            services.registration_create(actor=student_user, event=event)
        assert words in refusal(exc)


def test_students_refused_over_capacity_with_the_numbers(event):
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)  # holds no place
    user, _student = student_with_user()
    with pytest.raises(ValidationError) as exc:
        services.registration_create(actor=user, event=event)
    assert "学生名额已满：本活动限 2 人，已报名 2 人" in refusal(exc)


def test_booths_refused_when_approved_and_pending_fill_them(event, hr):
    EnterpriseRegistrationFactory(event=event)
    EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.DECLINED)
    with pytest.raises(ValidationError) as exc:
        services.registration_create(actor=hr, event=event)
    assert "企业展位已满：本活动共 2 个展位，已通过 1 个、待审核 1 个" in refusal(exc)


def test_school_delegations_are_not_held_to_capacity_or_booths(event, school_admin):
    RegistrationFactory.create_batch(2, event=event)
    EnterpriseRegistrationFactory.create_batch(2, event=event)
    assert services.registration_create(actor=school_admin, event=event).status == RegistrationStatus.APPROVED


def test_duplicates_are_refused(event, hr, school_admin, student_user):
    for actor, words in (
        (hr, "本企业已报名本活动（状态：待审核）"),
        (school_admin, "本校已报名"),
        (student_user, "该学生已报名"),
    ):
        services.registration_create(actor=actor, event=event)
        with pytest.raises(ValidationError) as exc:
            services.registration_create(actor=actor, event=event)
        assert words in refusal(exc) and "不能重复报名" in refusal(exc)


def test_registering_again_after_cancelling_reuses_the_row_with_a_new_code(event, student_user):
    first = services.registration_create(actor=student_user, event=event)
    code = first.checkin_code
    services.registration_cancel(actor=student_user, registration=first)
    again = services.registration_create(actor=student_user, event=event)
    assert again.pk == first.pk and again.status == RegistrationStatus.APPROVED
    assert again.checkin_code != code
    assert Registration.objects.filter(event=event).count() == 1
    entry = AuditLog.objects.filter(verb="registration_create", object_id=str(first.pk)).latest("pk")
    assert entry.action == "update" and entry.changes["status"] == ["cancelled", "approved"]


def test_a_declined_booth_may_apply_again(event, hr, officer):
    booth = services.registration_create(actor=hr, event=event)
    services.registration_decline(actor=officer, registration=booth, reason="岗位不符合本场主题")
    again = services.registration_create(actor=hr, event=event)
    assert again.pk == booth.pk and again.status == RegistrationStatus.PENDING and again.decline_reason == ""


def test_a_school_admin_registers_one_of_its_students_but_not_anothers(event, school_admin):
    own = StudentFactory(school_major__school=school_admin.school)
    registration = services.registration_create(actor=school_admin, event=event, student=own)
    assert registration.kind == ParticipantKind.STUDENT and registration.registered_by == school_admin
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=school_admin, event=event, student=StudentFactory())


# --- deciding booths ---------------------------------------------------------------------------------------
def test_approve_with_a_booth_number_tells_the_enterprises_hr(
    event, officer, hr, django_capture_on_commit_callbacks
):
    other_hr = user_with_role(Role.ENTERPRISE_HR, enterprise=hr.enterprise)
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=hr.enterprise)
    booth = EnterpriseRegistrationFactory(
        event=event, enterprise=hr.enterprise, status=RegistrationStatus.PENDING, booth_no=""
    )
    with pytest.raises(ValidationError) as exc:
        services.registration_approve(actor=officer, registration=booth, booth_no=" ")
    assert "请填写展位号" in refusal(exc)
    with django_capture_on_commit_callbacks(execute=True):
        booth = services.registration_approve(actor=officer, registration=booth, booth_no="B07")
    assert booth.status == RegistrationStatus.APPROVED and booth.booth_no == "B07"
    assert booth.decided_by == officer and booth.decided_at is not None
    assert AuditLog.objects.filter(verb="registration_approve", object_id=str(booth.pk)).count() == 1
    for person in (hr, other_hr):
        assert any("已通过" in t and "B07" in t for t in notes(person))
    assert notes(mentor) == []
    assert Notification.objects.filter(user=hr).first().url == event.get_absolute_url()
    with pytest.raises(ValidationError) as exc:
        services.registration_approve(actor=officer, registration=booth, booth_no="B08")
    assert "只能审核待审核的展位申请（当前状态：已通过）" in refusal(exc)


def test_a_booth_number_is_given_once_per_event(event, officer):
    EnterpriseRegistrationFactory(event=event, booth_no="A01")
    pending = EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.PENDING, booth_no="")
    with pytest.raises(ValidationError) as exc:
        services.registration_approve(actor=officer, registration=pending, booth_no="A01")
    assert "展位号“A01”已分配给" in refusal(exc)


def test_decline_with_a_reason_tells_the_enterprises_hr(
    event, officer, hr, django_capture_on_commit_callbacks
):
    booth = EnterpriseRegistrationFactory(
        event=event, enterprise=hr.enterprise, status=RegistrationStatus.PENDING
    )
    with pytest.raises(ValidationError) as exc:
        services.registration_decline(actor=officer, registration=booth, reason="")
    assert "请填写未通过的原因" in refusal(exc)
    with django_capture_on_commit_callbacks(execute=True):
        booth = services.registration_decline(actor=officer, registration=booth, reason="展位已按行业分配完")
    assert booth.status == RegistrationStatus.DECLINED and booth.decline_reason == "展位已按行业分配完"
    assert any("未通过" in t and "展位已按行业分配完" in t for t in notes(hr))
    assert AuditLog.objects.filter(verb="registration_decline", object_id=str(booth.pk)).count() == 1


def test_only_the_organizer_decides_and_only_booths(event, officer, hr):
    booth = EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    stranger = user_with_role(Role.GOV_OFFICER)
    for actor in (stranger, hr):
        with pytest.raises(PermissionDenied):
            services.registration_approve(actor=actor, registration=booth, booth_no="A1")
        with pytest.raises(PermissionDenied):
            services.registration_decline(actor=actor, registration=booth, reason="x")
    student = RegistrationFactory(event=event)
    with pytest.raises(ValidationError) as exc:
        services.registration_approve(actor=officer, registration=student, booth_no="A1")
    assert "只有企业展位需要审核" in refusal(exc)
    with pytest.raises(ValidationError):
        services.registration_decline(actor=officer, registration=student, reason="x")


def test_no_decision_on_a_cancelled_event(event, officer):
    booth = EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    with pytest.raises(ValidationError) as exc:
        services.registration_approve(actor=officer, registration=booth, booth_no="A1")
    assert "活动已取消" in refusal(exc)


# --- cancelling --------------------------------------------------------------------------------------------
def test_the_registrant_cancels_and_frees_the_place(event, django_capture_on_commit_callbacks):
    RegistrationFactory(event=event)
    user, student = student_with_user()
    mine = RegistrationFactory(event=event, student=student)
    late_user, _late = student_with_user()
    with pytest.raises(ValidationError):
        services.registration_create(actor=late_user, event=event)
    services.registration_cancel(actor=user, registration=mine, reason="时间冲突")
    mine.refresh_from_db()
    assert mine.status == RegistrationStatus.CANCELLED
    entry = AuditLog.objects.get(verb="registration_cancel", object_id=str(mine.pk))
    assert entry.changes["reason"] == [None, "时间冲突"]
    assert services.registration_create(actor=late_user, event=event).status == RegistrationStatus.APPROVED


def test_the_organizer_cancels_and_the_registrant_is_told(event, officer, django_capture_on_commit_callbacks):
    user, student = student_with_user()
    registration = RegistrationFactory(event=event, student=student)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=officer, registration=registration, reason="重复报名")
    assert any("已取消" in t and "重复报名" in t for t in notes(user))


def test_an_enterprise_withdrawing_its_booth_tells_the_organizer(
    event, officer, hr, django_capture_on_commit_callbacks
):
    booth = EnterpriseRegistrationFactory(event=event, enterprise=hr.enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=hr, registration=booth)
    assert any("取消了活动" in t for t in notes(officer))
    assert notes(hr) == []  # the actor is not told what they did


def test_cancelling_frees_the_slots_it_had_booked(event):
    user, student = student_with_user()
    registration = RegistrationFactory(event=event, student=student)
    slot = SlotFactory(booth=EnterpriseRegistrationFactory(event=event))
    Slot.objects.filter(pk=slot.pk).update(booked_by=registration, booked_at=timezone.now())
    services.registration_cancel(actor=user, registration=registration)
    slot.refresh_from_db()
    assert slot.booked_by is None and slot.booked_at is None


def test_a_withdrawn_booth_takes_its_slots_and_its_bookers_are_told(
    event, hr, django_capture_on_commit_callbacks
):
    booth = EnterpriseRegistrationFactory(event=event, enterprise=hr.enterprise)
    booked, free = (
        SlotFactory(booth=booth),
        SlotFactory(booth=booth, starts_at=event.starts_at + dt.timedelta(hours=1)),
    )
    user, student = student_with_user()
    booker = RegistrationFactory(event=event, student=student)
    Slot.objects.filter(pk=booked.pk).update(booked_by=booker, booked_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=hr, registration=booth, reason="企业临时有事")
    assert not Slot.objects.filter(pk__in=[booked.pk, free.pk]).exists()
    assert any("预约的洽谈时段随之取消" in t for t in notes(user))
    entry = AuditLog.objects.get(verb="registration_cancel", object_id=str(booth.pk))
    assert entry.changes["slots_removed"] == [2, 0]


def test_cancel_refusals(event, hr):
    user, student = student_with_user()
    registration = RegistrationFactory(event=event, student=student)
    for stranger in (hr, user_with_role(Role.GOV_OFFICER), user_with_role(Role.TEACHER)):
        with pytest.raises(PermissionDenied):
            services.registration_cancel(actor=stranger, registration=registration)
    services.registration_cancel(actor=user, registration=registration)
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(actor=user, registration=registration)
    assert "当前状态为“已取消”" in refusal(exc)
    checked = RegistrationFactory(event=event, checked_in_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(actor=user_with_role(Role.PLATFORM_ADMIN), registration=checked)
    assert "已于" in refusal(exc) and "签到，不能取消" in refusal(exc)


def test_no_cancelling_after_the_event(officer):
    ended = EventFactory(
        organizer=officer.department,
        starts_at=at(-3, 9),
        ends_at=at(-3, 17),
        registration_opens_at=at(-10),
        registration_closes_at=at(-4),
    )
    registration = RegistrationFactory(event=ended)
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(actor=officer, registration=registration)
    assert "结束，不能取消报名" in refusal(exc)


def test_the_school_cancels_its_students_registration_and_the_student_is_told(
    event, django_capture_on_commit_callbacks
):
    user, student = student_with_user()
    school_admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    registration = RegistrationFactory(event=event, student=student)
    teacher = user_with_role(Role.TEACHER, school=student.school)
    with pytest.raises(PermissionDenied):
        services.registration_cancel(actor=teacher, registration=registration)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=school_admin, registration=registration)
    assert any("已取消" in t for t in notes(user))


# --- students by 学号 --------------------------------------------------------------------------------------
def test_batch_registers_the_schools_students_all_or_nothing_and_idempotently(
    event, school_admin, django_capture_on_commit_callbacks
):
    Event.objects.filter(pk=event.pk).update(capacity=3)
    event.refresh_from_db()
    user, first = student_with_user(school=school_admin.school)
    second = StudentFactory(school_major__school=school_admin.school)
    outsider = StudentFactory()
    with pytest.raises(ValidationError) as exc:
        services.registration_students_create(
            actor=school_admin, event=event, student_numbers=[first.student_no, outsider.student_no]
        )
    assert outsider.student_no in refusal(exc) and "不是本校学生" in refusal(exc)
    assert not Registration.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.registration_students_create(
            actor=school_admin, event=event, student_numbers=[first.student_no, second.student_no]
        )
    assert result == {"created": 2, "skipped": 0}
    assert set(Registration.objects.values_list("status", flat=True)) == {RegistrationStatus.APPROVED}
    assert Registration.objects.filter(registered_by=school_admin).count() == 2
    assert AuditLog.objects.filter(verb="registration_students_create").count() == 2
    assert any("学校已为您报名" in t for t in notes(user))
    again = services.registration_students_create(
        actor=school_admin, event=event, student_numbers=[first.student_no, second.student_no]
    )
    assert again == {"created": 0, "skipped": 2}
    more = StudentFactory.create_batch(2, school_major__school=school_admin.school)
    with pytest.raises(ValidationError) as exc:
        services.registration_students_create(
            actor=school_admin, event=event, student_numbers=[s.student_no for s in more]
        )
    assert "学生名额不足：本活动限 3 人，已报名 2 人，尚余 1 个名额，本次需报名 2 人" in refusal(exc)
    assert Registration.objects.count() == 2


def test_batch_reuses_cancelled_rows_and_refuses_other_roles(event, school_admin, student_user):
    student = StudentFactory(school_major__school=school_admin.school)
    old = RegistrationFactory(event=event, student=student, status=RegistrationStatus.CANCELLED)
    services.registration_students_create(
        actor=school_admin, event=event, student_numbers=[student.student_no]
    )
    old.refresh_from_db()
    assert old.status == RegistrationStatus.APPROVED and Registration.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.registration_students_create(actor=student_user, event=event, student_numbers=["x"])
    closed = EventFactory(registration_opens_at=at(-5), registration_closes_at=at(-1))
    with pytest.raises(ValidationError) as exc:
        services.registration_students_create(
            actor=school_admin, event=closed, student_numbers=[student.student_no]
        )
    assert "报名已截止" in refusal(exc)


def test_registration_window_edges(student_user, officer):
    now = timezone.now()
    event = EventFactory(
        organizer=officer.department,
        registration_opens_at=now - dt.timedelta(minutes=1),
        registration_closes_at=now + dt.timedelta(minutes=5),
    )
    assert services.registration_create(actor=student_user, event=event)


# --- changing what a registration brings -------------------------------------------------------------------
def test_the_enterprise_changes_its_booths_positions(event, hr, officer):
    first, second = PublishedPositionFactory.create_batch(2, enterprise=hr.enterprise)
    booth = services.registration_create(actor=hr, event=event, positions=[first])
    booth = services.registration_update(actor=hr, registration=booth, positions=[second], note="带样品")
    assert list(booth.positions.all()) == [second] and booth.note == "带样品"
    entry = AuditLog.objects.get(verb="registration_update", object_id=str(booth.pk))
    assert entry.changes["positions"] == [[first.pk], [second.pk]]
    with pytest.raises(ValidationError) as exc:
        services.registration_update(actor=hr, registration=booth, positions=[PublishedPositionFactory()])
    assert "不是本企业已发布的岗位" in refusal(exc)
    with pytest.raises(PermissionDenied):
        services.registration_update(actor=officer, registration=booth, note="x")
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=hr.enterprise)
    with pytest.raises(PermissionDenied):
        services.registration_update(actor=mentor, registration=booth, note="x")


def test_the_school_changes_its_delegation_but_not_after_the_window(school_admin, officer):
    event = EventFactory(organizer=officer.department)
    major = SchoolMajorFactory(school=school_admin.school)
    delegation = services.registration_create(actor=school_admin, event=event)
    delegation = services.registration_update(
        actor=school_admin, registration=delegation, majors=[major], delegation_size=8
    )
    assert delegation.delegation_size == 8 and list(delegation.majors.all()) == [major]
    Event.objects.filter(pk=event.pk).update(registration_closes_at=at(-1), registration_opens_at=at(-3))
    with pytest.raises(ValidationError) as exc:
        services.registration_update(actor=school_admin, registration=delegation, delegation_size=9)
    assert "报名已截止" in refusal(exc)
    services.registration_cancel(actor=school_admin, registration=delegation)
    with pytest.raises(ValidationError) as exc:
        services.registration_update(actor=school_admin, registration=delegation, note="x")
    assert "不能修改" in refusal(exc)
