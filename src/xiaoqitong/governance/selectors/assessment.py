"""Reads of the school assessment (R2, 六（十六）): the measures an indicator may name, the scoring rule, who
leads, and the ranking and explanation pages' rows.

**Measures** (``MEASURES``): each computes, for a year, ``{school_id: (numerator, denominator)}`` from the
platform's records, reusing the areas' own computations where they exist. A denominator of ``None`` means a
count (the value is the numerator); a school missing from the result, or with a denominator of 0, has no
data: it scores 0 points with the note 暂无数据, shown on the pages (never hidden as a plain zero).

**Scoring** (:func:`score`): the value between ``floor`` (0 points) and ``full`` (``weight`` points) is
linear and clamped; for an indicator where lower is better ``floor`` lies above ``full`` and the same line
runs the other way.

**Who leads**: the lead department of annex task 7 (研究职业院校办学质量考核办法, 市教育局) manages
indicators and assessments; the lead of annex task 15 (差异化的财政拨款制度, 市财政局) manages the funding
rules and allocations. Both are read from the responsibility list (``TaskParty`` role lead), falling back
to the department codes ``CZ-JYJ`` and ``CZ-CZJ`` while the list holds no such task.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..choices import AssessmentStatus, Direction
from .tasks import lead_department_id

ASSESSMENT_TASK, ASSESSMENT_FALLBACK = 7, "CZ-JYJ"
FUNDING_TASK, FUNDING_FALLBACK = 15, "CZ-CZJ"
CENT = Decimal("0.01")
SHARE, COUNT, DAYS = "share", "count", "days"
NO_DATA = gettext_lazy("暂无数据")


# --- who leads ---------------------------------------------------------------------------------------------
def assessment_lead_id() -> int | None:
    return lead_department_id(ASSESSMENT_TASK, ASSESSMENT_FALLBACK)


def funding_lead_id() -> int | None:
    return lead_department_id(FUNDING_TASK, FUNDING_FALLBACK)


# --- measures ----------------------------------------------------------------------------------------------
Pair = tuple[Decimal | int | None, Decimal | int | None]


@dataclass(frozen=True)
class Measure:
    """What an indicator can measure: ``compute(year) -> {school_id: (numerator, denominator)}``."""

    label: str
    compute: Callable[[int], dict[int, Pair]]
    unit: str
    explanation: str
    numerator_label: str = ""
    denominator_label: str = ""
    records: Callable[[object, int], list[tuple[str, str]]] | None = None  # (label, url) per school, year
    as_of_today: bool = False  # computed from the current records whatever the year (no history kept)


def _url(name: str, **params) -> str:
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def _records(*links: tuple[str, str, dict]) -> Callable:
    """Links to the area list pages filtered by school (``{"school": "code"}`` style parameters where the
    value ``"code"`` stands for the school's code and ``"year"`` for the year)."""

    def build(school, year: int) -> list[tuple[str, str]]:
        out = []
        for label, name, params in links:
            values = {
                k: school.code if v == "code" else year if v == "year" else v for k, v in params.items()
            }
            url = _url(name, **values)
            if url:
                out.append((str(label), url))
        return out

    return build


def year_bounds(year: int):
    import datetime as dt

    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def agreement_share(year: int) -> dict[int, Pair]:
    """Students with a confirmed place in an order class or apprenticeship agreement (订单班、现代学徒制、
    企业新型学徒制、预备员工制) that ran during the calendar year (active or ended, its period touching the
    year), over the school's students of the year as the 1+X coverage (T3) counts them
    (``quality.selectors.certificates.counted_students``: at school, enrolled in the year or before); the
    numerator counts only those students too. One query."""
    from xiaoqitong.cooperation.choices import AgreementStatus, MemberStatus
    from xiaoqitong.quality.selectors.certificates import counted_students

    start, end = year_bounds(year)
    placed = Q(
        agreement_places__status=MemberStatus.CONFIRMED,
        agreement_places__agreement__status__in=[AgreementStatus.ACTIVE, AgreementStatus.ENDED],
        agreement_places__agreement__start_date__lte=end,
        agreement_places__agreement__end_date__gte=start,
    )
    rows = (
        counted_students(year)
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk", distinct=True), k=Count("pk", filter=placed, distinct=True))
        .values_list("school_id", "k", "n")
    )
    return {sid: (k, n) for sid, k, n in rows}


def integration_bases(year: int) -> dict[int, Pair]:
    """T13: the school's active 产教融合实习基地 (as owner school), counted by
    ``cooperation.selectors.bases.school_rows`` (the T13 page's own count; bases have no history, so this is
    the current count whatever the year). Every school has a figure (0 is a real count)."""
    from xiaoqitong.cooperation.selectors.bases import school_rows

    return {row["school"].pk: (row["count"], None) for row in school_rows()}


def local_interns(year: int) -> dict[int, Pair]:
    """T16: interns placed in enterprises in the city over all interns, by the school of the internship plan:
    placements not terminated (``cooperation.selectors.internships.COUNTED``) starting in the calendar year,
    as the internship compliance page counts them. One query."""
    from xiaoqitong.cooperation.models import Placement
    from xiaoqitong.cooperation.selectors.internships import COUNTED, period_bounds

    start, end = period_bounds(year)
    rows = (
        Placement.objects.filter(start_date__gte=start, start_date__lte=end, status__in=COUNTED)
        .order_by()
        .values("plan__school_id")
        .annotate(n=Count("pk"), local=Count("pk", filter=Q(in_city=True)))
        .values_list("plan__school_id", "local", "n")
    )
    return {sid: (local, n) for sid, local, n in rows}


def enterprise_teachers(year: int) -> dict[int, Pair]:
    """R4 (五（十二）): part-time teachers who come from an enterprise (``Teacher.employer``) over all the
    school's teachers (专任 + 兼职, ``quality.selectors.teachers.teacher_counts``); the current roster, as
    the teachers' pages count it. Two queries."""
    from xiaoqitong.quality.selectors.teachers import teacher_counts
    from xiaoqitong.schools.choices import Employment
    from xiaoqitong.schools.models import Teacher

    from_enterprises = dict(
        Teacher.objects.filter(employment=Employment.PART_TIME, employer__isnull=False)
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    return {sid: (from_enterprises.get(sid, 0), c["total"]) for sid, c in teacher_counts().items()}


def practice_days(year: int) -> dict[int, Pair]:
    """五（十三）: days of enterprise practice of the school's full-time teachers in the year
    (``quality.selectors.teachers.practice_days``) over its full-time teachers (``teacher_counts``). Two
    queries."""
    from xiaoqitong.quality.selectors.teachers import practice_days as days_by_school
    from xiaoqitong.quality.selectors.teachers import teacher_counts

    days = days_by_school(year)
    return {sid: (days.get(sid, 0), c["full_time"]) for sid, c in teacher_counts().items()}


def local_employment(year: int) -> dict[int, Pair]:
    """毕业生留郴就业率: graduates of the year employed in the city over those employed, from the graduate
    outcomes (``analytics.measures.outcomes`` by school: 就业 and 自主创业 count as employed, ``in_city``
    as recorded). One query."""
    from xiaoqitong.analytics.measures import outcomes

    return {sid: (row["local"], row["employed"]) for sid, row in outcomes(year, "school").items()}


def target_attainment(year: int) -> dict[int, Pair]:
    """The school-level targets of the year (``governance.selectors.targets.evaluate``, scope school): greens
    count 1 and ambers ½, over the results that have data (green, amber or red)."""
    from ..choices import State
    from . import targets as T

    met: dict[int, Decimal] = defaultdict(Decimal)
    counted: dict[int, int] = defaultdict(int)
    for result in T.evaluate(year, scopes=("school",)):
        if result.key is None or result.state not in (State.GREEN, State.AMBER, State.RED):
            continue
        counted[result.key] += 1
        if result.state == State.GREEN:
            met[result.key] += 1
        elif result.state == State.AMBER:
            met[result.key] += Decimal("0.5")
    return {sid: (met[sid], n) for sid, n in counted.items()}


MEASURES: dict[str, Measure] = {
    "agreement_share": Measure(
        gettext_lazy("订单班、学徒制学生占在册学生比例"),
        agreement_share,
        SHARE,
        gettext_lazy(
            "平台在册学生（在读或实习中、当年或之前入学，与 1+X 证书覆盖面 T3 同一口径）中，在当年执行过"
            "（执行中或已结束、协议期与当年有交集）的订单班、现代学徒制、企业新型学徒制、预备员工制协议中"
            "已确认名额的人数，除以在册学生数。"
        ),
        gettext_lazy("有协议名额的学生"),
        gettext_lazy("在册学生"),
        _records(
            (gettext_lazy("校企合作协议"), "cooperation:agreement_list", {"school": "code"}),
            (gettext_lazy("学生"), "schools:student_list", {"school": "code"}),
        ),
    ),
    "integration_bases": Measure(
        gettext_lazy("产教融合实习基地数（T13）"),
        integration_bases,
        COUNT,
        gettext_lazy("学校作为所属学校的在用产教融合实习基地数（与 T13 页面同一口径，按当前基地名录计算）。"),
        gettext_lazy("在用产教融合实习基地"),
        "",
        _records(
            (gettext_lazy("实习实训基地"), "cooperation:practicebase_list", {"owner": "code"}),
        ),
        as_of_today=True,
    ),
    "local_interns": Measure(
        gettext_lazy("市域内企业实习生比例（T16）"),
        local_interns,
        SHARE,
        gettext_lazy(
            "当年开始的实习（不含提前终止的）中，在市域内企业实习的人数除以实习总人数，按实习计划所属学校统计"
            "（与实习合规页同一口径）。"
        ),
        gettext_lazy("市域内企业实习生"),
        gettext_lazy("实习生"),
        _records((gettext_lazy("实习安排"), "cooperation:placement_list", {"school": "code"})),
    ),
    "enterprise_teachers": Measure(
        gettext_lazy("企业兼职教师占教师总数比例（R4）"),
        enterprise_teachers,
        SHARE,
        gettext_lazy("本职单位为企业的兼职教师人数，除以专兼职教师总数（按当前教师名册计算）。"),
        gettext_lazy("来自企业的兼职教师"),
        gettext_lazy("专兼职教师"),
        _records((gettext_lazy("教师"), "schools:teacher_list", {"school": "code"})),
        as_of_today=True,
    ),
    "practice_days": Measure(
        gettext_lazy("专任教师人均企业实践天数"),
        practice_days,
        DAYS,
        gettext_lazy("当年专任教师到企业实践的天数合计，除以专任教师人数（教师人数按当前名册）。"),
        gettext_lazy("企业实践天数"),
        gettext_lazy("专任教师"),
        _records(
            (
                gettext_lazy("教师企业实践"),
                "schools:teacherpractice_list",
                {"school": "code", "year": "year"},
            ),
        ),
    ),
    "local_employment": Measure(
        gettext_lazy("毕业生留郴就业率"),
        local_employment,
        SHARE,
        gettext_lazy("当年毕业生中在本市就业（含自主创业）的人数，除以就业（含自主创业）的人数。"),
        gettext_lazy("在本市就业"),
        gettext_lazy("就业毕业生"),
        _records(
            (
                gettext_lazy("毕业去向"),
                "enterprises:graduateoutcome_list",
                {"school": "code", "year": "year"},
            ),
        ),
    ),
    "target_attainment": Measure(
        gettext_lazy("学校层面目标达成率"),
        target_attainment,
        SHARE,
        gettext_lazy(
            "当年学校层面的各项目标中，达标计 1 项、接近目标计 0.5 项，除以有数据的目标项数（暂无数据和只监测"
            "的"
            "不计）。"
        ),
        gettext_lazy("达标项（接近目标计半项）"),
        gettext_lazy("有数据的目标项"),
        _records((gettext_lazy("目标与指标"), "governance:targets", {"year": "year"})),
    ),
}


def measure_choices() -> list[tuple[str, str]]:
    return [(key, str(m.label)) for key, m in MEASURES.items()]


def measure_label(key: str) -> str:
    measure = MEASURES.get(key)
    return str(measure.label) if measure else key


# --- scoring -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scored:
    value: Decimal | None
    points: Decimal
    note: str


def ratio(numerator, denominator) -> Decimal | None:
    """The value of a pair: numerator alone for a count (denominator ``None``), else the ratio; ``None``
    without data (no numerator, or a denominator of 0)."""
    if numerator is None:
        return None
    if denominator is None:
        return Decimal(numerator)
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def points_for(value: Decimal, *, weight: Decimal, floor: Decimal, full: Decimal) -> Decimal:
    """Linear between ``floor`` (0 points) and ``full`` (``weight`` points), clamped to [0, weight]; works
    for either direction (``floor`` above ``full`` where lower is better). Two decimals, half up."""
    weight, floor, full = Decimal(weight), Decimal(floor), Decimal(full)
    if full == floor:
        fraction = Decimal(1) if value == full else Decimal(0)
    else:
        fraction = (Decimal(value) - floor) / (full - floor)
    fraction = min(max(fraction, Decimal(0)), Decimal(1))
    return (weight * fraction).quantize(CENT, ROUND_HALF_UP)


def score(indicator, numerator, denominator, city: Decimal | None = None) -> Scored:
    """One indicator's value, points and note for a pair (``indicator`` has weight, floor, full and
    min_base). A denominator below ``min_base`` is too small a sample: the points are those of ``city`` (the
    city's value of the measure) and the note says so; the value kept is the school's own."""
    value = ratio(numerator, denominator)
    if value is None:
        return Scored(None, Decimal("0.00"), str(NO_DATA))
    value = value.quantize(Decimal("0.000001"), ROUND_HALF_UP)
    base = getattr(indicator, "min_base", 0) or 0
    if base and denominator is not None and Decimal(denominator) < base and city is not None:
        points = points_for(city, weight=indicator.weight, floor=indicator.floor, full=indicator.full)
        note = _("样本不足（%(n)s < %(m)s），按全市水平 %(city)s 计分") % {
            "n": Decimal(denominator).normalize(),
            "m": base,
            "city": value_text(SHARE, city),
        }
        return Scored(value, points, note)
    points = points_for(value, weight=indicator.weight, floor=indicator.floor, full=indicator.full)
    return Scored(value, points, "")


def city_value(figures: dict) -> Decimal | None:
    """The city's value of a measure: its schools' numerators over their denominators."""
    pairs = [(n, d) for n, d in figures.values() if n is not None and d]
    if not pairs:
        return None
    return ratio(sum(Decimal(n) for n, _d in pairs), sum(Decimal(d) for _n, d in pairs))


def ranks(totals: list[tuple[int, Decimal]]) -> dict[int, int]:
    """Competition ranks (1, 1, 3 …) of ``(key, total)`` pairs, highest first; ties share a rank."""
    ordered = sorted(totals, key=lambda kv: -kv[1])
    out: dict[int, int] = {}
    previous, rank = None, 0
    for position, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            rank, previous = position, total
        out[key] = rank
    return out


# --- writing values ----------------------------------------------------------------------------------------
def value_text(unit: str, value) -> str:
    """A value as the pages write it: 23.4%, 2 个, 3.5 天; 暂无数据 without one."""
    if value is None:
        return str(NO_DATA)
    value = Decimal(value)
    if unit == SHARE:
        return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    if unit == DAYS:
        return _("%(n)s 天") % {"n": value.quantize(Decimal("0.1"), ROUND_HALF_UP)}
    return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP).normalize():f}"


