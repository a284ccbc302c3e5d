"""Who sees and does what with event types, events and registrations (DESIGN rule 3). Other areas of events
(slots, check-in, outcomes) read the helpers below for "who sees this event / registration".

- **EventType**: every signed-in user reads the types; platform administrators alone add, change and delete
  them (the three seeded policy types cannot be deleted: ``services.registrations.eventtype_delete``).
- **Event**: a published or cancelled event is read by every signed-in user; a draft only by the officers of
  its organizing department (and platform administrators). Government officers add events for their own
  department (the organizer is forced to ``user.department``: ``locked``) and change, publish and cancel the
  events of their department; platform administrators any event, choosing the organizer.
- **Registration**: the organizer (officers of the organizing department; platform administrators) reads
  every registration of its events, exports them and decides the enterprise booths; a registrant's side reads
  its own: an enterprise's HR and mentors its booths, a school's administrators and teachers its delegations
  and its students' registrations, a student their own. Enterprise HR registers its enterprise, a school
  administrator its school (and imports its students' registrations), a student themself.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ALL, ANY_ROLE, Policy, register
from xiaoqitong.orgs.choices import Role

from ..choices import ACTIVE_REGISTRATION, EventStatus, ParticipantKind
from ..models import Event, EventType, Registration

GROUP = "产教活动"
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
ENTERPRISE_STAFF = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}
#: Which kind of registration each role makes (who registers for their side).
REGISTRANT_KIND = {
    Role.ENTERPRISE_HR: ParticipantKind.ENTERPRISE,
    Role.SCHOOL_ADMIN: ParticipantKind.SCHOOL,
    Role.STUDENT: ParticipantKind.STUDENT,
}
NOTHING = Q(pk__in=[])


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _role(user) -> str:
    return getattr(user, "role", "") or ""


# --- helpers other areas import ---------------------------------------------------------------------------
def is_organizer(user, event) -> bool:
    """``True`` for the officers (role GOV_OFFICER) of the department organizing ``event``
    (``user.department_id == event.organizer_id``) and for platform administrators; ``False`` for anybody
    else. No query."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return (
        _role(user) == Role.GOV_OFFICER
        and bool(user.department_id)
        and user.department_id == event.organizer_id
    )


def may_view_event(user, event) -> bool:
    """``True`` if ``user`` may read ``event``: a published or cancelled event for every signed-in active
    user; a draft for its organizer only (``is_organizer``). ``False`` for anonymous users. No query."""
    if not _active(user):
        return False
    return event.status != EventStatus.DRAFT or is_organizer(user, event)


def may_manage_event(user, event) -> bool:
    """``True`` if ``user`` may edit, publish and cancel ``event`` and decide its registrations: its organizer
    (same as ``is_organizer``). No query."""
    return is_organizer(user, event)


def visible_events_q(user, prefix: str = "") -> Q:
    """The events (``prefix`` leads from another model to its event, e.g. ``"event__"``) ``user`` may read:
    published and cancelled ones, plus the drafts of the user's department for an officer; every event for
    platform administrators; nothing for anonymous users."""
    if not _active(user):
        return NOTHING
    if user.is_superuser:
        return Q()
    q = ~Q(**{f"{prefix}status": EventStatus.DRAFT})
    if _role(user) == Role.GOV_OFFICER and user.department_id:
        q |= Q(**{f"{prefix}organizer_id": user.department_id})
    return q


def organized_events_q(user, prefix: str = "") -> Q:
    """The events (``prefix`` as above) ``user`` organizes: every event for platform administrators, the
    events of the officer's department for an officer, nothing for the others."""
    if not _active(user):
        return NOTHING
    if user.is_superuser:
        return Q()
    if _role(user) == Role.GOV_OFFICER and user.department_id:
        return Q(**{f"{prefix}organizer_id": user.department_id})
    return NOTHING


