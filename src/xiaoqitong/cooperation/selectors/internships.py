"""Reads of internships for a person: a plan's placed share, a student's placements and logs due, a mentor's
logs to countersign, and the compliance dashboard (T15, T16 and the day-to-day records) per school and for
the city. Row scoping is the policies'; everything here starts from ``restrict(user)``."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core.formats import percent_text
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School

from .. import rules
from ..choices import LeaveStatus, LogStatus, PlacementStatus, RuleKey
from ..models import CheckIn, Evaluation, InternshipLog, InternshipPlan, LeaveRequest, Placement

# Placements that count for the T16 share and for overlaps: all but those ended early.
COUNTED = [PlacementStatus.PLANNED, PlacementStatus.ACTIVE, PlacementStatus.COMPLETED]
WRITTEN = [LogStatus.SUBMITTED, LogStatus.COUNTERSIGNED]


def with_placed(qs: QuerySet) -> QuerySet:
    """Plans annotated with ``placed`` and ``placed_local`` (placements not terminated) and ``flagged``, in
    the same query (list pages, API)."""
    counted = Q(placements__status__in=COUNTED)
    return qs.annotate(
        placed=Count("placements", filter=counted, distinct=True),
        placed_local=Count("placements", filter=counted & Q(placements__in_city=True), distinct=True),
        flagged=Count("placements", filter=counted & ~Q(placements__flags=[]), distinct=True),
    )


def own_placements(user) -> QuerySet:
    """A student's own placements, the newest first (the "我的实习" page)."""
    return (
        Placement.objects.restrict(user)
        .filter(student__user_id=user.pk)
        .select_related("plan", "enterprise", "base", "school_mentor", "enterprise_mentor", "student")
        .order_by("-start_date", "-pk")
    )


def subsidy_placements(user) -> QuerySet:
    """The placements whose monthly subsidies the user records (form choices, import rows): the school's
    administrator their school's, the enterprise's HR their enterprise's, platform administrators (and a
    system import without a user) all."""
    qs = Placement.objects.all()
    if user is None or user.is_superuser:
        return qs
    role = getattr(user, "role", None)
    if role == Role.SCHOOL_ADMIN and user.school_id:
        return qs.filter(plan__school_id=user.school_id)
    if role == Role.ENTERPRISE_HR and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    return qs.none()


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def rule_percent(share: Decimal) -> str:
    """A rule's share (0.6) as "60%"."""
    return f"{(share * 100).normalize():f}%"


def logs_to_write_this_week(user, today: dt.date | None = None) -> int:
    """The student's placements under way this week that have no submitted log for the week yet."""
    today = today or timezone.localdate()
    week = monday(today)
    running = own_placements(user).filter(
        status=PlacementStatus.ACTIVE, start_date__lte=week + dt.timedelta(days=6), end_date__gte=week
    )
    written = InternshipLog.objects.filter(week_start=week, status__in=WRITTEN).values("placement_id")
    return running.exclude(pk__in=written).count()


def logs_awaiting_countersign(user) -> QuerySet:
    """Logs submitted to this user as the placement's enterprise mentor (their "待会签周志")."""
    return (
        InternshipLog.objects.restrict(user)
        .filter(status=LogStatus.SUBMITTED, placement__enterprise_mentor_id=user.pk)
        .select_related("placement__student__school", "placement__enterprise")
        .order_by("submitted_at", "pk")
    )


def leave_awaiting(user) -> QuerySet:
    """Pending leave requests whose side mentored by the user is still undecided."""
    return (
        LeaveRequest.objects.restrict(user)
        .filter(status=LeaveStatus.PENDING)
        .filter(
            Q(placement__school_mentor_id=user.pk, school_decision__isnull=True)
            | Q(placement__enterprise_mentor_id=user.pk, enterprise_decision__isnull=True)
        )
        .select_related("placement__student", "placement__enterprise")
    )


# --- the compliance dashboard -------------------------------------------------------------------------------
def period_bounds(year: int, half: int | None = None) -> tuple[dt.date, dt.date]:
    """A calendar year, or its first (1: January-June) or second (2: July-December) half."""
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    if half == 2:
        return dt.date(year, 7, 1), dt.date(year, 12, 31)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def weeks_elapsed(start: dt.date, end: dt.date, today: dt.date) -> int:
    """Weekly logs expected so far: the weeks (Monday-Sunday) of the placement that have begun by today."""
    last = min(end, today)
    if last < start:
        return 0
    return (monday(last) - monday(start)).days // 7 + 1