def number_text(value) -> str:
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value.quantize(CENT):f}"


def formula_text(unit: str, direction: str, floor, full, weight) -> str:
    """How points follow from the value, in words."""
    args = {
        "floor": value_text(unit, floor),
        "full": value_text(unit, full),
        "weight": number_text(weight),
    }
    if direction == Direction.LOWER:
        return (
            _(
                "越低越好：指标值不低于 %(floor)s 得 0 分，不高于 %(full)s 得满分 %(weight)s 分，其间按线性"
                "插值：分值 ×（零分值 − 指标值）÷（零分值 − 满分值）。"
            )
            % args
        )
    return (
        _(
            "越高越好：指标值不高于 %(floor)s 得 0 分，不低于 %(full)s 得满分 %(weight)s 分，其间按线性插值："
            "分值 ×（指标值 − 零分值）÷（满分值 − 零分值）。"
        )
        % args
    )


# --- the pages' rows ---------------------------------------------------------------------------------------
def snapshot(indicator) -> dict:
    """An indicator as it was when an assessment was computed (``Assessment.indicators``)."""
    return {
        "id": indicator.pk,
        "code": indicator.code,
        "name": indicator.name,
        "group": indicator.group,
        "measure": indicator.measure,
        "weight": str(indicator.weight),
        "direction": indicator.direction,
        "floor": str(indicator.floor),
        "full": str(indicator.full),
        "min_base": indicator.min_base,
        "source": indicator.source,
    }


