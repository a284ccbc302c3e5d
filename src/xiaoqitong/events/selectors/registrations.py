"""Reads of event types, events and registrations, scoped by ``policies.registrations``: the events a user
sees with their counts (students, booths, delegations against capacity and booths) and their phase
(报名中 / 即将举行 / 已结束 …), an event's registrations by kind for its organizer, a user's own
registrations (我的活动), what a registrant may pick (its enterprise's published positions, its school's
majors), and the people a registration's news goes to.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.enterprises.choices import PositionStatus
from xiaoqitong.enterprises.models import Position
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import SchoolMajor

from ..choices import ACTIVE_REGISTRATION, EventStatus, ParticipantKind, RegistrationStatus
from ..models import Event, Registration
from ..policies.registrations import own_registrations_q, registrations_q, visible_events_q

ACTIVE = sorted(ACTIVE_REGISTRATION)
REGISTRATION_RELATED = ("event__type", "event__organizer", "enterprise", "school", "student__school")

# --- phases ------------------------------------------------------------------------------------------------
PHASE_DRAFT = "draft"
PHASE_CANCELLED = "cancelled"
PHASE_NOT_OPEN = "not_open"
PHASE_OPEN = "open"
PHASE_UPCOMING = "upcoming"
PHASE_ONGOING = "ongoing"
PHASE_ENDED = "ended"
PHASES = {
    PHASE_DRAFT: (_("草稿"), "secondary"),
    PHASE_CANCELLED: (_("已取消"), "danger"),
    PHASE_NOT_OPEN: (_("即将开放报名"), "info"),
    PHASE_OPEN: (_("报名中"), "success"),
    PHASE_UPCOMING: (_("即将举行"), "primary"),
    PHASE_ONGOING: (_("进行中"), "warning"),
    PHASE_ENDED: (_("已结束"), "secondary"),
}
#: The phases a list filters on (``phase=``), with their labels.
PHASE_CHOICES = [(key, label) for key, (label, _css) in PHASES.items()]


def phase(event: Event, now: dt.datetime | None = None) -> str:
    """Where ``event`` stands now: draft, cancelled, not_open (registration not yet open), open (inside the
    registration window), upcoming (registration closed, not started), ongoing, ended."""
    now = now or timezone.now()
    if event.status == EventStatus.DRAFT:
        return PHASE_DRAFT
    if event.status == EventStatus.CANCELLED:
        return PHASE_CANCELLED
    if now >= event.ends_at:
        return PHASE_ENDED
    if now >= event.starts_at:
        return PHASE_ONGOING
    if now < event.registration_opens_at:
        return PHASE_NOT_OPEN
    if now <= event.registration_closes_at:
        return PHASE_OPEN
    return PHASE_UPCOMING


def phase_label(event: Event, now: dt.datetime | None = None) -> tuple[str, str]:
    """``(label, bootstrap colour)`` of the event's phase."""
    label, css = PHASES[phase(event, now)]
    return str(label), css


def phase_q(key: str, now: dt.datetime | None = None) -> Q:
    """The events in phase ``key`` now (the list's ``phase`` filter)."""
    now = now or timezone.now()
    published = Q(status=EventStatus.PUBLISHED)
    return {
        PHASE_DRAFT: Q(status=EventStatus.DRAFT),
        PHASE_CANCELLED: Q(status=EventStatus.CANCELLED),
        PHASE_NOT_OPEN: published & Q(registration_opens_at__gt=now, starts_at__gt=now),
        PHASE_OPEN: published
        & Q(registration_opens_at__lte=now, registration_closes_at__gte=now, starts_at__gt=now),
        PHASE_UPCOMING: published & Q(registration_closes_at__lt=now, starts_at__gt=now),
        PHASE_ONGOING: published & Q(starts_at__lte=now, ends_at__gt=now),
        PHASE_ENDED: published & Q(ends_at__lte=now),
    }.get(key, Q())


