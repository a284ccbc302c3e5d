"""Every target (T) and rule (R) of POLICY.md computed from platform records for a year: for the city, each
county-level unit and each school, as far as the target is set at that scope; a state (green, amber, red, no
data, monitored only) against its value; a link to the records behind each figure; history across years.

Each target code has a compute function here (``COMPUTE``) that returns ``{(scope, key): Figure}``: ``key`` is
``None`` for the city, a region id for a county, a school id for a school. Where another app already computes
a figure (quality's T3, T4, T6, T18-T23; certification's T2, T12; events' T7-T9; enterprises' T1), this module
calls it, so one figure has one definition. Figures of schools add up to their county (numerators and
denominators summed), so a county's ratio is the ratio of its schools' sums.

Targets set per unit (T10, T11, T13 per school; T14, T25 per county) are judged per unit against the value;
the city's (and a county's) figure is then the share of units that meet it, judged against 100%.

A figure without data (no denominator, nothing recorded) has ``value`` ``None`` and the state 暂无数据: the
pages say so instead of showing a zero. Before a target's deadline year a figure short of the target is amber
(还未到期限), not red.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.cooperation.models import Rule
from xiaoqitong.orgs.choices import Ownership, SchoolType
from xiaoqitong.orgs.models import School
from xiaoqitong.quality.targets import Figure
from xiaoqitong.reference.choices import RegionLevel
from xiaoqitong.reference.models import Region

from ..choices import Comparison, Scope, State, Unit
from ..models import Target

FIRST_YEAR = 2021  # the policy's year (郴政发〔2021〕9号)
CITY = (Scope.CITY.value, None)
ONE = Decimal("1")

Figures = dict[tuple[str, int | None], Figure]


def years() -> list[int]:
    """The years a target may be asked for: the policy's year to this one, newest first."""
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def year_end(year: int) -> dt.date:
    """The day a year's figures are taken: 31 December, or today while the year runs."""
    today = timezone.localdate()
    return min(dt.date(year, 12, 31), today)


# --- the units ---------------------------------------------------------------------------------------------
@dataclass
class Units:
    """The schools (id → county id, name, type, code) and county-level units (id → name) of the city."""

    schools: dict[int, dict]
    counties: dict[int, str]

    @classmethod
    def load(cls) -> "Units":
        from xiaoqitong.cooperation.selectors.bases import city_areas

        schools = {
            pk: {"county": county, "name": name, "type": kind, "code": code}
            for pk, county, name, kind, code in School.objects.order_by("code").values_list(
                "pk", "county_id", "name", "school_type", "code"
            )
        }
        counties = dict(city_areas(RegionLevel.COUNTY).values_list("pk", "name"))
        return cls(schools, counties)


def _sum(values) -> Decimal | int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def with_counties(per_school: dict[int, Figure], units: Units, city: Figure | None = None) -> Figures:
    """School figures, their county sums and the city (``city``, or the sum of all schools)."""
    out: Figures = {(Scope.SCHOOL.value, sid): fig for sid, fig in per_school.items()}
    by_county = defaultdict(list)
    for sid, fig in per_school.items():
        county = units.schools.get(sid, {}).get("county")
        if county is not None:
            by_county[county].append(fig)
    for county, figs in by_county.items():
        out[(Scope.COUNTY.value, county)] = _add(figs)
    out[CITY] = city if city is not None else _add(per_school.values())
    return out


def _add(figs) -> Figure:
    figs = list(figs)
    if not figs:
        return Figure(None)
    if not figs[0].is_ratio:
        return Figure.count(_sum(f.numerator for f in figs))
    return Figure(_sum(f.numerator for f in figs), _sum(f.denominator for f in figs))


# --- compute functions, one per code ------------------------------------------------------------------------
def _quality(rule_key: str) -> Callable[[int, Units], Figures]:
    """A quality measure (``quality.targets``): its school figures, their county sums and its city figure."""

    def compute(year: int, units: Units) -> Figures:
        from xiaoqitong.quality import targets as quality_targets

        measure = next(m for m in quality_targets.measures() if m.rule == rule_key)
        figures = measure.compute(year)
        city = figures.get(None)
        schools = {k: v for k, v in figures.items() if k is not None}
        if "school" not in measure.scopes:
            return {CITY: city or Figure(None)}
        return with_counties(schools, units, city)

    return compute