def columns(assessment) -> list[dict]:
    """The indicators of an assessment as computed (its snapshot), with their measure's unit and label."""
    out = []
    for item in assessment.indicators or []:
        measure = MEASURES.get(item["measure"])
        out.append(
            item
            | {
                "unit": measure.unit if measure else COUNT,
                "measure_label": measure_label(item["measure"]),
                "weight_text": number_text(item["weight"]),
            }
        )
    return out


def scoped(qs, user, action: str = "view"):
    """``qs`` narrowed to the rows the user may take ``action`` on: ``restrict`` for the models whose manager
    has no ``restrict`` (the score and allocation lines are plain models)."""
    from xiaoqitong.core.policy import policy_for

    return policy_for(qs.model).scope(qs, user, action)


def visible_scores(user, assessment):
    from ..models import SchoolScore

    return (
        scoped(SchoolScore.objects.all(), user, "view")
        .filter(assessment=assessment)
        .select_related("school")
        .prefetch_related("lines")
        .order_by("rank", "school__code")
    )


def ranking_rows(user, assessment) -> list[dict]:
    """One row per school the user sees: rank, school, total, and each indicator's line (by indicator id).
    Three queries whatever the number of schools."""
    rows = []
    for score_row in visible_scores(user, assessment):
        lines = {line.indicator_id: line for line in score_row.lines.all()}
        rows.append({"score": score_row, "school": score_row.school, "lines": lines})
    return rows


