"""Reads of practice bases and bookings scoped to a user, the occupancy of a base over a span, and the
counts of bases against T13 (产教融合实习基地 per school) and T14 (县域共享性实训基地 per county-level
unit)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.choices import RegionLevel
from xiaoqitong.reference.models import Region

from .. import rules
from ..choices import BaseKind, BookingStatus, RuleKey
from ..models import BaseBooking, PracticeBase
from ..policies.bases import booker_org, booking_insider


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
    """The confirmed bookings of a base the user may see (``PracticeBase.objects.restrict``) that overlap
    ``[start, end)``, each with ``insider`` set (whether the user reads its purpose and booker; everyone else
    sees the organization and the headcount: the calendar must show who holds the places)."""
    bookings = list(overlapping(base, start, end).select_related("booked_by", "base"))
    for booking in bookings:
        booking.insider = booking_insider(user, booking)
    return bookings


# --- T13 / T14 ---------------------------------------------------------------------------------------------
@dataclass
class Target:
    key: str
    value: int
    cite: str
    label: str


def _target(key: str) -> Target:
    row = rules.rule(key)
    return Target(
        key=key, value=int(row.value), cite=f"{row.target}，{row.source}", label=row.get_key_display()
    )


def city_counties():
    """The city's county-level units (districts, county-level cities, counties: not its parks), by code."""
    return Region.objects.filter(
        code__startswith=settings.XQT_CITY_CODE[:4], level=RegionLevel.COUNTY
    ).order_by("code")


def school_rows(user=None) -> list[dict]:
    """T13 for each school (the user's own only, for school staff): its active 产教融合实习基地 (owned as
    owner school) against the rule. Two queries whatever the number of schools."""
    target = _target(RuleKey.INTEGRATION_BASES_PER_SCHOOL)
    schools = School.objects.select_related("county").order_by("code")
    if user is not None and not sees_every_school(user):
        schools = schools.filter(pk=user.school_id) if getattr(user, "school_id", None) else schools.none()
    counts = dict(
        PracticeBase.objects.filter(kind=BaseKind.INTEGRATION, active=True, owner_school__isnull=False)
        .values_list("owner_school")
        .annotate(n=Count("pk"))
        .values_list("owner_school", "n")
    )
    return [
        {
            "school": school,
            "county": school.county,
            "count": counts.get(school.pk, 0),
            "target": target.value,
            "met": counts.get(school.pk, 0) >= target.value,
            "cite": target.cite,
        }
        for school in schools
    ]


def county_rows() -> list[dict]:
    """T14 for each county-level unit of the city: its active 县域共享性实训基地 against the rule."""
    target = _target(RuleKey.SHARED_BASES_PER_COUNTY)
    counties = list(city_counties())
    counts = dict(
        PracticeBase.objects.filter(kind=BaseKind.COUNTY_SHARED, active=True, county__in=city_counties())
        .values_list("county")
        .annotate(n=Count("pk"))
        .values_list("county", "n")
    )
    return [
        {
            "county": county,
            "count": counts.get(county.pk, 0),
            "target": target.value,
            "met": counts.get(county.pk, 0) >= target.value,
            "cite": target.cite,
        }
        for county in counties
    ]


def city_row() -> dict:
    """Whether the city has an active 市级共享性智能实训基地 (四（十）), and which."""
    target = _target(RuleKey.SHARED_BASES_PER_COUNTY)
    bases = list(
        PracticeBase.objects.filter(
            kind=BaseKind.CITY_SHARED, active=True, county__code__startswith=settings.XQT_CITY_CODE[:4]
        ).order_by("code")
    )
    source = target.cite.split("，", 1)[-1]
    return {"bases": bases, "count": len(bases), "met": bool(bases), "cite": source}


def sees_every_school(user) -> bool:
    """Officers and platform administrators read every school's row; school staff their own only."""
    return user.is_superuser or getattr(user, "role", "") in {Role.GOV_OFFICER, Role.RESEARCHER}


def base_targets(user) -> dict:
    """Everything of the T13/T14 page and API for the user: the school rows they may read, the county
    rows, the city row and the rules with their sources."""
    schools = school_rows(user) if sees_every_school(user) or getattr(user, "school_id", None) else []
    counties = county_rows()
    return {
        "schools": schools,
        "counties": counties,
        "city": city_row(),
        "school_target": _target(RuleKey.INTEGRATION_BASES_PER_SCHOOL),
        "county_target": _target(RuleKey.SHARED_BASES_PER_COUNTY),
        "schools_met": sum(1 for row in schools if row["met"]),
        "counties_met": sum(1 for row in counties if row["met"]),
        "all_schools": sees_every_school(user),
    }