@dataclass
class ComplianceRow:
    school_id: int | None
    school: str
    code: str = ""
    interns: int = 0
    in_city: int = 0
    short: int = 0
    flagged: int = 0
    logs_expected: int = 0
    logs_submitted: int = 0
    logs_countersigned: int = 0
    check_in_days: int = 0
    leave_pending: int = 0
    evaluations_completed: int = 0
    rule_share: Decimal = field(default=Decimal("0"))

    @property
    def share(self) -> Decimal | None:
        if not self.interns:
            return None
        return (Decimal(self.in_city * 100) / self.interns).quantize(Decimal("0.1"))

    @property
    def share_text(self) -> str:
        return percent_text(self.in_city, self.interns)

    @property
    def under(self) -> bool:
        return self.interns > 0 and Decimal(self.in_city) < self.rule_share * self.interns

    def add(self, other: "ComplianceRow") -> None:
        for name in (
            "interns",
            "in_city",
            "short",
            "flagged",
            "logs_expected",
            "logs_submitted",
            "logs_countersigned",
            "check_in_days",
            "leave_pending",
            "evaluations_completed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Compliance:
    year: int
    half: int | None
    start: dt.date
    end: dt.date
    rule_share: Decimal
    rule_months: Decimal
    share_cite: str
    months_cite: str
    rows: list[ComplianceRow]
    total: ComplianceRow | None

    @property
    def rule_percent(self) -> str:
        return rule_percent(self.rule_share)

    @property
    def rule_months_text(self) -> str:
        return f"{self.rule_months.normalize():f}"


def compliance(user, year: int, half: int | None = None, today: dt.date | None = None) -> Compliance:
    """The dashboard: per school (the schools the user sees placements of) in the period, the interns
    (placements not terminated whose start date falls in the period), those in city enterprises and their
    share against T16, placements shorter than T15's minimum, flagged placements, weekly logs expected
    (weeks begun) against submitted and countersigned, check-in days, pending leave requests and completed
    evaluations (both sides); with a city total when several schools are shown. A fixed number of
    queries whatever the number of schools or placements."""
    from ..services.internships import min_end_date

    today = today or timezone.localdate()
    start, end = period_bounds(year, half)
    share = rules.value(RuleKey.LOCAL_INTERN_SHARE)
    months = rules.value(RuleKey.INTERNSHIP_MIN_MONTHS)
    placements = Placement.objects.restrict(user).filter(
        start_date__gte=start, start_date__lte=end, status__in=COUNTED
    )
    rows: dict[int, ComplianceRow] = {}
    school_of: dict[int, int] = {}
    for pk, school_id, status, begins, ends, local, flags in placements.values_list(
        "pk", "plan__school_id", "status", "start_date", "end_date", "in_city", "flags"
    ):
        school_of[pk] = school_id
        row = rows.setdefault(school_id, ComplianceRow(school_id, "", rule_share=share))
        row.interns += 1
        row.in_city += bool(local)
        row.short += bool(local) and ends < min_end_date(begins, months)
        row.flagged += bool(flags)
        if status != PlacementStatus.PLANNED:
            row.logs_expected += weeks_elapsed(begins, ends, today)
    ids = placements.values("pk")
    for placement_id, submitted, countersigned in (
        InternshipLog.objects.filter(placement__in=ids)
        .values("placement_id")
        .annotate(
            submitted=Count("pk", filter=Q(status__in=WRITTEN)),
            countersigned=Count("pk", filter=Q(status=LogStatus.COUNTERSIGNED)),
        )
        .values_list("placement_id", "submitted", "countersigned")
    ):
        row = rows[school_of[placement_id]]
        row.logs_submitted += submitted
        row.logs_countersigned += countersigned
    for placement_id, days in (
        CheckIn.objects.filter(placement__in=ids)
        .values("placement_id")
        .annotate(n=Count("pk"))
        .values_list("placement_id", "n")
    ):
        rows[school_of[placement_id]].check_in_days += days
    for placement_id, n in (
        LeaveRequest.objects.filter(placement__in=ids, status=LeaveStatus.PENDING)
        .values("placement_id")
        .annotate(n=Count("pk"))
        .values_list("placement_id", "n")
    ):
        rows[school_of[placement_id]].leave_pending += n
    for placement_id in (
        Evaluation.objects.filter(placement__in=ids)
        .values("placement_id")
        .annotate(n=Count("side", distinct=True))
        .filter(n__gte=2)
        .values_list("placement_id", flat=True)
    ):
        rows[school_of[placement_id]].evaluations_completed += 1
    schools = {
        pk: (code, name)
        for pk, code, name in School.objects.filter(pk__in=list(rows)).values_list("pk", "code", "name")
    }
    ordered = sorted(rows.values(), key=lambda r: schools.get(r.school_id, ("", ""))[0])
    for row in ordered:
        row.code, row.school = schools.get(row.school_id, ("", ""))
    total = None
    if len(ordered) > 1 or (getattr(user, "school_id", None) is None and ordered):
        total = ComplianceRow(None, _("全市合计"), rule_share=share)
        for row in ordered:
            total.add(row)
    return Compliance(
        year=year,
        half=half,
        start=start,
        end=end,
        rule_share=share,
        rule_months=months,
        share_cite=rules.cite(RuleKey.LOCAL_INTERN_SHARE),
        months_cite=rules.cite(RuleKey.INTERNSHIP_MIN_MONTHS),
        rows=ordered,
        total=total,
    )


def plan_placements(user, plan: InternshipPlan) -> QuerySet:
    """The placements of a plan the user may see (the plan page's list)."""
    return (
        Placement.objects.restrict(user)
        .filter(plan=plan)
        .select_related("student", "enterprise", "school_mentor", "enterprise_mentor")
        .order_by("start_date", "pk")
    )