def t1(year: int, units: Units) -> Figures:
    from xiaoqitong.enterprises.choices import FurtherLevel, Outcome
    from xiaoqitong.enterprises.selectors import secondary_graduates

    rows = (
        secondary_graduates()
        .filter(year=year)
        .values("student__school")
        .annotate(
            n=Count("pk"),
            k=Count("pk", filter=Q(outcome=Outcome.FURTHER_STUDY, further_level__in=FurtherLevel.values)),
        )
        .values_list("student__school", "n", "k")
    )
    return with_counties({sid: Figure(k, n) for sid, n, k in rows}, units)


def t2(year: int, units: Units) -> Figures:
    from xiaoqitong.certification.selectors.targets import deep_participation

    city, counties = deep_participation(year)
    out: Figures = {CITY: Figure(city.deep, city.total) if city.total else Figure(None)}
    for line in counties:
        out[(Scope.COUNTY.value, line.region.pk)] = Figure(line.deep, line.total)
    return out


def t5(year: int, units: Units) -> Figures:
    from xiaoqitong.schools.choices import Duration
    from xiaoqitong.schools.models import SchoolMajor

    rows = (
        SchoolMajor.objects.filter(year=year)
        .values("school")
        .annotate(
            total=Sum("new_enrolment"),
            five=Sum("new_enrolment", filter=Q(duration=Duration.FIVE_YEAR)),
        )
        .values_list("school", "total", "five")
    )
    per = {sid: Figure(five or 0, total) for sid, total, five in rows if total}
    out = with_counties(per, units)
    return {k: v for k, v in out.items() if k[0] != Scope.SCHOOL}


def _events(rule_key: str) -> Callable[[int, Units], Figures]:
    def compute(year: int, units: Units) -> Figures:
        from xiaoqitong.events.selectors.targets import held_for_rule

        return {CITY: Figure.count(held_for_rule(rule_key, year))}

    return compute


def _majors_flag(flag: str, types: set[str]) -> Callable[[int, Units], Figures]:
    """T10, T11: per school of ``types``, its majors of the year with ``flag``; no majors recorded for the
    year: no data."""

    def compute(year: int, units: Units) -> Figures:
        from xiaoqitong.schools.models import SchoolMajor

        rows = (
            SchoolMajor.objects.filter(year=year, school__school_type__in=types)
            .values("school")
            .annotate(n=Count("pk"), k=Count("pk", filter=Q(**{flag: True})))
            .values_list("school", "k")
        )
        counts = dict(rows)
        schools = {sid: info for sid, info in units.schools.items() if info["type"] in types}
        return {(Scope.SCHOOL.value, sid): Figure.count(counts.get(sid)) for sid in schools}

    return compute


def t12(year: int, units: Units) -> Figures:
    from xiaoqitong.certification.selectors.targets import certified_count

    return {CITY: Figure.count(certified_count(year)["total"])}


def t13(year: int, units: Units) -> Figures:
    from xiaoqitong.cooperation.choices import BaseKind
    from xiaoqitong.cooperation.models import PracticeBase

    bases = PracticeBase.objects.filter(kind=BaseKind.INTEGRATION, owner_school__isnull=False)
    if not bases.exists():
        return {}
    counts = dict(
        bases.filter(active=True)
        .filter(Q(established__isnull=True) | Q(established__lte=year_end(year)))
        .values("owner_school")
        .annotate(n=Count("pk"))
        .values_list("owner_school", "n")
    )
    return {(Scope.SCHOOL.value, sid): Figure.count(counts.get(sid, 0)) for sid in units.schools}


def t14(year: int, units: Units) -> Figures:
    from xiaoqitong.cooperation.choices import BaseKind
    from xiaoqitong.cooperation.models import PracticeBase

    if not PracticeBase.objects.exists():
        return {}
    counts = dict(
        PracticeBase.objects.filter(kind=BaseKind.COUNTY_SHARED, active=True, county__in=list(units.counties))
        .filter(Q(established__isnull=True) | Q(established__lte=year_end(year)))
        .values("county")
        .annotate(n=Count("pk"))
        .values_list("county", "n")
    )
    return {(Scope.COUNTY.value, cid): Figure.count(counts.get(cid, 0)) for cid in units.counties}


