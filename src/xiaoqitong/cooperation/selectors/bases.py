"""Reads of practice bases and bookings scoped to a user, the occupancy of a base over a span, and the
counts of bases against T13 (产教融合实习基地 per school) and T14 (县域共享性实训基地 per county-level
unit)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.choices import RegionLevel
from xiaoqitong.reference.models import city_prefix, work_areas

from .. import rules
from ..choices import BaseKind, BookingStatus, RuleKey
from ..models import BaseBooking, PracticeBase
from ..policies.bases import booker_org, booking_insider

# --- times -------------------------------------------------------------------------------------------------


def day_start(day: dt.date, plus: int = 0) -> dt.datetime:
    """Local midnight at the start of ``day`` (``plus`` days later)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=plus), dt.time()))


# --- bookings ----------------------------------------------------------------------------------------------
def overlapping(base: PracticeBase, start: dt.datetime, end: dt.datetime):
    """The confirmed bookings of the base that overlap ``[start, end)`` (a booking ending when another
    starts does not overlap it), with their organizations."""
    return (
        BaseBooking.objects.filter(base=base, status=BookingStatus.CONFIRMED, start__lt=end, end__gt=start)
        .select_related("school", "enterprise")
        .order_by("start", "id")
    )


def peak_occupancy(bookings, start: dt.datetime, end: dt.datetime) -> int:
    """The most people the bookings hold at the same moment within ``[start, end)``: two bookings of the
    span that do not overlap each other do not add up."""
    events = []
    for booking in bookings:
        events.append((max(booking.start, start), 1, booking.headcount))
        events.append((min(booking.end, end), 0, -booking.headcount))
    peak = current = 0
    # At the same instant an ending frees its places before a beginning takes them (half-open spans).
    for _when, _order, delta in sorted(events, key=lambda e: (e[0], e[1])):
        current += delta
        peak = max(peak, current)
    return peak


def booker_name(booking: BaseBooking) -> str:
    """The organization that made the booking."""
    return str(booking.school or booking.enterprise or "")


def my_bookings(user):
    """The bookings of the user's organization (none for roles that do not book)."""
    school_id, enterprise_id = booker_org(user)
    qs = BaseBooking.objects.select_related("base", "school", "enterprise", "booked_by")
    if school_id:
        return qs.filter(school_id=school_id)
    if enterprise_id:
        return qs.filter(enterprise_id=enterprise_id)
    return qs.none()


def upcoming(qs):
    """Confirmed bookings that have not ended yet, soonest first."""
    return qs.filter(status=BookingStatus.CONFIRMED, end__gt=timezone.now()).order_by("start", "id")


def calendar_bookings(user, base: PracticeBase, start: dt.datetime, end: dt.datetime) -> list[BaseBooking]:
    """The confirmed bookings of the base that overlap ``[start, end)``, each with ``insider`` set (whether
    the user reads its purpose and booker; everyone else sees the organization and the headcount: the
    calendar must show who holds the places). The caller has checked that the user may see the base
    (``PracticeBase.objects.restrict``)."""
    bookings = list(overlapping(base, start, end).select_related("booked_by", "base"))
    for booking in bookings:
        booking.insider = booking_insider(user, booking)
    return bookings


# --- T13 / T14 ---------------------------------------------------------------------------------------------
@dataclass
class Target:
    key: str
    value: int
    target: str  # "T13"
    source: str  # "郴政发〔2021〕9号 四（九）"
    label: str

    @property
    def cite(self) -> str:
        """As ``rules.cite`` writes it, from the row already read."""
        return f"{self.target}，{self.source}"


def _target(key: str) -> Target:
    row = rules.rule(key)
    return Target(
        key=key, value=int(row.value), target=row.target, source=row.source, label=row.get_key_display()
    )


def city_areas(*levels: str):
    """The city's county-level units and parks (``levels`` narrows them, e.g. ``RegionLevel.COUNTY``), by
    level then code: ``reference.work_areas`` cut to the city."""
    areas = work_areas().filter(code__startswith=city_prefix())
    return areas.filter(level__in=levels) if levels else areas


def sees_every_school(user) -> bool:
    """Officers, researchers and platform administrators read every school's row; school staff their own."""
    return user.is_superuser or getattr(user, "role", "") in {Role.GOV_OFFICER, Role.RESEARCHER}


def _row(target: Target, count: int, **extra) -> dict:
    return extra | {"count": count, "target": target.value, "met": count >= target.value, "cite": target.cite}


def school_rows(user=None, target: Target | None = None) -> list[dict]:
    """T13 for each school (every school without a user or for officers, the user's own for school staff,
    none for others): its active 产教融合实习基地 (owned as owner school) against the rule. Two queries
    whatever the number of schools."""
    target = target or _target(RuleKey.INTEGRATION_BASES_PER_SCHOOL)
    schools = School.objects.select_related("county").order_by("code")
    if user is not None and not sees_every_school(user):
        school_id = getattr(user, "school_id", None)
        if not school_id:
            return []
        schools = schools.filter(pk=school_id)
    counts = dict(
        PracticeBase.objects.filter(kind=BaseKind.INTEGRATION, active=True, owner_school__isnull=False)
        .values_list("owner_school")
        .annotate(n=Count("pk"))
        .values_list("owner_school", "n")
    )
    return [_row(target, counts.get(school.pk, 0), school=school, county=school.county) for school in schools]


def county_rows(target: Target | None = None) -> list[dict]:
    """T14 for each county-level unit of the city (not its parks): its active 县域共享性实训基地 against the
    rule."""
    target = target or _target(RuleKey.SHARED_BASES_PER_COUNTY)
    counties = city_areas(RegionLevel.COUNTY)
    counts = dict(
        PracticeBase.objects.filter(kind=BaseKind.COUNTY_SHARED, active=True, county__in=counties)
        .values_list("county")
        .annotate(n=Count("pk"))
        .values_list("county", "n")
    )
    return [_row(target, counts.get(county.pk, 0), county=county) for county in counties]


def city_row(target: Target | None = None) -> dict:
    """Whether the city has an active 市级共享性智能实训基地 (四（十）, the source of T14), and which."""
    target = target or _target(RuleKey.SHARED_BASES_PER_COUNTY)
    bases = list(
        PracticeBase.objects.filter(
            kind=BaseKind.CITY_SHARED, active=True, county__code__startswith=city_prefix()
        ).order_by("code")
    )
    return {"bases": bases, "count": len(bases), "met": bool(bases), "cite": target.source}


def base_targets(user) -> dict:
    """Everything of the T13/T14 page and API for the user: the school rows they may read, the county
    rows, the city row and the rules with their sources."""
    school_target = _target(RuleKey.INTEGRATION_BASES_PER_SCHOOL)
    county_target = _target(RuleKey.SHARED_BASES_PER_COUNTY)
    schools = school_rows(user, school_target)
    counties = county_rows(county_target)
    return {
        "schools": schools,
        "counties": counties,
        "city": city_row(county_target),
        "school_target": school_target,
        "county_target": county_target,
        "schools_met": sum(1 for row in schools if row["met"]),
        "counties_met": sum(1 for row in counties if row["met"]),
        "all_schools": sees_every_school(user),
    }