# --- events ------------------------------------------------------------------------------------------------
def with_counts(qs: QuerySet) -> QuerySet:
    """Events annotated with the places taken (pending and approved registrations): ``students_count``,
    ``booths_count`` (approved + pending booths), ``booths_approved``, ``booths_pending``,
    ``schools_count`` and ``delegates_count`` (people of the delegations). One query with the list."""
    active = Q(registrations__status__in=ACTIVE)
    kind = "registrations__kind"
    return qs.annotate(
        students_count=Count("registrations", filter=active & Q(**{kind: ParticipantKind.STUDENT})),
        booths_count=Count("registrations", filter=active & Q(**{kind: ParticipantKind.ENTERPRISE})),
        booths_approved=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.APPROVED, **{kind: ParticipantKind.ENTERPRISE}),
        ),
        booths_pending=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.PENDING, **{kind: ParticipantKind.ENTERPRISE}),
        ),
        schools_count=Count("registrations", filter=active & Q(**{kind: ParticipantKind.SCHOOL})),
        delegates_count=Sum(
            "registrations__delegation_size", filter=active & Q(**{kind: ParticipantKind.SCHOOL})
        ),
    )


def visible_events(user) -> QuerySet:
    """The events ``user`` may read (``policies.registrations.visible_events_q``), with type and organizer."""
    return Event.objects.filter(visible_events_q(user)).select_related("type", "organizer")


def event_for(user, pk: int, *, counts: bool = False) -> Event:
    """Event ``pk`` if ``user`` may read it (with the counts of ``with_counts`` when asked); Http404
    otherwise (a draft of another department reads as an event that does not exist)."""
    qs = visible_events(user)
    if counts:
        qs = with_counts(qs)
    event = qs.filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def place_counts(event: Event) -> dict[str, int]:
    """The places an event's active registrations take, read now (inside the lock of a service):
    ``students``, ``booths`` (approved + pending), ``schools``."""
    rows = dict(
        Registration.objects.filter(event_id=event.pk, status__in=ACTIVE)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "students": rows.get(ParticipantKind.STUDENT, 0),
        "booths": rows.get(ParticipantKind.ENTERPRISE, 0),
        "schools": rows.get(ParticipantKind.SCHOOL, 0),
    }


def years() -> list[int]:
    """The years that have events, newest first (the list's year filter)."""
    return sorted({d.year for d in Event.objects.dates("starts_at", "year")}, reverse=True)


# --- registrations -----------------------------------------------------------------------------------------
def visible_registrations(user) -> QuerySet:
    """The registrations ``user`` may read, with what a list shows."""
    return (
        Registration.objects.filter(registrations_q(user))
        .select_related(*REGISTRATION_RELATED)
        .prefetch_related("positions", "majors__major")
    )


def registration_for(user, pk: int) -> Registration:
    """Registration ``pk`` if ``user`` may read it; Http404 otherwise."""
    registration = visible_registrations(user).filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


def event_registrations(event: Event) -> dict[str, list[Registration]]:
    """Every registration of ``event`` by kind (for its organizer): enterprise booths (pending first), school
    delegations, students. Three queries, whatever the number of rows."""
    rows = (
        Registration.objects.filter(event_id=event.pk)
        .select_related("enterprise", "school", "student__school", "registered_by")
        .prefetch_related("positions", "majors__major")
        .order_by("kind", "status", "pk")
    )
    out: dict[str, list[Registration]] = {k: [] for k in ParticipantKind.values}
    order = {
        RegistrationStatus.PENDING: 0,
        RegistrationStatus.APPROVED: 1,
        RegistrationStatus.DECLINED: 2,
        RegistrationStatus.CANCELLED: 3,
    }
    for row in sorted(rows, key=lambda r: (order.get(r.status, 9), r.booth_no or "~", r.pk)):
        out[row.kind].append(row)
    return out


