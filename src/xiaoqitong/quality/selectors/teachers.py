"""Reads of the teachers' figures (T18-T23, 五（十二）-（十四）): the measures registered with
``quality.targets`` and the rows of the “师资队伍” page, its export and its API.

Where the figures come from and what they mean:

- **Teachers** are ``schools.Teacher`` rows as they are *today*: the platform keeps no history of a teacher's
  employment, 双师型 status or title, so the ratios T18 and T20 and the counts of T21 are the same whatever
  the year asked for (the page says so). A school without teachers has no figure (暂无数据), never 0.
- **T18** ``part_time_teacher_share_max`` (per school and city): part-time (兼职) teachers over all teachers
  (专任 + 兼职), at most the rule's share.
- **T20** ``dual_qualified_share_min``: see :func:`dual_qualified_figures`.
- **T21** ``provincial_masters_min`` / ``city_masters_min`` (city counts): see :func:`master_figures`.
- **T22** ``national_training_bases_min`` / ``provincial_training_bases_min`` (city counts): the
  ``TeacherTrainingBase`` rows of each level recognized in or before the year.
- **T19** ``special_post_funding_min`` (per school): the year's ``SpecialPostFunding`` amount over its posts
  (yuan per post); the city figure adds up every school's amounts and posts. A school that reported no row
  for the year has no figure.
- **T23** ``tech_service_teacher_share_min`` (per school): the year's ``TechServiceIncome`` paid to teachers
  over its surplus; a school without a row, or with no surplus, has no figure.
- **Enterprise practice** (五（十三）: 教师定期到企业实践; no numeric target): the days of the year's
  ``schools.TeacherPractice`` rows of full-time teachers, per full-time teacher.

Every function here runs a fixed number of queries, whatever the number of schools.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy

from xiaoqitong.orgs.models import School
from xiaoqitong.schools.choices import Employment, MasterLevel
from xiaoqitong.schools.models import Teacher, TeacherPractice

from .. import targets
from ..choices import TrainingBaseLevel
from ..models import SpecialPostFunding, TeacherTrainingBase, TechServiceIncome
from ..rules import RuleKey
from ..targets import CITY, Figure

# T21: a teacher's ``master_level`` holds their highest title. A 国家级教学名师 has passed the provincial
# bar and a 省级 the city's, so each count is "at that level or above" (a national master counts towards the
# provincial target and the city's; a provincial one towards the city's).
PROVINCIAL_OR_ABOVE = (MasterLevel.PROVINCE, MasterLevel.NATIONAL)
CITY_OR_ABOVE = (MasterLevel.CITY, MasterLevel.PROVINCE, MasterLevel.NATIONAL)

TEACHER_KEYS = [
    RuleKey.PART_TIME_TEACHER_SHARE_MAX,
    RuleKey.SPECIAL_POST_FUNDING_MIN,
    RuleKey.DUAL_QUALIFIED_SHARE_MIN,
    RuleKey.PROVINCIAL_MASTERS_MIN,
    RuleKey.CITY_MASTERS_MIN,
    RuleKey.NATIONAL_TRAINING_BASES_MIN,
    RuleKey.PROVINCIAL_TRAINING_BASES_MIN,
    RuleKey.TECH_SERVICE_TEACHER_SHARE_MIN,
]
NO_HISTORY_NOTE = gettext_lazy("教师数据为当前在册情况（平台不保存历史），任何年度都按当前名册计算。")


# --- counts ---------------------------------------------------------------------------------------
def teacher_counts() -> dict[int, dict[str, int]]:
    """Per school id: ``total``, ``full_time``, ``part_time``, ``dual`` (dual-qualified full-time teachers),
    ``provincial_masters``, ``city_masters`` (at that level or above) and ``special_posts``. Schools without
    teachers are absent. One query."""
    full_time = Q(employment=Employment.FULL_TIME)
    rows = (
        Teacher.objects.order_by()
        .values("school_id")
        .annotate(
            total=Count("pk"),
            full_time=Count("pk", filter=full_time),
            part_time=Count("pk", filter=Q(employment=Employment.PART_TIME)),
            dual=Count("pk", filter=full_time & Q(is_dual_qualified=True)),
            provincial_masters=Count("pk", filter=Q(master_level__in=PROVINCIAL_OR_ABOVE)),
            city_masters=Count("pk", filter=Q(master_level__in=CITY_OR_ABOVE)),
            special_posts=Count("pk", filter=Q(is_special_post=True)),
        )
    )
    return {row.pop("school_id"): row for row in rows}


def practice_days(year: int) -> dict[int, int]:
    """Per school id: the days of enterprise practice of its full-time teachers in ``year``. One query."""
    rows = (
        TeacherPractice.objects.filter(year=year, teacher__employment=Employment.FULL_TIME)
        .order_by()
        .values("teacher__school_id")
        .annotate(days=Sum("days"))
    )
    return {row["teacher__school_id"]: row["days"] for row in rows}


def _ratio_figures(counts: dict[int, dict], numerator: str, denominator: str) -> dict[int | None, Figure]:
    figures: dict[int | None, Figure] = {
        school_id: Figure(c[numerator], c[denominator]) for school_id, c in counts.items()
    }
    figures[CITY] = Figure(
        sum(c[numerator] for c in counts.values()), sum(c[denominator] for c in counts.values())
    )
    return figures


# --- the measures ---------------------------------------------------------------------------------
def part_time_figures(year: int) -> dict[int | None, Figure]:
    """T18: part-time teachers / all teachers (专任 + 兼职), per school and for the city (as of today)."""
    return _ratio_figures(teacher_counts(), "part_time", "total")


def dual_qualified_figures(year: int) -> dict[int | None, Figure]:
    """T20: dual-qualified (“双师型”) full-time teachers / full-time teachers, per school and for the city.

    The policy (五（十三）) means the share among 专业课教师 (teachers of the vocational
    subjects); the platform records no teacher's subject, so every full-time (专任) teacher
    counts, which understates the share where a school has many teachers of general subjects.
    Part-time teachers are left out of both sides: they come from enterprises and are not
    assessed as 双师型. A school without full-time teachers has no figure.
    As of today, whatever the year (no history is kept)."""
    return _ratio_figures(teacher_counts(), "dual", "full_time")


def master_figures(level: str):
    """T21: the city's count of 教学名师 at ``level`` or above (``PROVINCIAL_OR_ABOVE`` or ``CITY_OR_ABOVE``),
    full-time and part-time alike, as of today; no data while the platform holds no teacher at all."""
    name = "provincial_masters" if level == MasterLevel.PROVINCE else "city_masters"

    def compute(year: int) -> dict[int | None, Figure]:
        counts = teacher_counts()
        if not counts:
            return {CITY: Figure.count(None)}
        return {CITY: Figure.count(sum(c[name] for c in counts.values()))}

    compute.__name__ = f"{name}_figures"
    return compute


def training_base_counts(year: int) -> dict[str, int]:
    """The training bases of each level recognized in or before ``year``. One query."""
    rows = (
        TeacherTrainingBase.objects.filter(recognized_year__lte=year)
        .order_by()
        .values("level")
        .annotate(n=Count("pk"))
    )
    return {row["level"]: row["n"] for row in rows}


def training_base_figures(level: str):
    """T22: the city's count of “双师型”教师培训基地 of ``level`` recognized up to the year (0 is a real
    count: the bases are registered by the officers who follow them)."""

    def compute(year: int) -> dict[int | None, Figure]:
        return {CITY: Figure.count(training_base_counts(year).get(level, 0))}

    compute.__name__ = f"{level}_training_base_figures"
    return compute


def special_post_figures(year: int) -> dict[int | None, Figure]:
    """T19: per school the year's funding over its 特岗 posts (yuan per post); the city adds up amounts and
    posts. Schools without a row for the year are absent (no data)."""
    rows = list(SpecialPostFunding.objects.filter(year=year).values_list("school_id", "amount", "posts"))
    figures: dict[int | None, Figure] = {
        school_id: Figure(amount, posts) for school_id, amount, posts in rows
    }
    figures[CITY] = Figure(sum(r[1] for r in rows), sum(r[2] for r in rows)) if rows else Figure(None)
    return figures


def tech_service_figures(year: int) -> dict[int | None, Figure]:
    """T23: per school the year's technical-service surplus paid to teachers over the surplus; the city adds
    them up. No row, or no surplus, is no data."""
    rows = list(
        TechServiceIncome.objects.filter(year=year).values_list("school_id", "paid_to_teachers", "surplus")
    )
    figures: dict[int | None, Figure] = {
        school_id: Figure(paid, surplus) for school_id, paid, surplus in rows
    }
    figures[CITY] = Figure(sum(r[1] for r in rows), sum(r[2] for r in rows)) if rows else Figure(None)
    return figures


URL = "quality:teachers_overview"
T18 = targets.register(
    targets.Measure(
        rule=RuleKey.PART_TIME_TEACHER_SHARE_MAX,
        label=gettext_lazy("兼职教师占专兼职教师总数的比例"),
        unit=targets.SHARE,
        comparison=targets.LE,
        compute=part_time_figures,
        numerator_label=gettext_lazy("兼职教师"),
        denominator_label=gettext_lazy("专兼职教师"),
        url_name=URL,
        order=180,
        note=NO_HISTORY_NOTE,
    )
)
T19 = targets.register(
    targets.Measure(
        rule=RuleKey.SPECIAL_POST_FUNDING_MIN,
        label=gettext_lazy("特岗教师人均保障经费"),
        unit=targets.MONEY,
        comparison=targets.GE,
        compute=special_post_figures,
        numerator_label=gettext_lazy("保障经费（元）"),
        denominator_label=gettext_lazy("特岗数"),
        url_name=URL,
        order=190,
        note=gettext_lazy("按学校填报的当年特岗教师经费计算；未填报的学校暂无数据。"),
    )
)
T20 = targets.register(
    targets.Measure(
        rule=RuleKey.DUAL_QUALIFIED_SHARE_MIN,
        label=gettext_lazy("“双师型”教师比例"),
        unit=targets.SHARE,
        comparison=targets.GE,
        compute=dual_qualified_figures,
        numerator_label=gettext_lazy("“双师型”专任教师"),
        denominator_label=gettext_lazy("专任教师"),
        url_name=URL,
        order=200,
        note=gettext_lazy(
            "政策指专业课教师中的比例；平台未记录教师任教科目，按全部专任教师计算。教师数据为当前在册情况。"
        ),
    )
)
T21_PROVINCE = targets.register(
    targets.Measure(
        rule=RuleKey.PROVINCIAL_MASTERS_MIN,
        label=gettext_lazy("省级教学名师数"),
        unit=targets.COUNT,
        comparison=targets.GE,
        compute=master_figures(MasterLevel.PROVINCE),
        scopes=("city",),
        numerator_label=gettext_lazy("省级及以上教学名师"),
        url_name=URL,
        order=210,
        note=gettext_lazy("国家级教学名师计入省级。教师数据为当前在册情况。"),
    )
)
T21_CITY = targets.register(
    targets.Measure(
        rule=RuleKey.CITY_MASTERS_MIN,
        label=gettext_lazy("市级教学名师数"),
        unit=targets.COUNT,
        comparison=targets.GE,
        compute=master_figures(MasterLevel.CITY),
        scopes=("city",),
        numerator_label=gettext_lazy("市级及以上教学名师"),
        url_name=URL,
        order=211,
        note=gettext_lazy("省级、国家级教学名师计入市级。教师数据为当前在册情况。"),
    )
)
T22_NATIONAL = targets.register(
    targets.Measure(
        rule=RuleKey.NATIONAL_TRAINING_BASES_MIN,
        label=gettext_lazy("国家级“双师型”教师培训基地数"),
        unit=targets.COUNT,
        comparison=targets.GE,
        compute=training_base_figures(TrainingBaseLevel.NATIONAL),
        scopes=("city",),
        numerator_label=gettext_lazy("截至当年认定的基地"),
        url_name=URL,
        order=220,
    )
)
T22_PROVINCE = targets.register(
    targets.Measure(
        rule=RuleKey.PROVINCIAL_TRAINING_BASES_MIN,
        label=gettext_lazy("省级“双师型”教师培训基地数"),
        unit=targets.COUNT,
        comparison=targets.GE,
        compute=training_base_figures(TrainingBaseLevel.PROVINCE),
        scopes=("city",),
        numerator_label=gettext_lazy("截至当年认定的基地"),
        url_name=URL,
        order=221,
    )
)
T23 = targets.register(
    targets.Measure(
        rule=RuleKey.TECH_SERVICE_TEACHER_SHARE_MIN,
        label=gettext_lazy("技术服务收入结余用于教师劳动报酬的比例"),
        unit=targets.SHARE,
        comparison=targets.GE,
        compute=tech_service_figures,
        numerator_label=gettext_lazy("用于教师劳动报酬（元）"),
        denominator_label=gettext_lazy("收入结余（元）"),
        url_name=URL,
        order=230,
        note=gettext_lazy("按学校填报的当年技术服务收入计算；未填报或无结余的学校暂无数据。"),
    )
)
SCHOOL_MEASURES = {"part_time": T18, "dual": T20, "funding": T19, "tech": T23}


# --- the “师资队伍” page --------------------------------------------------------------------------------
def per_teacher(days: int | None, teachers: int) -> Decimal | None:
    """Days per full-time teacher, one decimal (``None`` without full-time teachers)."""
    if not teachers:
        return None
    return (Decimal(days or 0) / Decimal(teachers)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class SchoolLine:
    """One school's line on the “师资队伍” page: its counts, and its figures against the targets."""

    school: School
    own: bool
    counts: dict
    cells: dict[str, targets.Row] = field(default_factory=dict)
    days: int | None = None
    days_per_teacher: Decimal | None = None

    @property
    def teachers(self) -> int:
        return self.counts.get("total", 0)


