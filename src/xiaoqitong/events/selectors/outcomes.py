"""Reads of intentions and the survey, scoped by ``policies.outcomes``: an event's intentions with their
counts and conversion (for its organizer), a user's own intentions (我的意向), what a proposer may pick at
an event, the people an intention's news goes to, and the survey's summary.

How the conversion is counted: a signed job intention is linked to an application (created on signing, or
the student's earlier application to the same posting), so the page follows each of those applications'
status (已投递 → … → 录用 / 已入职); a signed cooperation intention is linked to an agreement draft, whose
status shows whether the two sides went on to approve it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.cooperation.choices import AgreementStatus
from xiaoqitong.core.formats import rate
from xiaoqitong.enterprises.choices import HIRED, ApplicationStatus, PositionStatus
from xiaoqitong.enterprises.models import Position
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise
from xiaoqitong.schools.choices import Consent
from xiaoqitong.schools.models import SchoolMajor, Student

from ..choices import (
    PROPOSE_AFTER,
    EventStatus,
    IntentionKind,
    IntentionStatus,
    ParticipantKind,
    RegistrationStatus,
)
from ..models import Event, Intention, Registration, Slot, SurveyResponse
from ..policies.outcomes import ENTERPRISE, SCHOOL, STUDENT, intentions_q, own_intentions_q, proposing_side
from ..policies.registrations import own_registration
from ..selectors.registrations import own_majors

INTENTION_RELATED = (
    "event",
    "enterprise",
    "position",
    "student__school",
    "school_major__school",
    "school_major__major",
    "proposed_by",
    "signed_by",
    "application",
    "agreement",
)
#: Intentions that still count (a proposal waiting, or signed): a second one on the same parts is refused.
LIVE = (IntentionStatus.PROPOSED, IntentionStatus.SIGNED)


# --- who hears of an intention -----------------------------------------------------------------------------
def side_users(side: str | None, intention: Intention) -> list:
    """The active users who speak for ``side`` of ``intention``: the enterprise's HR, the school's
    administrators (of the school of the intention's major), the student's own account. One query at most."""
    User = get_user_model()
    if side == ENTERPRISE:
        return list(
            User.objects.filter(
                role=Role.ENTERPRISE_HR, enterprise_id=intention.enterprise_id, is_active=True
            )
        )
    if side == SCHOOL and intention.school_major_id:
        school_id = intention.school_major.school_id
        return list(User.objects.filter(role=Role.SCHOOL_ADMIN, school_id=school_id, is_active=True))
    if side == STUDENT and intention.student_id and intention.student.user_id:
        return list(User.objects.filter(pk=intention.student.user_id, is_active=True))
    return []


# --- reading intentions ------------------------------------------------------------------------------------
def visible_intentions(user) -> QuerySet:
    """The intentions ``user`` may read, with everything a list shows (no query per row)."""
    return Intention.objects.filter(intentions_q(user)).select_related(*INTENTION_RELATED)


def intention_for(user, pk: int) -> Intention:
    """Intention ``pk`` if ``user`` may read it; Http404 otherwise (another party's intention reads as one
    that does not exist)."""
    intention = visible_intentions(user).filter(pk=pk).first()
    if intention is None:
        raise Http404
    return intention


def my_intentions(user) -> QuerySet:
    """The intentions of the user's own side (我的意向), newest first: as a party, not as an organizer."""
    return (
        Intention.objects.filter(own_intentions_q(user))
        .select_related(*INTENTION_RELATED)
        .order_by("-created_at", "-pk")
    )


def event_intentions(event: Event) -> QuerySet:
    """Every intention of ``event`` (for its organizer)."""
    return (
        Intention.objects.filter(event_id=event.pk).select_related(*INTENTION_RELATED).order_by("-created_at")
    )


@dataclass
class KindLine:
    """One kind's counts at an event: by status, the signed share and what the signed ones became."""

    kind: str
    label: str
    by_status: dict[str, int] = field(default_factory=dict)
    converted: int = 0  # signed and linked to an application / agreement
    advanced: int = 0  # job: applications past 已投递; cooperation: agreements proposed or running
    hired: int = 0  # job: 录用 or 已入职; cooperation: agreements running (执行中) or ended
    outcomes: dict[str, int] = field(default_factory=dict)  # the linked records by their status

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def signed(self) -> int:
        return self.by_status.get(IntentionStatus.SIGNED, 0)

    @property
    def answered(self) -> int:
        """Proposals the other side answered (signed or declined)."""
        return self.signed + self.by_status.get(IntentionStatus.DECLINED, 0)

    @property
    def sign_rate(self) -> Decimal | None:
        """Signed among the proposals not withdrawn, in percent."""
        return rate(self.signed, self.total - self.by_status.get(IntentionStatus.WITHDRAWN, 0))

    @property
    def hire_rate(self) -> Decimal | None:
        return rate(self.hired, self.signed)


def intention_report(intentions: QuerySet) -> list[KindLine]:
    """Counts of ``intentions`` (any scoped queryset: one event's, a year's) by kind and status, and what the
    signed ones became: the linked applications by status (job) and the linked agreements by status
    (cooperation). Three queries whatever the number of rows."""
    lines = {kind: KindLine(kind, str(label)) for kind, label in IntentionKind.choices}
    rows = intentions.order_by().values_list("kind", "status").annotate(n=Count("pk"))
    for kind, status, n in rows:
        lines[kind].by_status[status] = n
    signed = intentions.filter(status=IntentionStatus.SIGNED).order_by()
    job = lines[IntentionKind.JOB]
    for status, n in (
        signed.filter(kind=IntentionKind.JOB, application__isnull=False)
        .values_list("application__status")
        .annotate(n=Count("pk"))
    ):
        job.outcomes[status] = n
        job.converted += n
        if status != ApplicationStatus.SUBMITTED:
            job.advanced += n
        if status in HIRED:
            job.hired += n
    cooperation = lines[IntentionKind.COOPERATION]
    for status, n in (
        signed.filter(kind=IntentionKind.COOPERATION, agreement__isnull=False)
        .values_list("agreement__status")
        .annotate(n=Count("pk"))
    ):
        cooperation.outcomes[status] = n
        cooperation.converted += n
        if status != AgreementStatus.DRAFT:
            cooperation.advanced += n
        if status in (AgreementStatus.ACTIVE, AgreementStatus.ENDED):
            cooperation.hired += n
    return list(lines.values())


def outcome_labels(kind: str) -> dict[str, str]:
    """The labels of the linked records' statuses of ``kind`` (applications' or agreements')."""
    choices = ApplicationStatus.choices if kind == IntentionKind.JOB else AgreementStatus.choices
    return {value: str(label) for value, label in choices}


# --- what a proposer may pick ------------------------------------------------------------------------------
def party_registration(user, event: Event) -> Registration | None:
    """The user's side's registration of ``event`` (a booth, a delegation, a student's own) in any status, for
    the roles that propose; ``None`` otherwise."""
    if proposing_side(user) is None:
        return None
    return own_registration(user, event)


def approved(event: Event, kind: str) -> QuerySet:
    return Registration.objects.filter(event_id=event.pk, kind=kind, status=RegistrationStatus.APPROVED)


def open_positions_q(prefix: str = "") -> Q:
    return Q(
        **{f"{prefix}status": PositionStatus.PUBLISHED, f"{prefix}valid_until__gte": timezone.localdate()}
    )


def booth_positions(booth: Registration) -> QuerySet:
    """The positions a booth brings that are still open (published, within their valid-until date)."""
    return booth.positions.filter(open_positions_q()).select_related("enterprise").order_by("title", "pk")


def event_positions(event: Event) -> QuerySet:
    """The open positions the approved booths of ``event`` bring (what a student proposes to)."""
    booths = approved(event, ParticipantKind.ENTERPRISE)
    return (
        Position.objects.filter(open_positions_q(), pk__in=booths.values("positions"))
        .select_related("enterprise")
        .order_by("enterprise__name", "title", "pk")
    )


def identifiable_students(event: Event, booth: Registration) -> QuerySet:
    """The students registered (approved) for ``event`` whom the booth's enterprise may name: those who show
    their profile to enterprises in full, and those who booked a 1:1 slot at this booth (they met). Anyone
    else is proposed to by the check-in code on the pass they show at the booth."""
    registered = approved(event, ParticipantKind.STUDENT).values("student_id")
    booked = Slot.objects.filter(booth_id=booth.pk, booked_by__kind=ParticipantKind.STUDENT).values(
        "booked_by__student_id"
    )
    return (
        Student.objects.filter(pk__in=registered)
        .filter(Q(consent=Consent.FULL) | Q(pk__in=booked))
        .select_related("school", "school_major__major")
        .order_by("school__code", "name", "pk")
    )


def delegation_majors(event: Event) -> QuerySet:
    """The majors a cooperation intention may name at ``event``: every major of the latest year of each school
    whose delegation is approved (the delegation's presented majors among them)."""
    schools = approved(event, ParticipantKind.SCHOOL).values("school_id")
    latest = SchoolMajor.objects.filter(school=OuterRef("school")).order_by("-year").values("year")[:1]
    return (
        SchoolMajor.objects.filter(school_id__in=schools, year=Subquery(latest))
        .select_related("school", "major")
        .order_by("school__code", "major__code", "pk")
    )


def booth_enterprises(event: Event) -> QuerySet:
    """The enterprises whose booths at ``event`` are approved."""
    booths = approved(event, ParticipantKind.ENTERPRISE).values("enterprise_id")
    return Enterprise.objects.filter(pk__in=booths).order_by("name", "pk")


def school_majors_for(school_id: int | None) -> QuerySet:
    """A school's majors of its latest year."""
    return own_majors(school_id)


def proposable_events(user) -> QuerySet:
    """The published events at which the user's side holds an approved registration and that ended less than
    ``PROPOSE_AFTER`` ago (where it may propose), latest first."""
    side = proposing_side(user)
    if side is None:
        return Event.objects.none()
    if side == ENTERPRISE:
        q = Q(kind=ParticipantKind.ENTERPRISE, enterprise_id=user.enterprise_id)
    elif side == SCHOOL:
        q = Q(kind=ParticipantKind.SCHOOL, school_id=user.school_id)
    else:
        q = Q(kind=ParticipantKind.STUDENT, student__user_id=user.pk)
    registrations = Registration.objects.filter(q, status=RegistrationStatus.APPROVED).values("event_id")
    return (
        Event.objects.filter(
            pk__in=registrations, status=EventStatus.PUBLISHED, ends_at__gte=timezone.now() - PROPOSE_AFTER
        )
        .select_related("type")
        .order_by("-starts_at")
    )


# --- the survey --------------------------------------------------------------------------------------------
@dataclass
class SurveyLine:
    """The survey's figures for one kind of participant (or all): answers against approved registrations."""

    kind: str
    label: str
    registrations: int = 0
    responses: int = 0
    satisfaction: Decimal | None = None
    usefulness: Decimal | None = None
    would_return: int = 0

    @property
    def response_rate(self) -> Decimal | None:
        return rate(self.responses, self.registrations)

    @property
    def return_rate(self) -> Decimal | None:
        return rate(self.would_return, self.responses)


def _mean(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def survey_summary(event: Event) -> dict:
    """The survey of ``event``: per kind of participant and in all, the approved registrations, the answers,
    the response rate, the average satisfaction and usefulness (1-5) and how many would come again; the
    comments (newest first). Aggregates in three queries."""
    regs = dict(
        Registration.objects.filter(event_id=event.pk, status=RegistrationStatus.APPROVED)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    answers = {
        row["registration__kind"]: row
        for row in SurveyResponse.objects.filter(event_id=event.pk)
        .order_by()
        .values("registration__kind")
        .annotate(
            n=Count("pk"),
            sat=Avg("satisfaction"),
            use=Avg("usefulness"),
            back=Count("pk", filter=Q(would_return=True)),
        )
    }
    lines = []
    for kind, label in ParticipantKind.choices:
        row = answers.get(kind, {})
        lines.append(
            SurveyLine(
                kind,
                str(label),
                regs.get(kind, 0),
                row.get("n", 0),
                _mean(row.get("sat")),
                _mean(row.get("use")),
                row.get("back", 0),
            )
        )
    total = SurveyResponse.objects.filter(event_id=event.pk).aggregate(
        sat=Avg("satisfaction"), use=Avg("usefulness")
    )
    overall = SurveyLine(
        "",
        str(_("合计")),
        sum(line.registrations for line in lines),
        sum(line.responses for line in lines),
        _mean(total["sat"]),
        _mean(total["use"]),
        sum(line.would_return for line in lines),
    )
    return {"lines": lines, "overall": overall}


def survey_responses(event: Event) -> QuerySet:
    """Every answer of ``event`` with its registration's party (for the organizer's list and export)."""
    return (
        SurveyResponse.objects.filter(event_id=event.pk)
        .select_related("registration__enterprise", "registration__school", "registration__student__school")
        .order_by("registration__kind", "-created_at", "pk")
    )


def pending_surveys(user) -> list[Registration]:
    """The user's side's approved registrations of ended, published events that have no answer yet, which the
    user answers for (enterprise staff their booths, school staff their delegations, a student their own)."""
    role = getattr(user, "role", "") or ""
    if not (user and user.is_authenticated):
        return []
    if role in {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR} and user.enterprise_id:
        q = Q(kind=ParticipantKind.ENTERPRISE, enterprise_id=user.enterprise_id)
    elif role in {Role.SCHOOL_ADMIN, Role.TEACHER} and user.school_id:
        q = Q(kind=ParticipantKind.SCHOOL, school_id=user.school_id)
    elif role == Role.STUDENT:
        q = Q(kind=ParticipantKind.STUDENT, student__user_id=user.pk)
    else:
        return []
    return list(
        Registration.objects.filter(
            q,
            status=RegistrationStatus.APPROVED,
            event__status=EventStatus.PUBLISHED,
            event__ends_at__lte=timezone.now(),
            survey_response__isnull=True,
        )
        .select_related("event", "enterprise", "school", "student")
        .order_by("-event__ends_at")
    )
