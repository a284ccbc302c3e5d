"""Every write of a booth's 1:1 time slots (DESIGN rule 2).

- ``slots_generate``: the slots of an approved booth, from the event's start to its end (or a window inside
  it) in steps of ``event.slot_minutes``; idempotent: slots already there are kept, and a new slot that would
  overlap one of them (another step, another window) is not made; slots that have already started are not
  made either.
- ``slot_delete``: an unbooked slot.
- ``slot_book``: a student for their own approved registration, a school's administrators and teachers for
  their school's approved delegation. Never double-booked: the booking is a conditional UPDATE (``booked_by IS
  NULL``), so of two bookings of one slot at the same moment exactly one changes the row; and the booker's
  registration row is locked first, so two bookings by the same booker wait for each other and the second
  sees the first when it checks for an overlapping slot.
- ``slot_cancel``: by the booker's side, the booth's enterprise or the organizer, before the slot starts.

The booth's enterprise HR are notified of each booking and cancellation; the booker of a cancellation made
by the enterprise or the organizer.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core.formats import when_text
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.notifications import notify
from xiaoqitong.orgs.choices import Role

from ..choices import EventStatus, ParticipantKind, RegistrationStatus
from ..models import Registration, Slot
from ..policies.registrations import is_organizer
from ..policies.slots import booker_kind, is_booth_staff, may_book_for, may_manage_slots

#: The most slots one generation makes (a window of weeks in 5-minute steps is a mistake, not a schedule).
#: An operating limit of the platform, not a policy number: not a ``Rule``.
MAX_GENERATED = 500


def _denied(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def time_range(slot) -> str:
    """“2027-03-31 09:00–09:20” in local time."""
    end = timezone.localtime(slot.ends_at)
    return f"{when_text(slot.starts_at)}–{end:%H:%M}"


def schedule_path(booth) -> str:
    return reverse("events:booth_slots", kwargs={"event_pk": booth.event_id, "pk": booth.pk})


def booker_label(registration) -> str:
    """Who booked: a student with their school, or a school's delegation (reads ``.student.school``)."""
    if registration.kind == ParticipantKind.STUDENT:
        return _("%(name)s（%(school)s）") % {
            "name": registration.student.name,
            "school": registration.student.school.name,
        }
    return _("%(school)s代表团") % {"school": registration.participant_name}


def _booth_hr(booth) -> list:
    return list(
        get_user_model().objects.filter(
            role=Role.ENTERPRISE_HR, enterprise_id=booth.enterprise_id, is_active=True
        )
    )


def _booker_users(registration) -> list:
    """Who hears of a booking's cancellation: the student; a delegation's school administrators and whoever
    registered it."""
    if registration.kind == ParticipantKind.STUDENT:
        return [registration.student.user] if registration.student.user_id else []
    users = list(
        get_user_model().objects.filter(
            role=Role.SCHOOL_ADMIN, school_id=registration.school_id, is_active=True
        )
    )
    if registration.registered_by_id:
        users.append(registration.registered_by)
    return users


def _load(slot: Slot) -> Slot:
    return Slot.objects.select_related(
        "event",
        "booth__enterprise",
        "booked_by__student__school",
        "booked_by__student__user",
        "booked_by__school",
        "booked_by__registered_by",
    ).get(pk=slot.pk)


def _event_refusal(event, now: dt.datetime, doing: str) -> str:
    if event.status == EventStatus.CANCELLED:
        return _("活动“%(event)s”已取消，不能%(doing)s。") % {"event": event, "doing": doing}
    if event.status != EventStatus.PUBLISHED:
        return _("活动“%(event)s”尚未发布，不能%(doing)s。") % {"event": event, "doing": doing}
    if event.ends_at <= now:
        return _("活动“%(event)s”已于 %(end)s 结束，不能再%(doing)s。") % {
            "event": event,
            "end": when_text(event.ends_at),
            "doing": doing,
        }
    return ""