def _placements(year: int):
    from xiaoqitong.cooperation.models import Placement
    from xiaoqitong.cooperation.selectors.internships import COUNTED

    return Placement.objects.filter(start_date__year=year, status__in=COUNTED)


def t15(year: int, units: Units) -> Figures:
    from xiaoqitong.cooperation.choices import RuleKey
    from xiaoqitong.cooperation.rules import value as rule_value
    from xiaoqitong.cooperation.services.internships import min_end_date

    months = rule_value(RuleKey.INTERNSHIP_MIN_MONTHS)
    per: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for school, begins, ends in (
        _placements(year).filter(in_city=True).values_list("plan__school_id", "start_date", "end_date")
    ):
        per[school][1] += 1
        per[school][0] += ends >= min_end_date(begins, months)
    return with_counties({sid: Figure(k, n) for sid, (k, n) in per.items()}, units)


def t16(year: int, units: Units) -> Figures:
    rows = (
        _placements(year)
        .values("plan__school")
        .annotate(n=Count("pk"), k=Count("pk", filter=Q(in_city=True)))
        .values_list("plan__school", "k", "n")
    )
    return with_counties({sid: Figure(k, n) for sid, k, n in rows}, units)


def t17(year: int, units: Units) -> Figures:
    from xiaoqitong.cooperation.choices import ClaimStatus
    from xiaoqitong.cooperation.models import SubsidyClaim

    totals = SubsidyClaim.objects.filter(
        year=year, status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID], approved_amount__isnull=False
    ).aggregate(amount=Sum("approved_amount"), apprentices=Sum("apprentices"))
    return {CITY: Figure(totals["amount"], totals["apprentices"])}


def t24(year: int, units: Units) -> Figures:
    # The platform keeps no record of schools' 办学条件 (buildings, equipment, teachers per the national
    # standard) yet: every school is "no data", and the target's note says so.
    return {}


def t25(year: int, units: Units) -> Figures:
    counts = defaultdict(int)
    for county in School.objects.filter(
        school_type=SchoolType.SECONDARY, ownership=Ownership.PUBLIC
    ).values_list("county_id", flat=True):
        counts[county] += 1
    if not units.schools:
        return {}
    return {(Scope.COUNTY.value, cid): Figure.count(counts.get(cid, 0)) for cid in units.counties}


def r1(year: int, units: Units) -> Figures:
    from xiaoqitong.certification.choices import ReviewStatus
    from xiaoqitong.certification.models import Review

    due = Review.objects.filter(year=year, due_date__lte=year_end(year))
    counts = due.aggregate(
        n=Count("pk"),
        k=Count(
            "pk", filter=Q(status__in=[ReviewStatus.PASSED, ReviewStatus.RECTIFICATION, ReviewStatus.FAILED])
        ),
    )
    return {CITY: Figure(counts["k"], counts["n"])}


def r2(year: int, units: Units) -> Figures:
    from ..choices import AssessmentStatus
    from ..models import SchoolScore

    scored = SchoolScore.objects.filter(
        assessment__year=year, assessment__status=AssessmentStatus.PUBLISHED
    ).count()
    return {CITY: Figure(scored, len(units.schools))}


def r3(year: int, units: Units) -> Figures:
    from ..choices import ReportStatus
    from ..models import QualityReport

    done = QualityReport.objects.filter(year=year, status=ReportStatus.DONE)
    per = defaultdict(int)
    city = 0
    for school in done.values_list("school_id", flat=True):
        if school is None:
            city += 1
        else:
            per[school] += 1
    out: Figures = {CITY: Figure.count(min(city, 1))}
    for sid in units.schools:
        out[(Scope.SCHOOL.value, sid)] = Figure.count(min(per.get(sid, 0), 1))
    return out