def registrant_kind(user) -> str | None:
    """The ``ParticipantKind`` ``user`` registers as: ``"enterprise"`` for enterprise HR, ``"school"`` for a
    school administrator, ``"student"`` for a student who has a student record; ``None`` for every other role
    (mentors, teachers, officers, researchers and platform administrators do not register)."""
    if not _active(user):
        return None
    role = _role(user)
    if role == Role.ENTERPRISE_HR and user.enterprise_id:
        return ParticipantKind.ENTERPRISE
    if role == Role.SCHOOL_ADMIN and user.school_id:
        return ParticipantKind.SCHOOL
    if role == Role.STUDENT:
        return ParticipantKind.STUDENT
    return None


def own_registrations_q(user, prefix: str = "") -> Q:
    """The registrations (``prefix`` leads from another model to one, e.g. ``"registration__"``) of the
    user's own side, in any status: an enterprise's HR and mentors its enterprise's booths; a school's
    administrators and teachers its delegations and its students' registrations; a student their own.
    Nothing for other roles (platform administrators included: use ``registrations_q`` for what they see)."""
    if not _active(user):
        return NOTHING
    role = _role(user)
    if role in ENTERPRISE_STAFF and user.enterprise_id:
        return Q(
            **{f"{prefix}kind": ParticipantKind.ENTERPRISE, f"{prefix}enterprise_id": user.enterprise_id}
        )
    if role in SCHOOL_STAFF and user.school_id:
        return Q(**{f"{prefix}kind": ParticipantKind.SCHOOL, f"{prefix}school_id": user.school_id}) | Q(
            **{f"{prefix}kind": ParticipantKind.STUDENT, f"{prefix}student__school_id": user.school_id}
        )
    if role == Role.STUDENT:
        return Q(**{f"{prefix}kind": ParticipantKind.STUDENT, f"{prefix}student__user_id": user.pk})
    return NOTHING


def registrations_q(user, prefix: str = "") -> Q:
    """Every registration (``prefix`` as above) ``user`` may read: its own side's (``own_registrations_q``)
    and all registrations of the events it organizes (``organized_events_q``); all for platform
    administrators."""
    if not _active(user):
        return NOTHING
    if user.is_superuser:
        return Q()
    return own_registrations_q(user, prefix) | organized_events_q(user, f"{prefix}event__")


def own_registration(user, event):
    """The ``Registration`` of ``event`` that is the user's own side's, in any status (check ``.status``,
    or use ``active_registration``), or ``None``: for a student, their own student registration; for
    enterprise staff (HR and mentors), their enterprise's booth; for school staff (administrators and
    teachers), their school's delegation (not its students'). ``None`` for every other role. One query
    (none for other roles)."""
    q = _own_party_q(user)
    if q is None:
        return None
    return (
        Registration.objects.filter(q, event_id=event.pk)
        .select_related("event", "enterprise", "school", "student")
        .first()
    )


def active_registration(user, event):
    """Like ``own_registration`` but only a registration that holds its place (pending or approved);
    ``None`` if the user's side has none, or only a cancelled or declined one."""
    registration = own_registration(user, event)
    if registration is not None and registration.status in ACTIVE_REGISTRATION:
        return registration
    return None


def is_own_registration(user, registration) -> bool:
    """``True`` if ``registration`` is of the user's own side as ``own_registrations_q`` reads it (for a
    student registration, reads ``registration.student``: select it related on lists)."""
    if not _active(user):
        return False
    role = _role(user)
    kind = registration.kind
    if role in ENTERPRISE_STAFF:
        return (
            kind == ParticipantKind.ENTERPRISE
            and bool(user.enterprise_id)
            and registration.enterprise_id == user.enterprise_id
        )
    if role in SCHOOL_STAFF and user.school_id:
        if kind == ParticipantKind.SCHOOL:
            return registration.school_id == user.school_id
        return kind == ParticipantKind.STUDENT and registration.student.school_id == user.school_id
    if role == Role.STUDENT:
        return kind == ParticipantKind.STUDENT and registration.student.user_id == user.pk
    return False