def ranking_cells(row: dict, cols: list[dict]) -> list:
    return [row["lines"].get(col["id"]) for col in cols]


def explain(score_row, cols: list[dict], year: int) -> list[dict]:
    """Per indicator of the assessment: its inputs, value, bounds, weight, formula, points, note, and links
    to the records behind it."""
    lines = {line.indicator_id: line for line in score_row.lines.all()}
    out = []
    for col in cols:
        line = lines.get(col["id"])
        measure = MEASURES.get(col["measure"])
        unit = col["unit"]
        out.append(
            {
                "col": col,
                "line": line,
                "measure": measure,
                "numerator": number_text(line.numerator) if line else "—",
                "denominator": (
                    number_text(line.denominator) if line and line.denominator is not None else ""
                ),
                "value": value_text(unit, line.value if line else None),
                "floor": value_text(unit, col["floor"]),
                "full": value_text(unit, col["full"]),
                "formula": formula_text(unit, col["direction"], col["floor"], col["full"], col["weight"]),
                "records": measure.records(score_row.school, year) if measure and measure.records else [],
                "no_data": line is None or line.value is None,
            }
        )
    return out


def years_with_assessments(user) -> list[int]:
    from ..models import Assessment

    return list(Assessment.objects.restrict(user, "view").order_by("-year").values_list("year", flat=True))


def published(qs):
    return qs.filter(status=AssessmentStatus.PUBLISHED)