def r4(year: int, units: Units) -> Figures:
    from xiaoqitong.schools.choices import Employment
    from xiaoqitong.schools.models import Teacher

    rows = (
        Teacher.objects.filter(employment=Employment.PART_TIME)
        .values("school")
        .annotate(n=Count("pk"), k=Count("pk", filter=Q(employer__isnull=False)))
        .values_list("school", "k", "n")
    )
    return with_counties({sid: Figure(k, n) for sid, k, n in rows}, units)


def r5(year: int, units: Units) -> Figures:
    from xiaoqitong.quality.models import Grade

    per: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for school, parts in (
        Grade.objects.filter(created_at__year=year)
        .values("plan__school", "plan", "student")
        .annotate(parts=Count("part", distinct=True))
        .values_list("plan__school", "parts")
    ):
        per[school][1] += 1
        per[school][0] += parts >= 2
    return with_counties({sid: Figure(k, n) for sid, (k, n) in per.items()}, units)


COMPUTE: dict[str, Callable[[int, Units], Figures]] = {
    "T1": t1,
    "T2": t2,
    "T3": _quality("cert_1x_coverage_min"),
    "T4": _quality("city_training_min"),
    "T5": t5,
    "T6": _quality("school_training_ratio_min"),
    "T7": _events("fairs_per_year_min"),
    "T8": _events("gba_promotions_per_year_min"),
    "T9": _events("dialogues_per_year_min"),
    "T10": _majors_flag("is_provincial_high_level", {SchoolType.ASSOCIATE, SchoolType.BACHELOR}),
    "T11": _majors_flag("is_quality", {SchoolType.SECONDARY}),
    "T12": t12,
    "T13": t13,
    "T14": t14,
    "T15": t15,
    "T16": t16,
    "T17": t17,
    "T18": _quality("part_time_teacher_share_max"),
    "T19": _quality("special_post_funding_min"),
    "T20": _quality("dual_qualified_share_min"),
    "T21a": _quality("provincial_masters_min"),
    "T21b": _quality("city_masters_min"),
    "T22a": _quality("national_training_bases_min"),
    "T22b": _quality("provincial_training_bases_min"),
    "T23": _quality("tech_service_teacher_share_min"),
    "T24": t24,
    "T25": t25,
    "R1": r1,
    "R2": r2,
    "R3": r3,
    "R4": r4,
    "R5": r5,
}
#: Targets set per unit (a school, a county): the city's figure is the share of units that meet them.
PER_UNIT = {
    "T10": Scope.SCHOOL,
    "T11": Scope.SCHOOL,
    "T13": Scope.SCHOOL,
    "T14": Scope.COUNTY,
    "T25": Scope.COUNTY,
}
#: What the platform cannot compute yet, and why (shown where the figure would be).
NO_DATA_NOTES = {
    "T24": gettext_lazy("平台尚未记录学校办学条件（校舍、设备、师资等）是否达到国家标准，暂无法计算。"),
}
#: What a figure rests on where it is not historised (the records as they are now, whatever the year).
CURRENT_NOTES = {
    "T13": gettext_lazy("按基地的建成日期计入年度；在用状态为当前情况。"),
    "T14": gettext_lazy("按基地的建成日期计入年度；在用状态为当前情况。"),
    "T18": gettext_lazy("教师数据为当前在册情况。"),
    "T20": gettext_lazy("教师数据为当前在册情况。"),
    "T25": gettext_lazy("学校名单为当前情况。"),
    "R4": gettext_lazy("教师数据为当前在册情况。"),
}


# --- the records behind a figure ----------------------------------------------------------------------------
def _link(url_name: str, **params) -> Callable[[str, int | None, int], str]:
    def build(scope: str, key: int | None, year: int) -> str:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            return ""
        query = {}
        for name, value in params.items():
            if value == "year":
                query[name] = year
            elif value == "year_start":
                query[name] = f"{year}-01-01"
            elif value == "year_end":
                query[name] = f"{year}-12-31"
            elif value == scope and value in ("school", "county"):
                query[name] = key
            elif value not in ("school", "county"):
                query[name] = value
        return f"{url}?{urlencode(query)}" if query else url

    return build