def may_view_registration(user, registration) -> bool:
    """``True`` if ``user`` may read ``registration``: the organizer of its event or its own side
    (``is_own_registration``). Reads ``registration.event`` (and ``.student`` for students)."""
    return is_organizer(user, registration.event) or is_own_registration(user, registration)


def may_cancel_registration(user, registration) -> bool:
    """``True`` if ``user`` may cancel ``registration``: the organizer, or the registrant's side that
    registers for it (enterprise HR for its booth, the school administrator for its delegation and its
    students', the student for their own)."""
    if is_organizer(user, registration.event):
        return True
    role = _role(user)
    if role == Role.ENTERPRISE_HR or role == Role.SCHOOL_ADMIN or role == Role.STUDENT:
        return is_own_registration(user, registration)
    return False


def _own_party_q(user) -> Q | None:
    """The one registration per event of the user's side (see ``own_registration``); ``None`` if none."""
    if not _active(user):
        return None
    role = _role(user)
    if role in ENTERPRISE_STAFF and user.enterprise_id:
        return Q(kind=ParticipantKind.ENTERPRISE, enterprise_id=user.enterprise_id)
    if role in SCHOOL_STAFF and user.school_id:
        return Q(kind=ParticipantKind.SCHOOL, school_id=user.school_id)
    if role == Role.STUDENT:
        return Q(kind=ParticipantKind.STUDENT, student__user_id=user.pk)
    return None


# --- policies ----------------------------------------------------------------------------------------------
def _visible_events(qs, user):
    return qs.filter(visible_events_q(user))


def _organized_events(qs, user):
    return qs.filter(organized_events_q(user))


def _visible_registrations(qs, user):
    return qs.filter(registrations_q(user))


def _organized_registrations(qs, user):
    return qs.filter(organized_events_q(user, "event__"))


def _own_registrations(qs, user):
    return qs.filter(own_registrations_q(user))


@register(EventType)
class EventTypePolicy(Policy):
    rules = {"view": {ANY_ROLE: ALL}, "export": {ANY_ROLE: ALL}}


@register(Event)
class EventPolicy(Policy):
    rules = {
        "view": {ANY_ROLE: _visible_events},
        "export": {Role.GOV_OFFICER: _organized_events},
        "add": {Role.GOV_OFFICER: _organized_events},
        "change": {Role.GOV_OFFICER: _organized_events},
        "delete": {Role.GOV_OFFICER: _organized_events},
    }
    # Officers keep the organizer their department; the status moves by publish and cancel only.
    locked = {Role.GOV_OFFICER: {"organizer", "status", "created_by"}}


@register(Registration)
class RegistrationPolicy(Policy):
    rules = {
        "view": {ANY_ROLE: _visible_registrations},
        "export": {Role.GOV_OFFICER: _organized_registrations},
        "add": {
            Role.ENTERPRISE_HR: _own_registrations,
            Role.SCHOOL_ADMIN: _own_registrations,
            Role.STUDENT: _own_registrations,
        },
        "change": {Role.GOV_OFFICER: _organized_registrations},
        "import": {Role.SCHOOL_ADMIN: _own_registrations},
    }


def may_view_my_events(user) -> bool:
    """The 我的活动 page: every role that registers or whose side registers (enterprise, school, student)."""
    return _active(user) and _role(user) in ENTERPRISE_STAFF | SCHOOL_STAFF | {Role.STUDENT}


add_menu(MenuItem(GROUP, _("活动日程"), "events:event_list", Event, "calendar-event", 160))
add_menu(MenuItem(GROUP, _("我的活动"), "events:my_events", None, "calendar-check", 161, may_view_my_events))
add_menu(MenuItem(GROUP, _("活动类型"), "events:eventtype_list", EventType, "tags", 169))
