"""Reads of certificates and competitions: the T3 measure (1+X coverage, registered with ``quality.targets``),
the coverage page per school and per major, exam-centre pass rates and award counts per school.

Which students count for T3 in a year (“1+X 证书制度试点学生覆盖面”), kept simple and the same everywhere:

- **the denominator** is the students *at school now* (status 在读 or 实习: ``schools.choices.StudentStatus``)
  who had enrolled by that year (``grade``, the year of entry, not after it): the cohorts of the year that are
  still at school. The platform keeps a student's current status only, not its history, so a past year's
  figure is computed from today's roster (graduates have left it) and may move as students graduate;
- **the numerator** is those of them who hold at least one 1+X 职业技能等级证书
  (``reference.choices.CertificateKind.ONE_PLUS_X``) awarded on or before 31 December of that year; a
  student with several 1+X certificates counts once;
- **per school** the students of the school; **per major** the catalog major of the student's 开设专业 row
  (their latest school year); **the city** adds up every school (numerator and denominator alike).

A school without students in school for the year has no figure (no data, never 0%).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from xiaoqitong.core.formats import rate
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.choices import CertificateKind
from xiaoqitong.schools.choices import StudentStatus
from xiaoqitong.schools.models import Student

from .. import rules, targets
from ..choices import CompetitionLevel, Prize
from ..models import CertificateAward, CompetitionAward
from ..policies.certificates import own_school_id, sees_every_school
from ..rules import RuleKey

IN_SCHOOL = (StudentStatus.STUDYING, StudentStatus.INTERNING)
ONE_PLUS_X = CertificateKind.ONE_PLUS_X


# --- T3: 1+X coverage -----------------------------------------------------------------------------
def counted_students(year: int) -> QuerySet:
    """The students of ``year``'s denominator: at school now, enrolled in ``year`` or before."""
    return Student.objects.filter(status__in=IN_SCHOOL, grade__lte=year)


def holds_1x(year: int) -> Exists:
    """Whether the student (``OuterRef("pk")``) holds a 1+X certificate awarded by the end of ``year``."""
    return Exists(
        CertificateAward.objects.filter(
            student=OuterRef("pk"),
            certificate__kind=ONE_PLUS_X,
            awarded_on__lte=dt.date(year, 12, 31),
        )
    )


def coverage_by(year: int, group: str, students: QuerySet | None = None) -> dict:
    """``{value of group: (holders, students)}`` for ``year``, grouped by one field path of Student (e.g.
    ``school_id``); one query."""
    qs = counted_students(year) if students is None else students
    rows = (
        qs.order_by()
        .values(group)
        .annotate(students=Count("pk"), holders=Count("pk", filter=Q(holds_1x(year))))
        .order_by()
    )
    return {row[group]: (row["holders"], row["students"]) for row in rows}


def coverage_figures(year: int) -> dict:
    """T3: ``{school_id: Figure(holders, students), None: the city's}`` (schools with students only)."""
    by_school = coverage_by(year, "school_id")
    out: dict = {sid: targets.Figure(h, n) for sid, (h, n) in by_school.items()}
    holders = sum(h for h, _n in by_school.values())
    students = sum(n for _h, n in by_school.values())
    out[targets.CITY] = targets.Figure(holders, students) if students else targets.Figure(None)
    return out


T3 = targets.register(
    targets.Measure(
        rule=RuleKey.CERT_1X_COVERAGE_MIN,
        label=gettext_lazy("1+X 证书制度试点学生覆盖面"),
        unit=targets.SHARE,
        comparison=targets.GE,
        compute=coverage_figures,
        scopes=("city", "school"),
        numerator_label=gettext_lazy("持 1+X 证书学生"),
        denominator_label=gettext_lazy("在校生"),
        url_name="quality:certificate_coverage",
        order=30,
        note=gettext_lazy(
            "在校生（在读、实习）中入学年份不晚于当年者；持有当年年底前取得的 1+X 证书者计入。"
        ),
    )
)


@dataclass
class CoverageLine:
    """One line of the coverage page: a school (or a major of a school) against the target."""

    label: str
    code: str
    holders: int
    students: int
    target: Decimal
    school: School | None = None
    major_id: int | None = None

    @property
    def coverage(self) -> Decimal | None:
        """Percent with one decimal (23.4); None without students."""
        return rate(self.holders, self.students)

    @property
    def met(self) -> bool | None:
        if not self.students:
            return None
        return Decimal(self.holders) >= self.target * self.students

    @property
    def short(self) -> int | None:
        """Holders still missing to reach the target (0 when met)."""
        if not self.students:
            return None
        needed = (self.target * self.students).to_integral_value(rounding="ROUND_CEILING")
        return max(int(needed) - self.holders, 0)


def _target() -> dict:
    rule = rules.rule(RuleKey.CERT_1X_COVERAGE_MIN)
    return {
        "value": rule.value,
        "percent": f"{(rule.value * 100).normalize():f}",
        "target_id": rule.target,
        "source": rule.source,
        "cite": f"{rule.target}，{rule.source}",
    }


def visible_school_ids(user, ids) -> set[int]:
    if sees_every_school(user):
        return set(ids)
    own = own_school_id(user)
    return {own} if own else set()