# --- generating and deleting ------------------------------------------------------------------------------
@transaction.atomic
def slots_generate(
    *, actor, booth: Registration, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[Slot]:
    """Make the slots of an approved enterprise booth from ``start`` to ``end`` (default: the event's start
    and end; a window must lie inside the event) in steps of ``event.slot_minutes``; returns the slots made
    (none when all are already there). Refused: anybody but the booth's enterprise HR and the organizer; a
    registration that is not an enterprise booth or is not approved; an event not published or over; a
    window outside the event, reversed, shorter than one slot or already past."""
    # Two generations for the same booth at once wait here: the second sees the first's slots.
    booth = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "enterprise")
        .get(pk=booth.pk)
    )
    event = booth.event
    if not may_manage_slots(actor, booth):
        raise _denied(_("只有该展位企业的人事或活动主办部门的工作人员可以生成洽谈时段。"))
    if booth.kind != ParticipantKind.ENTERPRISE:
        raise ValidationError(_("只有企业展位才有一对一洽谈时段。"))
    now = timezone.now()
    refusal = _event_refusal(event, now, _("生成洽谈时段"))
    if refusal:
        raise ValidationError(refusal)
    if booth.status != RegistrationStatus.APPROVED:
        raise ValidationError(
            _("展位“%(booth)s”的状态为“%(status)s”，通过主办方审核后才能生成洽谈时段。")
            % {"booth": booth.participant_name, "status": booth.get_status_display()}
        )
    start = start or event.starts_at
    end = end or event.ends_at
    if end <= start:
        raise ValidationError({"end": _("时段窗口的结束时间须晚于开始时间。")})
    if start < event.starts_at or end > event.ends_at:
        raise ValidationError(
            _(
                "时段窗口 %(start)s 至 %(end)s 超出了活动时间 %(event_start)s 至 %(event_end)s，"
                "请在活动时间之内选择。"
            )
            % {
                "start": when_text(start),
                "end": when_text(end),
                "event_start": when_text(event.starts_at),
                "event_end": when_text(event.ends_at),
            }
        )
    step = dt.timedelta(minutes=event.slot_minutes)
    if end - start < step:
        raise ValidationError(
            _("时段窗口 %(start)s 至 %(end)s 不足一个洽谈时段（%(minutes)s 分钟）。")
            % {"start": when_text(start), "end": when_text(end), "minutes": event.slot_minutes}
        )
    if end <= now:
        raise ValidationError(
            _("时段窗口 %(start)s 至 %(end)s 已经过去。") % {"start": when_text(start), "end": when_text(end)}
        )
    if (end - start) // step > MAX_GENERATED:
        raise ValidationError(
            _("一次最多生成 %(max)s 个洽谈时段（每个 %(minutes)s 分钟），请缩小时间窗口。")
            % {"max": MAX_GENERATED, "minutes": event.slot_minutes}
        )
    existing = list(Slot.objects.filter(booth=booth).values_list("starts_at", "ends_at"))
    made: list[Slot] = []
    at = start
    while at + step <= end:
        until = at + step
        if at >= now and not any(s < until and at < e for s, e in existing):
            slot = Slot(event=event, booth=booth, starts_at=at, ends_at=until)
            # The foreign keys are the locked booth's own; uniqueness is what ``existing`` just checked.
            slot.full_clean(
                exclude=["event", "booth", "booked_by"], validate_unique=False, validate_constraints=False
            )
            made.append(slot)
        at = until
    if made:
        Slot.objects.bulk_create(made)
    audit.record(
        actor=actor,
        action=AuditAction.OTHER,
        verb="slots_generate",
        instance=booth,
        changes={
            "slots": [len(existing), len(existing) + len(made)],
            "window": [None, f"{when_text(start)}–{when_text(end)}"],
        },
    )
    return made


