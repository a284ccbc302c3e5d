"""The slots' services: generating a booth's slots (who, which booths, which windows, idempotent), deleting a
free slot, booking (a student for themself, a school for its delegation; never twice, never overlapping) and
cancelling (the booker, the enterprise, the organizer; before the slot starts), with every refusal, the audit
records and the notifications."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoqitong.core.models import AuditLog, Notification
from xiaoqitong.core.testing import audit_count
from xiaoqitong.events.choices import EventStatus, RegistrationStatus
from xiaoqitong.events.models import Registration, Slot
from xiaoqitong.events.services import slots as services
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import user_with_role
from .factories import (
    EnterpriseRegistrationFactory,
    EventFactory,
    RegistrationFactory,
    SchoolRegistrationFactory,
    SlotFactory,
    at,
    student_with_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory()  # in ten days, 09:00–17:00, slots of 20 minutes


@pytest.fixture
def booth(event):
    return EnterpriseRegistrationFactory(event=event)


@pytest.fixture
def hr(booth):
    return user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)


@pytest.fixture
def officer(event):
    return user_with_role(Role.GOV_OFFICER, department=event.organizer)


@pytest.fixture
def student(event):
    """A student user with an approved registration of the event: ``(user, registration)``."""
    user, profile = student_with_user()
    return user, RegistrationFactory(event=event, student=profile)


def slot_at(booth, hour, minute=0, minutes=20):
    start = booth.event.starts_at.replace(hour=hour, minute=minute)
    return SlotFactory(booth=booth, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes))


def refused(call, *texts):
    with pytest.raises(ValidationError) as error:
        call()
    message = "；".join(error.value.messages)
    for text in texts:
        assert text in message, message
    return message


def denied(call, text=""):
    with pytest.raises(PermissionDenied) as error:
        call()
    assert text in str(error.value)


# --- generating ---------------------------------------------------------------------------------------
def test_hr_generates_the_whole_day_once(booth, hr):
    made = services.slots_generate(actor=hr, booth=booth)
    assert len(made) == 24  # 09:00–17:00 in 20 minutes
    slots = list(Slot.objects.filter(booth=booth).order_by("starts_at"))
    assert slots[0].starts_at == booth.event.starts_at
    assert slots[-1].ends_at == booth.event.ends_at
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=20) for s in slots)
    assert all(s.event_id == booth.event_id and s.booked_by_id is None for s in slots)
    entry = AuditLog.objects.get(verb="slots_generate")
    assert entry.actor == hr and entry.object_id == str(booth.pk)
    assert entry.changes["slots"] == [0, 24]
    # again: nothing new, nothing lost (a booked slot stays booked)
    Slot.objects.filter(pk=slots[3].pk).update(booked_by=RegistrationFactory(event=booth.event))
    assert services.slots_generate(actor=hr, booth=booth) == []
    assert Slot.objects.filter(booth=booth).count() == 24
    assert Slot.objects.filter(booth=booth, booked_by__isnull=False).count() == 1
    assert AuditLog.objects.filter(verb="slots_generate").count() == 2


def test_a_window_inside_the_event_then_the_rest_without_overlaps(booth, officer):
    event = booth.event
    made = services.slots_generate(
        actor=officer,
        booth=booth,
        start=event.starts_at.replace(hour=10),
        end=event.starts_at.replace(hour=11),
    )
    assert [timezone.localtime(s.starts_at).strftime("%H:%M") for s in made] == ["10:00", "10:20", "10:40"]
    # a window in another step: slots that would overlap the ones there are not made
    made = services.slots_generate(
        actor=officer,
        booth=booth,
        start=event.starts_at.replace(hour=10, minute=50),
        end=event.starts_at.replace(hour=11, minute=50),
    )
    assert [timezone.localtime(s.starts_at).strftime("%H:%M") for s in made] == ["11:10", "11:30"]
    made = services.slots_generate(actor=officer, booth=booth)
    starts = sorted(Slot.objects.filter(booth=booth).values_list("starts_at", "ends_at"))
    assert all(a_end <= b_start for (_a, a_end), (b_start, _b) in itertools.pairwise(starts))


def test_generating_is_refused_to_others(booth):
    for user in (
        user_with_role(Role.GOV_OFFICER),  # another department
        user_with_role(Role.ENTERPRISE_HR),  # another enterprise
        user_with_role(Role.ENTERPRISE_MENTOR, enterprise=booth.enterprise),
        user_with_role(Role.SCHOOL_ADMIN),
        student_with_user()[0],
    ):
        denied(lambda user=user: services.slots_generate(actor=user, booth=booth), "生成洽谈时段")
    assert not Slot.objects.exists()


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (RegistrationStatus.PENDING, "“待审核”，通过主办方审核后才能生成"),
        (RegistrationStatus.DECLINED, "“未通过”"),
        (RegistrationStatus.CANCELLED, "“已取消”"),
    ],
)
def test_only_approved_booths_have_slots(event, officer, status, text):
    booth = EnterpriseRegistrationFactory(event=event, status=status)
    refused(lambda: services.slots_generate(actor=officer, booth=booth), text)


def test_a_school_or_student_registration_is_no_booth(event, officer):
    delegation = SchoolRegistrationFactory(event=event)
    refused(lambda: services.slots_generate(actor=officer, booth=delegation), "只有企业展位")


def test_windows_outside_reversed_or_short_are_refused(booth, hr):
    event = booth.event
    day = event.starts_at
    refused(
        lambda: services.slots_generate(
            actor=hr, booth=booth, start=day.replace(hour=8), end=day.replace(hour=10)
        ),
        "超出了活动时间",
        "09:00",
        "17:00",
    )
    refused(
        lambda: services.slots_generate(
            actor=hr, booth=booth, start=day.replace(hour=16), end=day.replace(hour=18)
        ),
        "超出了活动时间",
    )
    refused(
        lambda: services.slots_generate(
            actor=hr, booth=booth, start=day.replace(hour=12), end=day.replace(hour=11)
        ),
        "结束时间须晚于开始时间",
    )
    refused(
        lambda: services.slots_generate(
            actor=hr, booth=booth, start=day.replace(hour=12), end=day.replace(hour=12, minute=15)
        ),
        "不足一个洽谈时段（20 分钟）",
    )
    assert not Slot.objects.exists()


def test_too_many_slots_at_once_are_refused(officer):
    event = EventFactory(starts_at=at(10, 0), ends_at=at(13, 0), slot_minutes=5, organizer=officer.department)
    booth = EnterpriseRegistrationFactory(event=event)
    refused(lambda: services.slots_generate(actor=officer, booth=booth), "一次最多生成 500 个")


def test_no_slots_for_an_event_over_or_cancelled(officer):
    over = EventFactory(
        starts_at=at(-3, 9), ends_at=at(-3, 17), registration_closes_at=at(-4), organizer=officer.department
    )
    refused(
        lambda: services.slots_generate(actor=officer, booth=EnterpriseRegistrationFactory(event=over)),
        "已于",
        "结束",
    )
    cancelled = EventFactory(status=EventStatus.CANCELLED)
    booth = EnterpriseRegistrationFactory(event=cancelled)
    officer = user_with_role(Role.GOV_OFFICER, department=cancelled.organizer)
    refused(lambda: services.slots_generate(actor=officer, booth=booth), "已取消")


def test_an_event_under_way_gets_only_slots_still_ahead():
    now = timezone.now()
    event = EventFactory(starts_at=now - dt.timedelta(hours=2), ends_at=now + dt.timedelta(hours=2))
    booth = EnterpriseRegistrationFactory(event=event)
    officer = user_with_role(Role.GOV_OFFICER, department=event.organizer)
    made = services.slots_generate(actor=officer, booth=booth)
    assert made and all(s.starts_at >= now for s in made)
    assert len(made) in (5, 6)  # the two hours left, in 20-minute steps from the start
    refused(
        lambda: services.slots_generate(
            actor=officer, booth=booth, start=event.starts_at, end=event.starts_at + dt.timedelta(hours=1)
        ),
        "已经过去",
    )


# --- deleting -----------------------------------------------------------------------------------------
def test_a_free_slot_is_deleted_a_booked_one_is_not(booth, hr, student):
    free = slot_at(booth, 9)
    services.slot_delete(actor=hr, slot=free)
    assert not Slot.objects.filter(pk=free.pk).exists()
    assert AuditLog.objects.get(verb="slot_delete").object_id == str(free.pk)
    booked = slot_at(booth, 10)
    Slot.objects.filter(pk=booked.pk).update(booked_by=student[1])
    refused(lambda: services.slot_delete(actor=hr, slot=booked), "已被预约，不能删除")
    denied(lambda: services.slot_delete(actor=student[0], slot=slot_at(booth, 11)), "删除洽谈时段")
    assert Slot.objects.filter(pk=booked.pk).exists()


# --- booking ------------------------------------------------------------------------------------------
def test_a_student_books_for_themself(booth, hr, student, django_capture_on_commit_callbacks):
    user, registration = student
    other_hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    slot = slot_at(booth, 9, 40)
    with django_capture_on_commit_callbacks(execute=True):
        booked = services.slot_book(actor=user, slot=slot)
    slot.refresh_from_db()
    assert slot.booked_by == registration and slot.booked_at is not None
    assert booked.booked_by == registration
    entry = AuditLog.objects.get(verb="slot_book")
    assert entry.actor == user and entry.changes["booked_by_id"] == [None, registration.pk]
    notes = list(Notification.objects.order_by("user_id"))
    assert {n.user for n in notes} == {hr, other_hr}
    assert registration.student.name in notes[0].text and "09:40–10:00" in notes[0].text
    assert notes[0].url == f"/events/{booth.event_id}/booths/{booth.pk}/slots/"
    assert not Notification.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", [Role.SCHOOL_ADMIN, Role.TEACHER])
def test_school_staff_book_for_their_delegation(booth, role):
    delegation = SchoolRegistrationFactory(event=booth.event)
    staff = user_with_role(role, school=delegation.school)
    slot = services.slot_book(actor=staff, slot=slot_at(booth, 9))
    assert slot.booked_by == delegation


def test_a_slot_is_never_booked_twice(booth, student):
    slot = slot_at(booth, 9)
    services.slot_book(actor=student[0], slot=slot)
    other, profile = student_with_user()
    RegistrationFactory(event=booth.event, student=profile)
    refused(lambda: services.slot_book(actor=other, slot=slot), "该时段已被预约")
    refused(lambda: services.slot_book(actor=student[0], slot=slot), "无需重复预约")
    assert Slot.objects.get(pk=slot.pk).booked_by == student[1]
    assert audit_count(Slot, slot.pk) == 1


def test_the_conditional_update_refuses_a_booking_that_lost_the_race(booth, student, monkeypatch):
    """The check before the update saw the slot free; another booking landed in between: 0 rows → refused."""
    slot = slot_at(booth, 9)
    stale = Slot.objects.select_related("event", "booth__enterprise").get(pk=slot.pk)
    winner = RegistrationFactory(event=booth.event)
    Slot.objects.filter(pk=slot.pk).update(booked_by=winner)
    monkeypatch.setattr(services, "_load", lambda _slot: stale)
    refused(lambda: services.slot_book(actor=student[0], slot=slot), "该时段已被预约")
    assert Slot.objects.get(pk=slot.pk).booked_by == winner
    assert not AuditLog.objects.filter(verb="slot_book").exists()


def test_a_booker_holds_no_overlapping_slots(event, booth, student):
    services.slot_book(actor=student[0], slot=slot_at(booth, 10))
    elsewhere = EnterpriseRegistrationFactory(event=event)
    message = refused(
        lambda: services.slot_book(actor=student[0], slot=slot_at(elsewhere, 10, 10)),
        "重叠",
        "10:00–10:20",
        booth.enterprise.name,
    )
    assert "同一时间只能参加一场洽谈" in message
    # adjacent is fine
    services.slot_book(actor=student[0], slot=slot_at(elsewhere, 10, 20))


def test_booking_refusals_of_the_booker(event, booth):
    slot = slot_at(booth, 9)
    user, profile = student_with_user()
    refused(lambda: services.slot_book(actor=user, slot=slot), "尚未报名")
    registration = RegistrationFactory(event=event, student=profile, status=RegistrationStatus.CANCELLED)
    refused(lambda: services.slot_book(actor=user, slot=slot), "“已取消”", "只有已通过的报名")
    Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.PENDING)
    refused(lambda: services.slot_book(actor=user, slot=slot), "“待审核”")
    admin = user_with_role(Role.SCHOOL_ADMIN)
    refused(lambda: services.slot_book(actor=admin, slot=slot), "本校尚未报名")
    denied(
        lambda: services.slot_book(actor=user_with_role(Role.ENTERPRISE_HR), slot=slot),
        "企业不能预约洽谈时段",
    )
    denied(
        lambda: services.slot_book(
            actor=user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise), slot=slot
        ),
        "企业不能预约",
    )
    denied(
        lambda: services.slot_book(
            actor=user_with_role(Role.GOV_OFFICER, department=event.organizer), slot=slot
        )
    )
    denied(lambda: services.slot_book(actor=user_with_role(Role.RESEARCHER), slot=slot))
    assert Slot.objects.get(pk=slot.pk).booked_by is None


def test_booking_refusals_of_the_event_booth_and_slot(student):
    user, registration = student
    event = registration.event
    booth = EnterpriseRegistrationFactory(event=event)
    slot = slot_at(booth, 9)
    Registration.objects.filter(pk=booth.pk).update(status=RegistrationStatus.CANCELLED)
    refused(lambda: services.slot_book(actor=user, slot=slot), "展位", "“已取消”，不能预约")
    Registration.objects.filter(pk=booth.pk).update(status=RegistrationStatus.APPROVED)
    type(event).objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    refused(lambda: services.slot_book(actor=user, slot=slot), "已取消，不能预约洽谈时段")
    # an event over
    over = EventFactory(starts_at=at(-3, 9), ends_at=at(-3, 17), registration_closes_at=at(-4))
    RegistrationFactory(event=over, student=registration.student)
    old = slot_at(EnterpriseRegistrationFactory(event=over), 9)
    refused(lambda: services.slot_book(actor=user, slot=old), "已于", "结束，不能再预约洽谈时段")
    # an event under way: a slot already started
    now = timezone.now()
    today = EventFactory(starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=5))
    RegistrationFactory(event=today, student=registration.student)
    today_booth = EnterpriseRegistrationFactory(event=today)
    started = SlotFactory(booth=today_booth, starts_at=now - dt.timedelta(minutes=5))
    refused(lambda: services.slot_book(actor=user, slot=started), "已经开始，不能再预约")
    ahead = SlotFactory(booth=today_booth, starts_at=now + dt.timedelta(minutes=30))
    assert services.slot_book(actor=user, slot=ahead).booked_by.student == registration.student


# --- cancelling ---------------------------------------------------------------------------------------
@pytest.fixture
def booked(booth, student):
    return services.slot_book(actor=student[0], slot=slot_at(booth, 11))


def test_the_booker_cancels(booked, student, hr, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.slot_cancel(actor=student[0], slot=booked)
    booked.refresh_from_db()
    assert booked.booked_by is None and booked.booked_at is None
    entry = AuditLog.objects.get(verb="slot_cancel")
    assert entry.changes["booked_by_id"] == [student[1].pk, None]
    notes = list(Notification.objects.all())
    assert [n.user for n in notes] == [hr] and "由预约方取消" in notes[0].text
    # the slot is free again: another student books it
    other, profile = student_with_user()
    RegistrationFactory(event=booked.event, student=profile)
    assert services.slot_book(actor=other, slot=booked).booked_by.student == profile


def test_the_enterprise_cancels_with_a_reason_and_the_booker_is_told(
    booked, student, hr, booth, django_capture_on_commit_callbacks
):
    other_hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        services.slot_cancel(actor=hr, slot=booked, reason="面试官临时有事")
    by_user = {n.user: n for n in Notification.objects.all()}
    assert set(by_user) == {student[0], other_hr}  # not the HR who cancelled
    assert "已由企业取消" in by_user[student[0]].text and "面试官临时有事" in by_user[student[0]].text
    assert AuditLog.objects.get(verb="slot_cancel").changes["reason"] == [None, "面试官临时有事"]


def test_the_organizer_cancels_and_both_sides_are_told(
    booked, student, hr, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.slot_cancel(actor=officer, slot=booked)
    assert {n.user for n in Notification.objects.all()} == {student[0], hr}
    assert all("活动主办方" in n.text for n in Notification.objects.all())


def test_a_delegation_booking_is_cancelled_by_its_school(booth, django_capture_on_commit_callbacks):
    delegation = SchoolRegistrationFactory(event=booth.event)
    teacher = user_with_role(Role.TEACHER, school=delegation.school)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=delegation.school)
    slot = services.slot_book(actor=teacher, slot=slot_at(booth, 9))
    services.slot_cancel(actor=admin, slot=slot)
    assert Slot.objects.get(pk=slot.pk).booked_by is None
    slot = services.slot_book(actor=teacher, slot=slot)
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        services.slot_cancel(actor=hr, slot=slot)
    assert admin in {n.user for n in Notification.objects.all()}  # the school hears of it


def test_cancelling_is_refused_to_others_after_the_start_and_when_not_booked(booked, booth, student):
    other, profile = student_with_user(school=student[1].student.school)
    RegistrationFactory(event=booth.event, student=profile)
    for user in (
        other,  # another student
        user_with_role(
            Role.TEACHER, school=student[1].student.school
        ),  # the student's school: not the booker
        user_with_role(Role.ENTERPRISE_HR),  # another enterprise
        user_with_role(Role.GOV_OFFICER),  # another department
    ):
        denied(
            lambda user=user: services.slot_cancel(actor=user, slot=booked),
            "只有预约方、展位企业或活动主办部门",
        )
    refused(lambda: services.slot_cancel(actor=student[0], slot=slot_at(booth, 15)), "没有预约，无需取消")
    Slot.objects.filter(pk=booked.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    refused(lambda: services.slot_cancel(actor=student[0], slot=booked), "已经开始，不能再取消")
    assert Slot.objects.get(pk=booked.pk).booked_by == student[1]


def test_nothing_is_generated_or_booked_on_a_draft_event(student):
    user, registration = student
    draft = EventFactory(status=EventStatus.DRAFT)
    booth = EnterpriseRegistrationFactory(event=draft)
    officer = user_with_role(Role.GOV_OFFICER, department=draft.organizer)
    refused(lambda: services.slots_generate(actor=officer, booth=booth), "尚未发布，不能生成洽谈时段")
    RegistrationFactory(event=draft, student=registration.student)
    refused(lambda: services.slot_book(actor=user, slot=slot_at(booth, 9)), "尚未发布，不能预约洽谈时段")


def test_the_conditional_update_refuses_a_cancel_that_lost_the_race(booked, student, hr, monkeypatch):
    """The booker cancelled a moment before the enterprise: the enterprise's cancel changes no row."""
    stale = Slot.objects.select_related("event", "booth__enterprise", "booked_by__student").get(pk=booked.pk)
    Slot.objects.filter(pk=booked.pk).update(booked_by=None, booked_at=None)
    monkeypatch.setattr(services, "_load", lambda _slot: stale)
    refused(lambda: services.slot_cancel(actor=hr, slot=booked), "已被取消或变更")
    assert not AuditLog.objects.filter(verb="slot_cancel").exists()