def my_registrations(user) -> QuerySet:
    """The registrations of the user's own side (我的活动): a student's own, an enterprise's booths, a
    school's delegations and its students' registrations; newest events first."""
    return (
        Registration.objects.filter(own_registrations_q(user))
        .select_related(*REGISTRATION_RELATED)
        .prefetch_related("positions", "majors__major")
        .order_by("-event__starts_at", "kind", "pk")
    )


def my_calendar_registrations(user) -> list[Registration]:
    """The user's side's registrations that hold a place (pending or approved) on published events, for the
    calendar feed (``mine.ics``): for school staff only their school's delegations, not every student's."""
    qs = my_registrations(user).filter(status__in=ACTIVE, event__status=EventStatus.PUBLISHED)
    if getattr(user, "role", "") in {Role.SCHOOL_ADMIN, Role.TEACHER}:
        qs = qs.filter(kind=ParticipantKind.SCHOOL)
    return list(qs)


# --- what a registrant picks -------------------------------------------------------------------------------
def own_positions(enterprise_id: int | None) -> QuerySet:
    """The enterprise's published positions (what its booth may bring)."""
    if not enterprise_id:
        return Position.objects.none()
    return (
        Position.objects.filter(enterprise_id=enterprise_id, status=PositionStatus.PUBLISHED)
        .select_related("enterprise")
        .order_by("title", "pk")
    )


def own_majors(school_id: int | None) -> QuerySet:
    """The school's majors of its latest year (what its delegation may present); every year's if asked by
    the service (``all_own_majors``)."""
    if not school_id:
        return SchoolMajor.objects.none()
    latest = SchoolMajor.objects.filter(school_id=school_id).order_by("-year").values("year")[:1]
    return (
        SchoolMajor.objects.filter(school_id=school_id, year__in=latest)
        .select_related("school", "major")
        .order_by("major__code", "pk")
    )


def all_own_majors(school_id: int | None) -> QuerySet:
    """Every SchoolMajor row of the school (any year)."""
    if not school_id:
        return SchoolMajor.objects.none()
    return SchoolMajor.objects.filter(school_id=school_id)


# --- who hears of a registration ---------------------------------------------------------------------------
def registrant_users(registrations) -> dict[int, list]:
    """For each registration, the active users who speak for it: the enterprise's HR users for a booth, the
    school's administrators for a delegation, the student's own account for a student. One query."""
    registrations = list(registrations)
    User = get_user_model()
    enterprises = {r.enterprise_id for r in registrations if r.kind == ParticipantKind.ENTERPRISE}
    schools = {r.school_id for r in registrations if r.kind == ParticipantKind.SCHOOL}
    students = {r.student_id for r in registrations if r.kind == ParticipantKind.STUDENT}
    q = Q(pk__in=[])
    if enterprises:
        q |= Q(role=Role.ENTERPRISE_HR, enterprise_id__in=enterprises)
    if schools:
        q |= Q(role=Role.SCHOOL_ADMIN, school_id__in=schools)
    if students:
        q |= Q(student_profile__in=students)
    users = (
        list(User.objects.filter(q, is_active=True).select_related("student_profile"))
        if (enterprises or schools or students)
        else []
    )
    out: dict[int, list] = {}
    for r in registrations:
        if r.kind == ParticipantKind.ENTERPRISE:
            found = [u for u in users if u.role == Role.ENTERPRISE_HR and u.enterprise_id == r.enterprise_id]
        elif r.kind == ParticipantKind.SCHOOL:
            found = [u for u in users if u.role == Role.SCHOOL_ADMIN and u.school_id == r.school_id]
        else:
            found = [u for u in users if _student_pk(u) == r.student_id]
        out[r.pk] = found
    return out


def _student_pk(user) -> int | None:
    try:
        return user.student_profile.pk
    except Exception:  # no student record: RelatedObjectDoesNotExist
        return None


def organizer_users(event: Event) -> list:
    """The active officers of the event's organizing department."""
    User = get_user_model()
    return list(User.objects.filter(role=Role.GOV_OFFICER, department_id=event.organizer_id, is_active=True))