RECORDS: dict[str, Callable[[str, int | None, int], str]] = {
    "T1": _link("enterprises:graduateoutcome_list", year="year", school="school"),
    "T2": _link("certification:targets", year="year"),
    "T3": _link("quality:certificate_coverage", year="year"),
    "T4": _link("quality:training_person_times", year="year"),
    "T5": _link("schools:schoolmajor_list", year="year", school="school", county="county", duration="5y"),
    "T6": _link("quality:training_person_times", year="year"),
    "T7": _link("events:targets", year="year"),
    "T8": _link("events:targets", year="year"),
    "T9": _link("events:targets", year="year"),
    "T10": _link("schools:schoolmajor_list", year="year", school="school"),
    "T11": _link("schools:schoolmajor_list", year="year", school="school"),
    "T12": _link("certification:certification_list"),
    "T13": _link("cooperation:base_targets"),
    "T14": _link("cooperation:base_targets"),
    "T15": _link(
        "cooperation:placement_list",
        school="school",
        in_city="true",
        start_from="year_start",
        start_before="year_end",
    ),
    "T16": _link(
        "cooperation:placement_list", school="school", start_from="year_start", start_before="year_end"
    ),
    "T17": _link("cooperation:subsidyclaim_list", year="year"),
    "T18": _link("schools:teacher_list", school="school", employment="part_time"),
    "T19": _link("quality:teachers_overview", year="year"),
    "T20": _link("schools:teacher_list", school="school"),
    "T21a": _link("schools:teacher_list", master_level="province"),
    "T21b": _link("schools:teacher_list", master_level="city"),
    "T22a": _link("quality:teachertrainingbase_list"),
    "T22b": _link("quality:teachertrainingbase_list"),
    "T23": _link("quality:teachers_overview", year="year"),
    "T25": _link("orgs:school_list", county="county"),
    "R1": _link("certification:review_list"),
    "R2": _link("governance:assessment_list"),
    "R3": _link("governance:qualityreport_list"),
    "R4": _link("schools:teacher_list", school="school", employment="part_time"),
    "R5": _link("quality:grade_list", school="school"),
}


# --- results ------------------------------------------------------------------------------------------------
@dataclass
class Result:
    """A target's figure for the city, a county or a school in a year, and its state against the target."""

    target: Target
    year: int
    scope: str
    key: int | None
    name: str
    numerator: Decimal | int | None
    denominator: Decimal | int | None
    value: Decimal | None
    state: str
    goal: Decimal | None  # the value this row is judged against (100% for a city's share of units)
    unit: str
    comparison: str
    value_text: str = ""
    target_text: str = ""
    note: str = ""
    records_url: str = ""
    previous: Decimal | None = None
    basis: str = ""  # what the figure rests on where records are not historised
    extra: dict = field(default_factory=dict)

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def code(self) -> str:
        return self.target.code


def goal_of(target: Target, rules: dict[str, Decimal]) -> Decimal | None:
    """The value a target is judged against: its rule's (``rule_key``), else its own."""
    if target.rule_key and target.rule_key in rules:
        return rules[target.rule_key]
    return target.value


def judge(
    value: Decimal | None,
    goal: Decimal | None,
    comparison: str,
    band: Decimal,
    previous: Decimal | None = None,
    before_deadline: bool = False,
) -> str:
    """Green, amber or red for ``value`` against ``goal``; 暂无数据 without a value; monitored where the
    target has no quantitative value. ``band`` is the share of the goal within which a miss is amber; a miss
    before the deadline year is amber too. A rising target compares with ``previous``: up green, equal
    amber, down red; without a previous year's figure it is amber (nothing to compare with)."""
    if comparison == Comparison.NONE:
        return State.MONITORED if value is not None else State.NO_DATA
    if value is None:
        return State.NO_DATA
    if comparison == Comparison.RISING:
        if previous is None or value == previous:
            return State.AMBER
        return State.GREEN if value > previous else State.RED
    if goal is None:
        return State.MONITORED
    if comparison == Comparison.LE:
        if value <= goal:
            return State.GREEN
        near = value <= goal * (ONE + band)
    else:
        if value >= goal:
            return State.GREEN
        near = value >= goal * (ONE - band)
    return State.AMBER if near or before_deadline else State.RED


