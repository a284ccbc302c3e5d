"""Reads of skill sampling tests (三（七）): a year's pass rates per school and kind, the city's averages,
and a school's “质量概况” (its pass rates beside its teachers' figures).

How the figures are computed:

- a school's **pass rate** in a kind of test is the sum of its 合格人数 over the sum of its 参测人数,
  over every major (专业技能抽测) or major category (专业大类基础理论知识普测) tested that year;
  its **average score** is the mean of the reported averages weighted by the numbers tested (rows
  without an average are left out);
- the **city's** pass rate pools every school's numbers the same way (a large school weighs more); the
  page also gives the plain mean of the schools' pass rates, so that a reader sees both;
- a school that was not tested in a kind that year has no figure (暂无数据), never 0.

The policy sets no numeric target for these tests: they are shown, not compared.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from xiaoqitong.orgs.models import School

from ..choices import SkillTestKind
from ..models import SkillTestResult
from . import teachers as teacher_selectors

KINDS = list(SkillTestKind)
ONE = Decimal("0.1")


@dataclass
class Result:
    """Numbers tested and passed, and the weighted average score, of some rows of one kind."""

    tested: int = 0
    passed: int = 0
    scored: int = 0  # the numbers tested of the rows with an average score
    score_sum: Decimal = Decimal(0)
    subjects: int = 0

    @property
    def pass_rate(self) -> Decimal | None:
        """Passed over tested, in percent with one decimal; ``None`` without anyone tested."""
        if not self.tested:
            return None
        return (Decimal(self.passed) * 100 / Decimal(self.tested)).quantize(ONE, ROUND_HALF_UP)

    @property
    def average_score(self) -> Decimal | None:
        if not self.scored:
            return None
        return (self.score_sum / Decimal(self.scored)).quantize(ONE, ROUND_HALF_UP)


@dataclass
class SchoolResults:
    school: School
    own: bool = False
    kinds: dict[str, Result | None] = field(default_factory=dict)

    @property
    def cells(self) -> list[Result | None]:
        return [self.kinds.get(kind) for kind in KINDS]


def results_by_school(year: int, school_ids: list[int] | None = None) -> dict[int, dict[str, Result]]:
    """``{school_id: {kind: Result}}`` of the year (only the schools and kinds tested). One query."""
    qs = SkillTestResult.objects.filter(year=year)
    if school_ids is not None:
        qs = qs.filter(school_id__in=school_ids)
    rows = (
        qs.order_by()
        .values("school_id", "kind")
        .annotate(
            tested_sum=Sum("tested"),
            passed_sum=Sum("passed"),
            scored_sum=Sum("tested", filter=Q(average_score__isnull=False)),
            score_total=Sum(F("average_score") * F("tested"), filter=Q(average_score__isnull=False)),
            subject_count=Count("pk"),
        )
    )
    out: dict[int, dict[str, Result]] = {}
    for row in rows:
        out.setdefault(row["school_id"], {})[row["kind"]] = Result(
            tested=row["tested_sum"] or 0,
            passed=row["passed_sum"] or 0,
            scored=row["scored_sum"] or 0,
            score_sum=Decimal(row["score_total"] or 0),
            subjects=row["subject_count"] or 0,
        )
    return out


def city_results(by_school: dict[int, dict[str, Result]]) -> dict[str, dict]:
    """Per kind: the pooled ``Result`` of every school, and the plain mean of the schools' pass rates."""
    out = {}
    for kind in KINDS:
        pooled = Result()
        rates = []
        for kinds in by_school.values():
            result = kinds.get(kind)
            if result is None:
                continue
            pooled.tested += result.tested
            pooled.passed += result.passed
            pooled.scored += result.scored
            pooled.score_sum += result.score_sum
            pooled.subjects += result.subjects
            if result.pass_rate is not None:
                rates.append(result.pass_rate)
        mean = (sum(rates) / len(rates)).quantize(ONE, ROUND_HALF_UP) if rates else None
        out[kind] = {
            "kind": kind,
            "label": SkillTestKind(kind).label,
            "pooled": pooled,
            "mean": mean,
            "schools": len(rates),
        }
    return out


def summary(year: int, *, school_ids: list[int] | None = None, own_school_id: int | None = None) -> dict:
    """The “技能抽测” page of ``year``: the city's averages (from every school, whoever asks: they are
    aggregates) and one line per school among ``school_ids`` (every school tested that year, when
    ``None``), each with its pass rates and, beside them, its 双师型 and part-time shares."""
    every = results_by_school(year)
    city = city_results(every)
    ids = list(every) if school_ids is None else list(school_ids)
    schools = School.objects.filter(pk__in=ids).order_by("code")
    teacher_rows = teacher_selectors.overview(year, school_ids=ids) if ids else {"lines": []}
    teacher_cells = {line.school.pk: line.cells for line in teacher_rows["lines"]}
    lines = []
    for school in schools:
        line = SchoolResults(school=school, own=school.pk == own_school_id, kinds=every.get(school.pk, {}))
        line.dual = teacher_cells.get(school.pk, {}).get("dual")
        line.part_time = teacher_cells.get(school.pk, {}).get("part_time")
        lines.append(line)
    lines.sort(key=lambda line: (not line.own, line.school.code))
    return {
        "year": year,
        "city": [city[k] for k in KINDS],
        "lines": lines,
        "kinds": [(k, k.label) for k in KINDS],
    }


def school_results(school_id: int, year: int, user=None):
    """The school's result rows of the year (every kind), with their subjects; scoped to ``user`` when
    given (those who may not read the rows get none)."""
    qs = SkillTestResult.objects.filter(school_id=school_id, year=year)
    if user is not None:
        qs = qs.restrict(user, "view")
    return qs.select_related("major", "category").order_by("kind", "major__code", "category__code")


def school_quality(school_id: int, year: int) -> list[dict]:
    """The “质量概况” panel of a school: its pass rate in each kind of test, its 双师型 share and its
    part-time share against their targets. The other areas' figures join it through ``quality.targets``."""
    kinds = results_by_school(year, [school_id]).get(school_id, {})
    items = []
    for kind in KINDS:
        result = kinds.get(kind)
        rate = result.pass_rate if result else None
        items.append(
            {
                "label": kind.label,
                "text": f"{rate}%" if rate is not None else None,
                "detail": f"{result.passed}/{result.tested}" if result else "",
                "met": None,
                "target": "",
                "source": _("三（七），不设量化目标"),
                "kind": kind.value,
            }
        )
    for key, row in teacher_selectors.school_teacher_figures(school_id, year).items():
        items.append(
            {
                "label": row.measure.label,
                "text": row.text if row.value is not None else None,
                "detail": f"{row.figure.numerator}/{row.figure.denominator}" if row.value is not None else "",
                "met": row.met,
                "target": row.target_text,
                "source": f"{row.target_id}，{row.source}",
                "kind": key,
            }
        )
    return items
