"""Reads of check-in: a registration's pass and its QR code, the registration a scanned code names, the live
check-in counts of an event, and the on-site booth lists (the students registered for the event ranked for
each position a booth brings).

The QR code carries the absolute URL of ``/events/checkin/<checkin_code>/`` (what any phone camera opens);
it is drawn by ``segno`` as inline SVG (and as PNG or SVG files to download). Every read here is scoped by
``policies.checkin``: a registration outside the user's view reads as one that does not exist.

Booth lists follow the matching engine (``matching``): each student registered for the event (approved) is
scored for each position the booth brings with the same index and weights as the “推荐人选” page, the
component an enterprise must not learn of (``HIDDEN_FROM_ENTERPRISES``: 在生源地就业) left out, and only the
students the matching app lets an enterprise see (``matching.selectors._visible_candidates``: consent, or
its applicants; students who did not consent never appear). A position no longer open has no score. Unlike
“推荐人选”, a student who can start only after the position's start date (in school until graduation) is
listed, marked with the day they can start: a fair is where students about to graduate meet employers. A
student below the position's minimum education is not listed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import segno
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xiaoqitong.enterprises.models import Position
from xiaoqitong.matching import services as matching
from xiaoqitong.matching.arrays import EPOCH, build_catalog, student_arrays
from xiaoqitong.matching.selectors import _visible_candidates
from xiaoqitong.schools.choices import Consent
from xiaoqitong.schools.models import Student, StudentSkill
from xiaoqitong.schools.selectors import Access, applicant_ids, student_access, student_label

from ..choices import EventStatus, ParticipantKind, RegistrationStatus
from ..models import Event, Registration
from ..policies.checkin import is_organizer, may_see_booth_candidates
from ..policies.registrations import organized_events_q

#: Students listed per position at a booth.
TOP_CANDIDATES = 20
#: How the QR code is drawn inline (a viewBox only: the page's CSS sizes it). The tests draw the expected
#: code with the same options.
QR_ERROR = "m"
SVG_OPTIONS = {"scale": 1, "border": 4, "omitsize": True, "svgclass": "xqt-qr", "lineclass": None}
PNG_SCALE = 10


# --- the pass and its QR code ----------------------------------------------------------------------------
def checkin_path(registration: Registration) -> str:
    return reverse("events:checkin", kwargs={"code": registration.checkin_code})


def checkin_url(request, registration: Registration) -> str:
    """The absolute URL the QR code carries (the host the page was asked on)."""
    return request.build_absolute_uri(checkin_path(registration))


def qr_code(url: str) -> segno.QRCode:
    """The QR code of ``url`` (error correction M or better: a printed pass survives a fold)."""
    return segno.make(url, error=QR_ERROR, micro=False)


def qr_svg(url: str) -> str:
    """Inline ``<svg>`` of the QR code of ``url``, sized by CSS."""
    return qr_code(url).svg_inline(**SVG_OPTIONS)


def pass_queryset(user) -> QuerySet:
    """The registrations whose pass ``user`` may see, with what a pass shows."""
    return (
        Registration.objects.restrict(user, "view")
        .select_related(
            "event__organizer", "event__type", "enterprise", "school", "student__school", "checked_in_by"
        )
        .order_by("pk")
    )


def pass_for(user, pk: int) -> Registration:
    """The registration ``pk`` if ``user`` may see its pass; Http404 otherwise."""
    try:
        return pass_queryset(user).get(pk=pk)
    except Registration.DoesNotExist:
        raise Http404 from None


def registration_by_code(user, code: str) -> Registration:
    """The registration a scanned code names, if ``user`` may see it (the organizer, or its own side);
    Http404 for an unknown code and for anybody else (a code tells a stranger nothing)."""
    try:
        return pass_queryset(user).get(checkin_code=code)
    except Registration.DoesNotExist:
        raise Http404 from None


def pass_context(request, registration: Registration) -> dict:
    """What a pass page (and the pass API) shows."""
    url = checkin_url(request, registration)
    return {
        "registration": registration,
        "event": registration.event,
        "checkin_url": url,
        "qr_svg": qr_svg(url),
        "approved": registration.status == RegistrationStatus.APPROVED,
    }


# --- events an organizer checks in ------------------------------------------------------------------------
def organized_events(user) -> QuerySet:
    """Published events the user organizes (their department's; every event for platform administrators)."""
    return Event.objects.filter(organized_events_q(user), status=EventStatus.PUBLISHED).select_related(
        "type", "organizer"
    )


def checkin_events(user, now: dt.datetime | None = None) -> list[Event]:
    """The organizer's events whose check-in is open now or ahead (ended less than a day ago at most),
    soonest first, each with ``approved_count`` and ``checked_in_count``."""
    now = now or timezone.now()
    approved = Q(registrations__status=RegistrationStatus.APPROVED)
    return list(
        organized_events(user)
        .filter(ends_at__gte=now - dt.timedelta(days=1))
        .annotate(
            approved_count=Count("registrations", filter=approved),
            checked_in_count=Count(
                "registrations", filter=approved & Q(registrations__checked_in_at__isnull=False)
            ),
        )
        .order_by("starts_at", "pk")[:50]
    )


def scan_event(user, pk: int) -> Event:
    """An event the user may scan for (its organizer); Http404 otherwise."""
    event = organized_events(user).filter(pk=pk).first()
    if event is None or not is_organizer(user, event):
        raise Http404
    return event


@dataclasses.dataclass
class KindCount:
    kind: str
    label: str
    approved: int
    checked_in: int
    people: int | None = None  # school delegations: the people of the delegations checked in


def checkin_counts(event: Event) -> dict:
    """Checked in against approved, per kind of participant and in all; one query."""
    rows = {
        row["kind"]: row
        for row in Registration.objects.filter(event=event, status=RegistrationStatus.APPROVED)
        .values("kind")
        .annotate(
            approved=Count("pk"),
            checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
            people=Sum("delegation_size", filter=Q(checked_in_at__isnull=False)),
        )
        .order_by()
    }
    kinds = []
    for value, label in ParticipantKind.choices:
        row = rows.get(value, {})
        kinds.append(
            KindCount(
                value,
                str(label),
                row.get("approved", 0),
                row.get("checked_in", 0),
                (row.get("people") or 0) if value == ParticipantKind.SCHOOL else None,
            )
        )
    return {
        "kinds": kinds,
        "approved": sum(k.approved for k in kinds),
        "checked_in": sum(k.checked_in for k in kinds),
    }


def recent_check_ins(event: Event, n: int = 8) -> list[Registration]:
    """The last ``n`` check-ins of the event (one query)."""
    return list(
        Registration.objects.filter(event=event, checked_in_at__isnull=False)
        .select_related("enterprise", "school", "student")
        .order_by("-checked_in_at", "-pk")[:n]
    )


# --- on-site booth lists ---------------------------------------------------------------------------------
def booth_for(user, event_pk: int | None, pk: int) -> Registration:
    """An approved enterprise booth (of event ``event_pk`` when given) whose list ``user`` may read (the
    booth's enterprise, the organizer); Http404 otherwise."""
    qs = Registration.objects.restrict(user, "view").filter(
        pk=pk, kind=ParticipantKind.ENTERPRISE, status=RegistrationStatus.APPROVED
    )
    if event_pk is not None:
        qs = qs.filter(event_id=event_pk)
    booth = qs.select_related("event__organizer", "enterprise").first()
    if booth is None or not may_see_booth_candidates(user, booth):
        raise Http404
    return booth


@dataclasses.dataclass
class Candidate:
    """A registered student as a booth reads them for one position."""

    student: Student
    registration: Registration  # the student's registration for the event
    access: Access
    label: str  # name and 学号, or an anonymous label
    score: float
    percent: int
    required_skills: list[str]  # the position's required skills the student has
    bonus_skills: list[str]  # and its bonus skills
    available_from: dt.date | None = None  # set when the student can start only after the position's start

    @property
    def checked_in(self) -> bool:
        return self.registration.checked_in_at is not None

    @property
    def major(self) -> str:
        return self.student.school_major.major.name


@dataclasses.dataclass
class PositionCandidates:
    position: Position
    open: bool  # in the matching index (published, valid): scored
    candidates: list[Candidate]
    fitting: int  # registered students who meet its education minimum and score (before the top ``k``)


NOT_OPEN = gettext_lazy("岗位已不在招聘中（未发布或已过有效期），无法计算匹配度。")


def booth_candidates(
    user, booth: Registration, k: int = TOP_CANDIDATES, *, on: dt.date | None = None
) -> dict:
    """For each position ``booth`` brings: its ``k`` best registered students (approved student registrations
    of the event) whom ``user`` may see, by the matching score, with major, skills matched, score percent and
    check-in status. A constant number of queries, whatever the numbers of positions and students."""
    on = on or timezone.localdate()
    positions = list(
        booth.positions.select_related("enterprise", "county")
        .prefetch_related("skill_requirements")
        .order_by("title", "pk")
    )
    registrations = {
        r.student_id: r
        for r in Registration.objects.filter(
            event_id=booth.event_id, kind=ParticipantKind.STUDENT, status=RegistrationStatus.APPROVED
        ).only("pk", "student_id", "checked_in_at", "status", "kind", "event_id")
    }
    visible = _visible_candidates(user).filter(pk__in=list(registrations))
    visible_ids = set(visible.values_list("pk", flat=True))
    results: dict[int, tuple[bool, list[tuple[int, float]], int]] = {}
    later: dict[
        tuple[int, int], dt.date
    ] = {}  # students who can start only after the positions' start (graduation)
    weights = matching.match_weights()
    data = build_catalog()
    students = (
        student_arrays(data, Student.objects.filter(pk__in=visible_ids), on=on) if visible_ids else None
    )
    with matching.using_index():
        index = matching.current_index(data, on=on) if positions else None
        live = [p for p in positions if index is not None and p.pk in index]
        if live and students is not None and len(students):
            wanted = [p.pk for p in live]
            on_time = index.score_pairs(students, wanted)
            # The same scores without the start-date condition (it only filters, adds nothing): a fair is
            # where students about to graduate meet employers, so they are listed, marked “毕业后到岗”.
            anytime = dataclasses.replace(students, avail_day=np.zeros_like(students.avail_day))
            scores = index.score_pairs(anytime, wanted)
            for j, position in enumerate(live):
                column = scores[:, j].copy()
                county = data.counties.id(position.county_id)
                if county >= 0 and weights.home_county:  # HIDDEN_FROM_ENTERPRISES
                    column -= np.float32(weights.home_county) * (students.county == county)
                fit = np.isfinite(column) & (column >= weights.min_score)
                ids, kept = students.ids[fit], column[fit]
                order = np.lexsort((ids, -kept))[:k]
                results[position.pk] = (
                    True,
                    [(int(ids[i]), float(kept[i])) for i in order],
                    int(fit.sum()),
                )
                for row in np.flatnonzero(fit & ~np.isfinite(on_time[:, j])):
                    later[(int(students.ids[row]), position.pk)] = EPOCH + dt.timedelta(
                        days=int(students.avail_day[row])
                    )
        for position in live:
            results.setdefault(position.pk, (True, [], 0))
    shown = {pk for _open, best, _n in results.values() for pk, _s in best}
    found = (
        Student.objects.filter(pk__in=shown).select_related("school", "school_major__major").in_bulk()
        if shown
        else {}
    )
    skills_of: dict[int, set[int]] = {}
    for student_id, skill_id in StudentSkill.objects.filter(student_id__in=list(found)).values_list(
        "student_id", "skill_id"
    ):
        skills_of.setdefault(student_id, set()).add(skill_id)
    applicants = applicant_ids(user, list(found)) if getattr(user, "enterprise_id", None) else set()
    best_score = weights.max_score or 1.0

    def access_of(student: Student) -> Access:
        if getattr(user, "enterprise_id", None):
            return student_access(user, student, applicants=applicants)
        # the organizer reads what the booth's enterprise would (as matching shows administrators)
        return Access.FULL if student.consent == Consent.FULL else Access.DEIDENTIFIED

    def skill_name(pk: int) -> str:
        i = data.skills.id(pk)
        return data.skill_names[i] if i >= 0 else ""

    out = []
    for position in positions:
        is_open, best, fitting = results.get(position.pk, (False, [], 0))
        needs = [(r.skill_id, r.required) for r in position.skill_requirements.all()]
        candidates = []
        for pk, score in best:
            student = found.get(pk)
            if student is None:  # gone since the arrays were read
                continue
            access = access_of(student)
            has = skills_of.get(pk, set())
            candidates.append(
                Candidate(
                    student=student,
                    registration=registrations[pk],
                    access=access,
                    label=student_label(access, student),
                    score=round(score, 4),
                    percent=round(max(0.0, min(1.0, score / best_score)) * 100),
                    required_skills=[skill_name(s) for s, req in needs if req and s in has],
                    bonus_skills=[skill_name(s) for s, req in needs if not req and s in has],
                    available_from=later.get((pk, position.pk)),
                )
            )
        out.append(PositionCandidates(position, is_open, candidates, fitting))
    return {
        "positions": out,
        "registered_students": len(registrations),
        "visible_students": len(visible_ids),
        "k": k,
    }