def text_of(value: Decimal | None, unit: str) -> str:
    """A figure as pages and exports write it: 23.4%, 2.31 倍, 12, 70,000 元, 1.5 个月; 暂无数据."""
    if value is None:
        return _("暂无数据")
    if unit == Unit.SHARE:
        return f"{(value * 100).quantize(Decimal('0.1'))}%"
    if unit == Unit.MULTIPLE:
        return _("%(n)s 倍") % {"n": value.quantize(Decimal("0.01"))}
    if unit == Unit.MONEY:
        return _("%(n)s 元") % {"n": f"{value.quantize(Decimal('1')):,}"}
    if unit == Unit.MONTHS:
        return _("%(n)s 个月") % {"n": value.normalize()}
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal('1')):,}"
    return f"{value.quantize(Decimal('0.01'))}"


def goal_text(goal: Decimal | None, unit: str, comparison: str, upper: Decimal | None = None) -> str:
    """“≥ 40.0%”, “≤ 30.0%”, “≥ 2（2-3）”, “逐年提高”, “只监测”."""
    if comparison == Comparison.RISING:
        return _("逐年提高")
    if comparison == Comparison.NONE or goal is None:
        return _("只监测")
    sign = "≤" if comparison == Comparison.LE else "≥"
    text = f"{sign} {text_of(goal, unit)}"
    if upper is not None and unit == Unit.COUNT:
        text += f"（{text_of(goal, unit)}-{text_of(upper, unit)}）"
    return text


class Evaluator:
    """Computes targets for a year once per (code, year) and turns figures into results; one per request."""

    def __init__(self):
        self.units = Units.load()
        self.rules = dict(Rule.objects.values_list("key", "value"))
        self.regions = dict(Region.objects.filter(pk__in=list(self.units.counties)).values_list("pk", "name"))
        self.region_codes = dict(
            Region.objects.filter(pk__in=list(self.units.counties)).values_list("pk", "code")
        )
        self._figures: dict[tuple[str, int], Figures] = {}

    def figures(self, code: str, year: int) -> Figures:
        if (code, year) not in self._figures:
            compute = COMPUTE.get(code)
            self._figures[(code, year)] = compute(year, self.units) if compute else {}
        return self._figures[(code, year)]

    def name(self, scope: str, key: int | None) -> str:
        if scope == Scope.CITY:
            return _("全市")
        if scope == Scope.COUNTY:
            return self.units.counties.get(key) or self.regions.get(key, "")
        return self.units.schools.get(key, {}).get("name", "")

    def filter_key(self, scope: str, key: int | None) -> str | int | None:
        """What the record lists filter a unit by: a school's 学校代码, a county's region code."""
        if scope == Scope.SCHOOL:
            return self.units.schools.get(key, {}).get("code", key)
        if scope == Scope.COUNTY:
            return self.region_codes.get(key, key)
        return key

    def keys(self, target: Target, scope: str) -> list[int | None]:
        if scope == Scope.CITY:
            return [None]
        if scope == Scope.COUNTY:
            return list(self.units.counties)
        if target.code in ("T10",):
            return [
                s
                for s, i in self.units.schools.items()
                if i["type"] in (SchoolType.ASSOCIATE, SchoolType.BACHELOR)
            ]
        if target.code in ("T11",):
            return [s for s, i in self.units.schools.items() if i["type"] == SchoolType.SECONDARY]
        return list(self.units.schools)

    def result(self, target: Target, year: int, scope: str, key: int | None) -> Result:
        figures = self.figures(target.code, year)
        goal = goal_of(target, self.rules)
        unit, comparison, previous = target.unit, target.comparison, None
        unit_scope = PER_UNIT.get(target.code)
        note = str(NO_DATA_NOTES.get(target.code, ""))
        extra = {}
        per_unit_text = ""
        if unit_scope and scope != unit_scope:
            # The share of this area's units that meet the per-unit target.
            units = self.unit_keys(target, unit_scope, scope, key)
            judged = [figures.get((unit_scope, u)) for u in units]
            with_data = [f for f in judged if f is not None and f.value is not None]
            met = sum(1 for f in with_data if f.value >= goal) if goal is not None else 0
            figure = Figure(met, len(with_data)) if with_data else Figure(None)
            extra = {"units": len(units), "met": met}
            if goal is not None:
                each = _("每所学校") if unit_scope == Scope.SCHOOL else _("每个县市区")
                per_unit_text = f"{each} {goal_text(goal, target.unit, target.comparison, target.upper)}"
            if with_data:
                counted = _("所学校") if unit_scope == Scope.SCHOOL else _("个县市区")
                note = note or _("%(met)s/%(n)s %(units)s达到目标") % {
                    "met": met,
                    "n": len(with_data),
                    "units": counted,
                }
            unit, comparison, goal = Unit.SHARE, Comparison.GE, ONE
        else:
            figure = figures.get((scope, key)) or Figure(None)
        value = figure.value
        if target.comparison == Comparison.RISING:
            before = self.figures(target.code, year - 1).get((scope, key)) if year > FIRST_YEAR - 1 else None
            previous = before.value if before is not None else None
        before_deadline = bool(target.deadline_year and year < target.deadline_year)
        state = judge(value, goal, comparison, target.amber_band, previous, before_deadline)
        if state == State.AMBER and before_deadline and value is not None and goal is not None:
            note = note or _("%(year)s 年为完成期限") % {"year": target.deadline_year}
        return Result(
            target=target,
            year=year,
            scope=scope,
            key=key,
            name=self.name(scope, key),
            numerator=figure.numerator,
            denominator=figure.denominator,
            value=value,
            state=state,
            goal=goal,
            unit=unit,
            comparison=comparison,
            value_text=text_of(value, unit),
            target_text=per_unit_text or goal_text(goal, unit, comparison, target.upper),
            note=note,
            records_url=RECORDS[target.code](scope, self.filter_key(scope, key), year)
            if target.code in RECORDS
            else "",
            previous=previous,
            basis=str(CURRENT_NOTES.get(target.code, "")),
            extra=extra,
        )

    def unit_keys(self, target: Target, unit_scope: str, scope: str, key: int | None) -> list[int]:
        units = self.keys(target, unit_scope)
        if scope == Scope.COUNTY and unit_scope == Scope.SCHOOL:
            return [s for s in units if self.units.schools[s]["county"] == key]
        return units