@transaction.atomic
def slot_delete(*, actor, slot: Slot) -> None:
    """Delete an unbooked slot (the booth's enterprise HR, the organizer). A booked slot is refused: cancel
    its booking first (the booker is told)."""
    slot = _load(slot)
    if not may_manage_slots(actor, slot.booth):
        raise _denied(_("只有该展位企业的人事或活动主办部门的工作人员可以删除洽谈时段。"))
    before = audit.snapshot(slot)
    # Conditional: a booking made a moment ago keeps its slot.
    deleted, _by_model = Slot.objects.filter(pk=slot.pk, booked_by__isnull=True).delete()
    if not deleted:
        raise ValidationError(
            _("时段 %(when)s 已被预约，不能删除；请先取消预约。") % {"when": time_range(slot)}
        )
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        verb="slot_delete",
        instance=slot,
        changes=audit.diff(before, {}),
    )


# --- booking and cancelling -------------------------------------------------------------------------------
def _booker_for(actor, event) -> Registration:
    """The actor's own registration of ``event`` that books (locked), or a refusal naming why."""
    kind = booker_kind(actor)
    if kind is None:
        if getattr(actor, "role", "") in {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}:
            raise _denied(_("企业不能预约洽谈时段：时段由学校代表团或学生预约。"))
        raise _denied(_("只有学生（为本人）和学校管理员、教师（为本校代表团）可以预约洽谈时段。"))
    if kind == ParticipantKind.STUDENT:
        found = Registration.objects.filter(
            event=event, kind=ParticipantKind.STUDENT, student__user_id=actor.pk
        ).values_list("pk", flat=True)
        missing = _("您尚未报名活动“%(event)s”，请先报名再预约洽谈时段。")
    else:
        found = Registration.objects.filter(
            event=event, kind=ParticipantKind.SCHOOL, school_id=actor.school_id
        ).values_list("pk", flat=True)
        missing = _("本校尚未报名活动“%(event)s”，请先为本校报名代表团再预约洽谈时段。")
    pk = found.first()
    if pk is None:
        raise ValidationError(missing % {"event": event})
    # Locked: two bookings by the same booker at once are decided one after the other (overlap check below).
    booker = (
        Registration.objects.select_for_update(of=("self",)).select_related("student", "school").get(pk=pk)
    )
    if booker.status != RegistrationStatus.APPROVED:
        raise ValidationError(
            _("报名状态为“%(status)s”，只有已通过的报名才能预约洽谈时段。")
            % {"status": booker.get_status_display()}
        )
    return booker


@transaction.atomic
def slot_book(*, actor, slot: Slot) -> Slot:
    """Book ``slot`` for the actor's side: a student's own approved registration of the slot's event, or a
    school's approved delegation (administrators and teachers). Refused: enterprises and other roles; a booker
    not registered, not approved or cancelled; an event not published or over; a booth no longer approved; a
    slot already started or booked (“该时段已被预约”); a booker who already holds an overlapping slot at any
    booth of the event."""
    slot = _load(slot)
    event = slot.event
    booker = _booker_for(actor, event)
    now = timezone.now()
    refusal = _event_refusal(event, now, _("预约洽谈时段"))
    if refusal:
        raise ValidationError(refusal)
    if slot.booth.status != RegistrationStatus.APPROVED:
        raise ValidationError(
            _("展位“%(booth)s”的状态为“%(status)s”，不能预约。")
            % {"booth": slot.booth.participant_name, "status": slot.booth.get_status_display()}
        )
    if slot.starts_at <= now:
        raise ValidationError(_("时段 %(when)s 已经开始，不能再预约。") % {"when": time_range(slot)})
    if slot.booked_by_id == booker.pk:
        raise ValidationError(_("您已预约了时段 %(when)s，无需重复预约。") % {"when": time_range(slot)})
    if slot.booked_by_id is not None:
        raise ValidationError(_("该时段已被预约，请选择其他时段。"))
    clash = (
        Slot.objects.filter(booked_by=booker, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)
        .select_related("booth__enterprise")
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("已预约了“%(booth)s”的时段 %(when)s，与时段 %(this)s 重叠；同一时间只能参加一场洽谈。")
            % {"booth": clash.booth.participant_name, "when": time_range(clash), "this": time_range(slot)}
        )
    before = audit.snapshot(slot)
    slot.booked_by = booker
    slot.booked_at = now
    slot.full_clean(
        exclude=["event", "booth", "booked_by"], validate_unique=False, validate_constraints=False
    )
    # Conditional: of two bookings of this slot at the same moment only one finds it free.
    won = Slot.objects.filter(pk=slot.pk, booked_by__isnull=True).update(
        booked_by=booker, booked_at=now, updated_at=now
    )
    if not won:
        raise ValidationError(_("该时段已被预约，请选择其他时段。"))
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="slot_book",
        instance=slot,
        changes=audit.diff(before, audit.snapshot(slot)),
    )
    booth = slot.booth
    notify(
        _booth_hr(booth),
        _("%(booker)s 预约了贵企业在“%(event)s”的洽谈时段 %(when)s（展位 %(booth_no)s）。")
        % {
            "booker": booker_label(booker),
            "event": event,
            "when": time_range(slot),
            "booth_no": booth.booth_no or "—",
        },
        schedule_path(booth),
    )
    return slot


