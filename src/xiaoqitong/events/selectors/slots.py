"""Reads of the booths' 1:1 time slots, scoped by ``policies.slots``:

- ``event_for`` / ``booth_for``: an event and one of its booths the user may read (Http404 otherwise);
- ``booths_overview``: an event's approved booths with their slot counts (free, booked, in all) and the
  positions they bring, in a constant number of queries;
- ``schedule``: one booth's slots as the user sees them (free, booked, theirs, past; who booked only for
  those who may see it; which buttons), grouped by day, in a constant number of queries;
- ``my_slots``: the bookings of the user's side (“我的预约”);
- ``schedule_dataset``: a booth's schedule as a table to download (the booth's enterprise, the organizer).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from itertools import groupby

import tablib
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core.formats import when_text
from xiaoqitong.enterprises.models import Position

from ..choices import ParticipantKind, RegistrationStatus
from ..models import Event, Registration, Slot
from ..policies.registrations import is_organizer, visible_events_q
from ..policies.slots import (
    booker_kind,
    booker_registration,
    is_booth_hr,
    is_booth_staff,
    may_book_for,
    may_cancel_booking,
    may_export_schedule,
    may_manage_slots,
    may_see_booker,
    own_slots_q,
)
from ..services.slots import booker_label

#: What a slot's tile shows and which buttons it has (``SlotLine.state``).
FREE, MINE, BOOKED, PAST = "free", "mine", "booked", "past"

SLOT_RELATED = (
    "event__organizer",
    "booth__enterprise",
    "booked_by__student__school",
    "booked_by__school",
)


def slot_queryset(user) -> QuerySet:
    """The slots ``user`` may read, with what a line of them shows."""
    return Slot.objects.restrict(user, "view").select_related(*SLOT_RELATED)


def event_for(user, pk: int) -> Event:
    """Event ``pk`` if ``user`` may read it; Http404 otherwise."""
    event = (
        Event.objects.filter(visible_events_q(user)).select_related("organizer", "type").filter(pk=pk).first()
    )
    if event is None:
        raise Http404
    return event


def booth_for(user, event_pk: int, pk: int) -> Registration:
    """Enterprise booth ``pk`` of event ``event_pk``: an approved booth of an event the user may read; a booth
    in another status only for its enterprise and the organizer. Http404 otherwise."""
    booth = (
        Registration.objects.filter(pk=pk, event_id=event_pk, kind=ParticipantKind.ENTERPRISE)
        .filter(visible_events_q(user, "event__"))
        .select_related("event__organizer", "event__type", "enterprise")
        .first()
    )
    if booth is None:
        raise Http404
    if booth.status != RegistrationStatus.APPROVED and not (
        is_booth_staff(user, booth) or is_organizer(user, booth.event)
    ):
        raise Http404
    return booth


def booths_overview(user, event: Event, now: dt.datetime | None = None) -> list[Registration]:
    """The approved booths of ``event``, by booth number, each with ``slots_total``, ``slots_free`` (free and
    not yet started), ``slots_booked`` and its positions (``positions.all()``); plus ``may_manage`` for the
    user. Two queries."""
    now = now or timezone.now()
    booths = list(
        Registration.objects.filter(
            event=event, kind=ParticipantKind.ENTERPRISE, status=RegistrationStatus.APPROVED
        )
        .select_related("enterprise", "event")
        .annotate(
            slots_total=Count("slots"),
            slots_free=Count("slots", filter=Q(slots__booked_by__isnull=True, slots__starts_at__gt=now)),
            slots_booked=Count("slots", filter=Q(slots__booked_by__isnull=False)),
        )
        .prefetch_related(Prefetch("positions", queryset=Position.objects.order_by("title")))
        .order_by("booth_no", "pk")
    )
    for booth in booths:
        booth.may_manage = may_manage_slots(user, booth)
    return booths


@dataclasses.dataclass
class SlotLine:
    """One slot as the user sees it."""

    slot: Slot
    state: str  # FREE, MINE, BOOKED or PAST
    who: str  # the booker, for those who may see it ("" otherwise)
    can_book: bool
    can_cancel: bool
    can_delete: bool
    conflict: (
        str  # why a free slot cannot be booked by the user ("" when it can, or it is not theirs to book)
    )

    @property
    def time(self) -> str:
        start, end = timezone.localtime(self.slot.starts_at), timezone.localtime(self.slot.ends_at)
        return f"{start:%H:%M}–{end:%H:%M}"


@dataclasses.dataclass
class Booker:
    """The registration the user books for at an event, with its booked slots there."""

    registration: Registration | None
    booked: list[Slot]
    refusal: str  # why the user cannot book at this event ("" when they can)


def booker_for(user, event: Event, now: dt.datetime | None = None) -> Booker | None:
    """``None`` for a user who does not book (enterprises, officers …); otherwise their registration, their
    bookings at the event and why they cannot book, if so. Two queries at most."""
    kind = booker_kind(user)
    if kind is None:
        return None
    registration = booker_registration(user, event)
    refusal = ""
    if registration is None:
        refusal = (
            _("您尚未报名本活动，报名后即可预约洽谈时段。")
            if kind == ParticipantKind.STUDENT
            else _("本校尚未报名本活动，为本校报名代表团后即可预约洽谈时段。")
        )
    elif registration.status != RegistrationStatus.APPROVED:
        refusal = _("报名状态为“%(status)s”，只有已通过的报名才能预约洽谈时段。") % {
            "status": registration.get_status_display()
        }
    booked = []
    if registration is not None:
        booked = list(
            Slot.objects.filter(booked_by=registration)
            .select_related("booth__enterprise")
            .order_by("starts_at")
        )
    return Booker(registration, booked, refusal)


def slot_line(user, slot: Slot, booker: Booker | None, now: dt.datetime) -> SlotLine:
    """What ``user`` sees of ``slot`` (no query: the slot's relations are selected, the booker's slots
    loaded)."""
    started = slot.starts_at <= now
    mine = (
        slot.booked_by_id is not None
        and booker is not None
        and booker.registration is not None
        and (slot.booked_by_id == booker.registration.pk)
    )
    if mine:
        state = MINE
    elif started:
        state = PAST
    elif slot.booked_by_id is not None:
        state = BOOKED
    else:
        state = FREE
    who = booker_label(slot.booked_by) if may_see_booker(user, slot) else ""
    conflict = ""
    can_book = False
    if state == FREE and booker is not None:
        clash = next(
            (b for b in booker.booked if b.starts_at < slot.ends_at and slot.starts_at < b.ends_at), None
        )
        if booker.refusal:
            conflict = booker.refusal
        elif slot.booth.status != RegistrationStatus.APPROVED or slot.event.ends_at <= now:
            conflict = _("不可预约")
        elif clash is not None:
            start, end = timezone.localtime(clash.starts_at), timezone.localtime(clash.ends_at)
            conflict = _("与已约时段 %(when)s（%(booth)s）重叠") % {
                "booth": clash.booth.participant_name,
                "when": f"{start:%H:%M}–{end:%H:%M}",
            }
        else:
            can_book = True
    return SlotLine(
        slot=slot,
        state=state,
        who=who,
        can_book=can_book,
        can_cancel=slot.booked_by_id is not None and not started and may_cancel_booking(user, slot),
        # ``slot.event``, not ``slot.booth.event`` (not selected): the same event.
        can_delete=slot.booked_by_id is None
        and (is_booth_hr(user, slot.booth) or is_organizer(user, slot.event)),
        conflict=conflict,
    )


def booth_slots(booth: Registration) -> QuerySet:
    return Slot.objects.filter(booth=booth).select_related(*SLOT_RELATED).order_by("starts_at")


def schedule(user, booth: Registration, now: dt.datetime | None = None) -> dict:
    """A booth's slots for ``user``: ``days`` (``[(date, [SlotLine, …]), …]``), the counts, the user's booker
    (or ``None``) and what they may do. A constant number of queries (three)."""
    now = now or timezone.now()
    booker = booker_for(user, booth.event, now)
    lines = [slot_line(user, slot, booker, now) for slot in booth_slots(booth)]
    days = [
        (day, list(items))
        for day, items in groupby(lines, key=lambda line: timezone.localtime(line.slot.starts_at).date())
    ]
    return {
        "days": days,
        "total": len(lines),
        "free": sum(1 for line in lines if line.state == FREE),
        "booked": sum(1 for line in lines if line.slot.booked_by_id is not None),
        "booker": booker,
        "may_manage": may_manage_slots(user, booth),
        "may_export": may_export_schedule(user, booth),
    }


def my_slots(user) -> list[Slot]:
    """The bookings of the user's side (a student's own; a school's delegations and its students'; at an
    enterprise's booths), of events the user may read, soonest first, each with ``line`` (a ``SlotLine``).
    Three queries at most."""
    now = timezone.now()
    slots = list(
        slot_queryset(user)
        .filter(own_slots_q(user))
        .select_related("booked_by__student__user")
        .order_by("starts_at", "pk")[:500]
    )
    for slot in slots:
        slot.line = slot_line(user, slot, None, now)
        slot.is_own = slot.booked_by is not None and may_book_for(user, slot.booked_by)
    return slots


def schedule_dataset(booth: Registration) -> tablib.Dataset:
    """A booth's schedule to download: every slot, free or booked, with the booker (a student's school and
    major; a delegation's size). For the booth's enterprise and the organizer only (the caller checks)."""
    out = tablib.Dataset(
        headers=[
            "活动",
            "展位号",
            "企业",
            "日期",
            "开始",
            "结束",
            "状态",
            "预约方类型",
            "预约方",
            "学校",
            "专业",
            "人数",
            "预约时间",
        ]
    )
    slots = booth_slots(booth).select_related("booked_by__student__school_major__major")
    for slot in slots:
        start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
        reg = slot.booked_by
        row = [
            booth.event.title,
            booth.booth_no,
            booth.participant_name,
            f"{start:%Y-%m-%d}",
            f"{start:%H:%M}",
            f"{end:%H:%M}",
        ]
        if reg is None:
            row += [_("空闲"), "", "", "", "", "", ""]
        elif reg.kind == ParticipantKind.STUDENT:
            student = reg.student
            row += [
                _("已预约"),
                reg.get_kind_display(),
                student.name,
                student.school.name,
                student.school_major.major.name,
                1,
                when_text(slot.booked_at),
            ]
        else:
            row += [
                _("已预约"),
                reg.get_kind_display(),
                reg.participant_name,
                reg.participant_name,
                "",
                reg.delegation_size,
                when_text(slot.booked_at),
            ]
        out.append(row)
    return out