def targets(codes: list[str] | None = None) -> list[Target]:
    qs = Target.objects.all()
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return list(qs)


def evaluate(
    year: int,
    *,
    codes: list[str] | None = None,
    scopes: tuple[str, ...] | None = None,
    school_ids: list[int] | None = None,
    evaluator: Evaluator | None = None,
) -> list[Result]:
    """Results of ``year`` for every target (or ``codes``) at each scope it is set at (or ``scopes``): the
    city first, then the counties, then the schools (``school_ids`` narrows them)."""
    ev = evaluator or Evaluator()
    out = []
    for target in targets(codes):
        for scope in target.scopes:
            if scopes is not None and scope not in scopes:
                continue
            for key in ev.keys(target, scope):
                if scope == Scope.SCHOOL and school_ids is not None and key not in school_ids:
                    continue
                out.append(ev.result(target, year, scope, key))
    return out


def city_summary(year: int, *, evaluator: Evaluator | None = None) -> list[Result]:
    """One row per target: its city figure (for targets set only per county or school, the share of units
    that meet it)."""
    ev = evaluator or Evaluator()
    return [ev.result(target, year, Scope.CITY, None) for target in targets()]


def history(
    code: str, first_year: int, last_year: int, *, evaluator: Evaluator | None = None
) -> list[Result]:
    """A target's city result year by year."""
    ev = evaluator or Evaluator()
    target = Target.objects.get(code=code)
    return [ev.result(target, year, Scope.CITY, None) for year in range(first_year, last_year + 1)]


def school_results(year: int, school_id: int, *, evaluator: Evaluator | None = None) -> list[Result]:
    """The school-level results of one school."""
    return evaluate(year, scopes=(Scope.SCHOOL,), school_ids=[school_id], evaluator=evaluator)


def state_counts(results: list[Result]) -> dict[str, int]:
    counts = {state: 0 for state in State.values}
    for r in results:
        counts[r.state] += 1
    return counts