def coverage_report(user, year: int) -> dict:
    """The coverage page and its API for ``user`` in ``year``: the city's figure against the target with its
    source, and the school lines the user may read (every school with students for officers, researchers
    and platform administrators; their own for school staff). Two queries whatever the number of schools."""
    target = _target()
    by_school = coverage_by(year, "school_id")
    holders = sum(h for h, _n in by_school.values())
    students = sum(n for _h, n in by_school.values())
    city = CoverageLine(str(gettext_lazy("全市")), "", holders, students, target["value"])
    ids = visible_school_ids(user, by_school)
    schools = School.objects.filter(pk__in=ids).order_by("code")
    lines = [
        CoverageLine(s.name, s.code, *by_school.get(s.pk, (0, 0)), target["value"], school=s) for s in schools
    ]
    return {
        "year": year,
        "target": target,
        "city": city,
        "schools": lines,
        "schools_met": sum(1 for line in lines if line.met),
        "schools_with_data": sum(1 for line in lines if line.met is not None),
        "all_schools": sees_every_school(user),
    }


def major_report(school: School, year: int) -> dict:
    """One school's coverage per catalog major (the majors of its students at school), with the school's
    total; two queries."""
    target = _target()
    students = counted_students(year).filter(school=school)
    by_major = coverage_by(year, "school_major__major_id", students)
    from xiaoqitong.reference.models import Major

    majors = Major.objects.in_bulk(list(by_major))
    lines = sorted(
        (
            CoverageLine(
                majors[mid].name, majors[mid].code, h, n, target["value"], school=school, major_id=mid
            )
            for mid, (h, n) in by_major.items()
        ),
        key=lambda line: line.code,
    )
    total = CoverageLine(
        school.name,
        school.code,
        sum(line.holders for line in lines),
        sum(line.students for line in lines),
        target["value"],
        school=school,
    )
    return {"year": year, "target": target, "school": school, "total": total, "majors": lines}


# --- awards of a student ---------------------------------------------------------------------------
def own_student(user) -> Student | None:
    """The student record of a student-role user (None for anyone else)."""
    if not user.is_authenticated:
        return None
    return Student.objects.filter(user_id=user.pk).select_related("school").first()


def my_certificates(user) -> dict:
    """The “我的证书” page: the student's certificates and competition awards (their own rows only)."""
    awards = (
        CertificateAward.objects.restrict(user, "view")
        .filter(student__user_id=user.pk)
        .select_related("certificate", "session__centre")
        .order_by("-awarded_on", "pk")
    )
    prizes = (
        CompetitionAward.objects.restrict(user, "view")
        .filter(student__user_id=user.pk)
        .select_related("competition", "teacher")
        .order_by("-competition__year", "pk")
    )
    awards = list(awards)
    return {
        "student": own_student(user),
        "awards": awards,
        "one_plus_x": sum(1 for a in awards if a.certificate.kind == ONE_PLUS_X),
        "prizes": list(prizes),
    }


# --- exam centres ----------------------------------------------------------------------------------
def pass_rate(passed: int | None, candidates: int | None) -> Decimal | None:
    """Percent passed, one decimal; None without candidates."""
    return rate(passed, candidates)


def with_session_totals(qs: QuerySet) -> QuerySet:
    """Exam centres annotated with ``session_count``, ``candidates_total`` and ``passed_total``."""
    return qs.annotate(
        session_count=Count("sessions", distinct=True),
        candidates_total=Coalesce(Sum("sessions__candidates"), 0, output_field=IntegerField()),
        passed_total=Coalesce(Sum("sessions__passed"), 0, output_field=IntegerField()),
    )


# --- competition awards per school ----------------------------------------------------------------
PRIZES = [value for value, _label in Prize.choices]


def award_counts(qs: QuerySet) -> dict[int, dict[str, int]]:
    """``{school_id: {prize: n, "total": n}}`` of a CompetitionAward queryset; one query."""
    rows = qs.order_by().values("school_id", "prize").annotate(n=Count("pk")).order_by()
    out: dict[int, dict[str, int]] = {}
    for row in rows:
        counts = out.setdefault(row["school_id"], dict.fromkeys([*PRIZES, "total"], 0))
        counts[row["prize"]] += row["n"]
        counts["total"] += row["n"]
    return out


@dataclass
class AwardLine:
    school: School
    counts: dict

    @property
    def cells(self) -> list[int]:
        return [self.counts[p] for p in PRIZES]

    @property
    def total(self) -> int:
        return self.counts["total"]


def award_lines(qs: QuerySet, school_ids: set[int] | None = None) -> list[AwardLine]:
    """Award counts per school (most awards first), among ``school_ids`` when given; two queries."""
    counts = award_counts(qs)
    ids = set(counts) if school_ids is None else set(counts) & school_ids
    schools = School.objects.in_bulk(list(ids))
    lines = [AwardLine(schools[sid], counts[sid]) for sid in ids]
    return sorted(lines, key=lambda line: (-line.total, line.school.code))


def award_counts_report(user, year: int | None, level: str = "") -> dict:
    """Award counts per school for a year (and level), as the user may read them: every school for the
    aggregate readers, their own for school staff. Competitions of the year with their award numbers too."""
    awards = CompetitionAward.objects.all()
    if year:
        awards = awards.filter(competition__year=year)
    if level:
        awards = awards.filter(competition__level=level)
    school_ids = None if sees_every_school(user) else ({own_school_id(user)} - {None})
    lines = award_lines(awards, school_ids)
    levels = dict(CompetitionLevel.choices)
    return {
        "year": year,
        "level": level,
        "level_label": levels.get(level, ""),
        "prizes": Prize.choices,
        "lines": lines,
        "totals": [sum(line.counts[p] for line in lines) for p in PRIZES],
        "total": sum(line.total for line in lines),
        "all_schools": sees_every_school(user),
    }
