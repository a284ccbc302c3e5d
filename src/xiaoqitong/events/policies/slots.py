"""Who may do what with a booth's 1:1 time slots (DESIGN rule 3).

- **Reading slots**: the slots of an event are read by whoever may read the event
  (``registrations.visible_events_q``: a published or cancelled event by every signed-in user, a draft by its
  organizer): a student or a school needs to see which times are free. Who booked a slot is another matter:
  only the organizer, the booth's enterprise (HR and mentors) and the booker's own side (the student, their
  school; the school for its delegation) see it (``may_see_booker``); everyone else reads “已预约”.
- **Generating and deleting slots**: the booth's enterprise HR and the organizer (officers of the organizing
  department; platform administrators): ``may_manage_slots``.
- **Booking**: a student for their own registration of the event, a school's administrators and teachers for
  their school's delegation (``booker_kind``, ``may_book_for``). Enterprises, officers and researchers do not
  book.
- **Cancelling a booking**: the booker's side as above, the booth's enterprise (HR and mentors) and the
  organizer (``may_cancel_booking``).
- **Exporting a booth's schedule** (with the bookers' names): the booth's enterprise and the organizer.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ANY_ROLE, Policy, register
from xiaoqitong.orgs.choices import Role

from ..choices import ParticipantKind
from ..models import Slot
from .registrations import (
    is_organizer,
    is_own_registration,
    organized_events_q,
    own_registration,
    visible_events_q,
)

GROUP = "产教活动"
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
ENTERPRISE_STAFF = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}
NOTHING = Q(pk__in=[])


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _role(user) -> str:
    return getattr(user, "role", "") or ""


# --- predicates -------------------------------------------------------------------------------------------
def is_booth_staff(user, booth) -> bool:
    """HR and mentors of the booth's enterprise (no query)."""
    return (
        _active(user)
        and _role(user) in ENTERPRISE_STAFF
        and bool(user.enterprise_id)
        and booth.kind == ParticipantKind.ENTERPRISE
        and booth.enterprise_id == user.enterprise_id
    )


def is_booth_hr(user, booth) -> bool:
    return is_booth_staff(user, booth) and _role(user) == Role.ENTERPRISE_HR


def may_manage_slots(user, booth) -> bool:
    """Generate and delete a booth's slots: its enterprise's HR and the event's organizer (reads
    ``booth.event``)."""
    return is_booth_hr(user, booth) or is_organizer(user, booth.event)


def may_export_schedule(user, booth) -> bool:
    """Download a booth's schedule with the bookers' names: its enterprise (HR, mentors) and the organizer."""
    return is_booth_staff(user, booth) or is_organizer(user, booth.event)


def booker_kind(user) -> str | None:
    """What a user books slots for: ``"student"`` (their own registration), ``"school"`` (their school's
    delegation: administrators and teachers), ``None`` for every other role."""
    if not _active(user):
        return None
    role = _role(user)
    if role == Role.STUDENT:
        return ParticipantKind.STUDENT
    if role in SCHOOL_STAFF and user.school_id:
        return ParticipantKind.SCHOOL
    return None


def booker_registration(user, event):
    """The registration of ``event`` the user books for (a student's own, a school's delegation), in any
    status, or ``None`` (also for roles that do not book). One query at most."""
    if booker_kind(user) is None:
        return None
    return own_registration(user, event)


def may_book_for(user, registration) -> bool:
    """Whether ``user`` books (and cancels bookings) for ``registration``: the student themself for a student
    registration (reads ``registration.student``), a school's administrators and teachers for its
    delegation."""
    kind = booker_kind(user)
    if registration is None or kind is None or registration.kind != kind:
        return False
    if kind == ParticipantKind.STUDENT:
        return registration.student.user_id == user.pk
    return registration.school_id == user.school_id


def may_see_booker(user, slot) -> bool:
    """Whether ``user`` reads who booked ``slot``: the organizer, the booth's enterprise, the booker's own
    side (reads ``slot.event``, ``slot.booth`` and ``slot.booked_by.student``: select them related on
    lists)."""
    if slot.booked_by_id is None:
        return False
    return (
        is_organizer(user, slot.event)
        or is_booth_staff(user, slot.booth)
        or is_own_registration(user, slot.booked_by)
    )


def may_cancel_booking(user, slot) -> bool:
    """Cancel the booking of ``slot``: the booker's side, the booth's enterprise, the organizer."""
    if slot.booked_by_id is None:
        return False
    return (
        may_book_for(user, slot.booked_by)
        or is_booth_staff(user, slot.booth)
        or is_organizer(user, slot.event)
    )


def own_slots_q(user) -> Q:
    """The booked slots that are the user's side's business (“我的预约”): the bookings of a student's own
    registrations; of a school's delegations and its students' registrations; at an enterprise's booths."""
    if not _active(user):
        return NOTHING
    role = _role(user)
    if role in ENTERPRISE_STAFF and user.enterprise_id:
        return Q(booth__kind=ParticipantKind.ENTERPRISE, booth__enterprise_id=user.enterprise_id) & Q(
            booked_by__isnull=False
        )
    if role in SCHOOL_STAFF and user.school_id:
        return Q(booked_by__kind=ParticipantKind.SCHOOL, booked_by__school_id=user.school_id) | Q(
            booked_by__kind=ParticipantKind.STUDENT, booked_by__student__school_id=user.school_id
        )
    if role == Role.STUDENT:
        return Q(booked_by__kind=ParticipantKind.STUDENT, booked_by__student__user_id=user.pk)
    return NOTHING


def may_view_my_slots(user) -> bool:
    """The 我的预约 page: students, school staff and enterprise staff."""
    return _active(user) and _role(user) in ENTERPRISE_STAFF | SCHOOL_STAFF | {Role.STUDENT}


# --- the policy -------------------------------------------------------------------------------------------
def _visible(qs, user):
    return qs.filter(visible_events_q(user, "event__"))


def _own_booths_q(user) -> Q:
    if not user.enterprise_id:
        return NOTHING
    return Q(booth__kind=ParticipantKind.ENTERPRISE, booth__enterprise_id=user.enterprise_id)


def _organized(qs, user):
    return qs.filter(organized_events_q(user, "event__"))


def _own_booths(qs, user):
    return qs.filter(_own_booths_q(user))


@register(Slot)
class SlotPolicy(Policy):
    """Generic reads and the list's export; booking and cancelling are services with their own checks
    (above), not a generic “change”."""

    rules = {
        "view": {ANY_ROLE: _visible},
        "export": {
            Role.GOV_OFFICER: _organized,
            Role.ENTERPRISE_HR: _own_booths,
            Role.ENTERPRISE_MENTOR: _own_booths,
        },
        "add": {Role.GOV_OFFICER: _organized, Role.ENTERPRISE_HR: _own_booths},
        "delete": {Role.GOV_OFFICER: _organized, Role.ENTERPRISE_HR: _own_booths},
    }


add_menu(
    MenuItem(GROUP, _("我的洽谈预约"), "events:slots_mine", None, "calendar2-week", 163, may_view_my_slots)
)