@transaction.atomic
def slot_cancel(*, actor, slot: Slot, reason: str = "") -> Slot:
    """Cancel the booking of ``slot`` (the slot stays, free again), before the slot starts: by the booker's
    side, the booth's enterprise (HR and mentors) or the organizer, with an optional ``reason`` (in the audit
    record and the notifications). The booth's HR are told; so is the booker when the enterprise or the
    organizer cancelled."""
    slot = _load(slot)
    booker = slot.booked_by
    if booker is None:
        raise ValidationError(_("时段 %(when)s 没有预约，无需取消。") % {"when": time_range(slot)})
    by_booker = may_book_for(actor, booker)
    by_booth = is_booth_staff(actor, slot.booth)
    if not (by_booker or by_booth or is_organizer(actor, slot.event)):
        raise _denied(_("只有预约方、展位企业或活动主办部门可以取消该预约。"))
    now = timezone.now()
    if slot.starts_at <= now:
        raise ValidationError(_("时段 %(when)s 已经开始，不能再取消预约。") % {"when": time_range(slot)})
    reason = " ".join((reason or "").split())[:200]
    before = audit.snapshot(slot)
    undone = Slot.objects.filter(pk=slot.pk, booked_by_id=booker.pk).update(
        booked_by=None, booked_at=None, updated_at=now
    )
    if not undone:
        raise ValidationError(_("该预约已被取消或变更，请刷新页面后再试。"))
    slot.booked_by = None
    slot.booked_at = None
    changes = audit.diff(before, audit.snapshot(slot))
    if reason:
        changes["reason"] = [None, reason]
    audit.record(actor=actor, action=AuditAction.UPDATE, verb="slot_cancel", instance=slot, changes=changes)

    event, booth = slot.event, slot.booth
    if by_booker:
        by = _("预约方")
    elif by_booth:
        by = _("企业")
    else:
        by = _("活动主办方")
    why = _("原因：%(reason)s") % {"reason": reason} if reason else ""
    notify(
        [u for u in _booth_hr(booth) if u.pk != actor.pk],
        _("%(booker)s 在“%(event)s”的洽谈时段 %(when)s 已由%(by)s取消。%(why)s")
        % {"booker": booker_label(booker), "event": event, "when": time_range(slot), "by": by, "why": why},
        schedule_path(booth),
    )
    if not by_booker:
        notify(
            [u for u in _booker_users(booker) if u.pk != actor.pk],
            _("您在“%(event)s”预约的%(enterprise)s洽谈时段 %(when)s 已由%(by)s取消，可另选时段。%(why)s")
            % {
                "event": event,
                "enterprise": booth.participant_name,
                "when": time_range(slot),
                "by": by,
                "why": why,
            },
            schedule_path(booth),
        )
    return slot