def _describe(row: targets.Row) -> targets.Row:
    row.text = targets.value_text(row.measure, row.value)
    row.target_text = targets.target_text(row.measure, row.target)
    return row


def overview(year: int, *, school_ids: list[int] | None = None, own_school_id: int | None = None) -> dict:
    """Everything of the “师资队伍” page for ``year``: the city's rows of every teachers' measure (figure,
    target, result, source) and one line per school (every school, or those of ``school_ids``), the school
    ``own_school_id`` first, then by code. A fixed number of queries."""
    schools = School.objects.order_by("code")
    if school_ids is not None:
        schools = schools.filter(pk__in=school_ids)
    schools = list(schools)
    rows = targets.evaluate(year, school_ids=[s.pk for s in schools], keys=TEACHER_KEYS)
    city = [_describe(r) for r in rows if r.school_id is CITY]
    by_key = {(r.measure.rule, r.school_id): _describe(r) for r in rows if r.school_id is not CITY}
    counts = teacher_counts()
    days = practice_days(year)
    lines = []
    for school in schools:
        c = counts.get(school.pk, {})
        line = SchoolLine(school=school, own=school.pk == own_school_id, counts=c)
        line.cells = {name: by_key[(m.rule, school.pk)] for name, m in SCHOOL_MEASURES.items()}
        if c.get("full_time"):
            line.days = days.get(school.pk, 0)
            line.days_per_teacher = per_teacher(line.days, c["full_time"])
        lines.append(line)
    lines.sort(key=lambda line: (not line.own, line.school.code))
    return {"year": year, "city": city, "lines": lines, "school_measures": SCHOOL_MEASURES}


def school_teacher_figures(school_id: int, year: int) -> dict[str, targets.Row]:
    """The 双师型 share (T20) and the part-time share (T18) of one school against their targets, for the
    “质量概况” panel (``{"dual": Row, "part_time": Row}``)."""
    rows = targets.evaluate(year, school_ids=[school_id], keys=[T18.rule, T20.rule])
    out = {}
    for row in rows:
        if row.school_id == school_id:
            out["dual" if row.measure is T20 else "part_time"] = _describe(row)
    return out
