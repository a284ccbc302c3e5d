"""Reads of social training: person-times of sessions and programmes, the T4 and T6 figures (registered with
``quality.targets``), and the person-times page and its API.

How person-times are counted (二（三）, T4, T6):

- **A session** counts the rows of its roster (one row, one person-time: the same person on two sessions
  counts twice). A session without a roster counts its ``reported_person_times`` (community and seniors'
  education are often reported as a number). A session with a roster never adds its reported number.
- **A year** counts the sessions that *ended* in it (``end_date``'s year), whatever the programme's ``year``
  says: a programme running across the new year adds each session to the year it ended in.
- **T4** (city): every session of the year, whoever provides it (schools, enterprises, training centres),
  against the rule's 100,000 a year.
- **T6** (per school): the person-times of the programmes the school provides (``provider_school``) over its
  full-time enrolment of the same year (``orgs.SchoolEnrolment.full_time_students``), against the rule's 2x.
  A school without an enrolment row for the year (or with 0 students) has no figure: "no data", not 0. The
  city's T6 figure adds up the schools that have an enrolment row (numerator and denominator alike).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core.formats import rate
from xiaoqitong.orgs.models import Department, School, SchoolEnrolment

from .. import rules, targets
from ..choices import TrainingKind
from ..models import TrainingParticipant, TrainingProgramme, TrainingSession
from ..policies.training import provider_org, sees_every_school
from ..rules import RuleKey


# --- person-times of sessions and programmes ------------------------------------------------------
def roster_size():
    """The number of roster rows of the session (``OuterRef("pk")``), 0 without a roster."""
    rows = (
        TrainingParticipant.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows[:1], output_field=IntegerField()), 0)


def with_person_times(qs: QuerySet) -> QuerySet:
    """Sessions annotated with ``roster_size`` and ``person_times`` (the roster's rows, or the reported
    number when there is no roster)."""
    return qs.annotate(roster_size=roster_size()).annotate(
        person_times=Case(
            When(roster_size__gt=0, then=F("roster_size")),
            default=F("reported_person_times"),
            output_field=IntegerField(),
        )
    )


def programme_person_times(year: int | None = None):
    """The person-times of the programme (``OuterRef("pk")``): all its sessions, or those ended in
    ``year``; 0 without sessions."""
    sessions = TrainingSession.objects.filter(programme=OuterRef("pk"))
    if year is not None:
        sessions = sessions.filter(end_date__year=year)
    total = (
        with_person_times(sessions.order_by())
        .values("programme")
        .annotate(total=Sum("person_times"))
        .values("total")
    )
    return Coalesce(Subquery(total[:1], output_field=IntegerField()), 0)


def sessions_of_year(year: int) -> QuerySet:
    """The sessions that count in ``year``: those that ended in it."""
    return TrainingSession.objects.filter(end_date__year=year)


def person_times_by(year: int, group: str, sessions: QuerySet | None = None) -> dict:
    """``{value of group: person-times}`` of the year's sessions, grouped by one field path (e.g.
    ``programme__kind``); one query."""
    qs = sessions if sessions is not None else sessions_of_year(year)
    rows = with_person_times(qs.order_by()).values(group).annotate(total=Sum("person_times")).order_by()
    return {row[group]: row["total"] or 0 for row in rows}


def city_person_times(year: int) -> tuple[int | None, int]:
    """``(person-times, sessions)`` of the city in ``year``; ``None`` person-times when no session ended in
    it (no data, not 0)."""
    sessions = sessions_of_year(year).count()
    if not sessions:
        return None, 0
    total = with_person_times(sessions_of_year(year).order_by()).aggregate(total=Sum("person_times"))["total"]
    return total or 0, sessions


def enrolments(year: int) -> dict[int, int]:
    """``{school_id: full-time students}`` of the schools with an enrolment row for ``year``."""
    return dict(SchoolEnrolment.objects.filter(year=year).values_list("school_id", "full_time_students"))


# --- measures (quality.targets) -------------------------------------------------------------------
def city_training_figures(year: int) -> dict:
    """T4: the city's person-times in ``year`` (a count)."""
    total, _sessions = city_person_times(year)
    return {targets.CITY: targets.Figure.count(total)}


def school_training_figures(year: int) -> dict:
    """T6: each school's person-times (programmes it provides) over its full-time enrolment of ``year``; the
    schools that have training or an enrolment row. No enrolment row: the figure has no denominator (no
    data)."""
    by_school = person_times_by(year, "programme__provider_school")
    by_school.pop(None, None)
    students = enrolments(year)
    out: dict = {
        school_id: targets.Figure(by_school.get(school_id, 0), students.get(school_id))
        for school_id in set(by_school) | set(students)
    }
    out[targets.CITY] = (
        targets.Figure(sum(by_school.get(s, 0) for s in students), sum(students.values()))
        if students
        else targets.Figure(None)
    )
    return out


T4 = targets.register(
    targets.Measure(
        rule=RuleKey.CITY_TRAINING_MIN,
        label=gettext_lazy("全市年培训人次"),
        unit=targets.COUNT,
        comparison=targets.GE,
        compute=city_training_figures,
        scopes=("city",),
        numerator_label=gettext_lazy("培训人次"),
        url_name="quality:training_person_times",
        order=40,
        note=gettext_lazy("按结业日期所在年度统计；有花名册的班次按花名册人数，其余按填报人次。"),
    )
)
T6 = targets.register(
    targets.Measure(
        rule=RuleKey.SCHOOL_TRAINING_RATIO_MIN,
        label=gettext_lazy("职业院校年培训人次与全日制在校生之比"),
        unit=targets.MULTIPLE,
        comparison=targets.GE,
        compute=school_training_figures,
        scopes=("city", "school"),
        numerator_label=gettext_lazy("承办培训人次"),
        denominator_label=gettext_lazy("全日制在校生"),
        url_name="quality:training_person_times",
        order=60,
        note=gettext_lazy("没有当年在校生规模的学校暂无数据。"),
    )
)


# --- the person-times page ------------------------------------------------------------------------
def multiple(numerator: int | None, denominator: int | None) -> Decimal | None:
    """``numerator / denominator`` to two decimals (2.31 倍); ``None`` without a denominator."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01"))


@dataclass
class SchoolLine:
    """A school's T6 line: its person-times against its full-time enrolment times the rule's multiple."""

    school: School
    person_times: int
    enrolment: int | None
    target: Decimal
    multiple: Decimal | None = None
    required: int | None = None  # person-times the rule asks for (target × enrolment)
    short: int | None = None  # person-times still missing (0 when met)
    met: bool | None = None

    def __post_init__(self):
        self.multiple = multiple(self.person_times, self.enrolment)
        if self.enrolment:
            self.required = int((self.target * self.enrolment).to_integral_value())
            self.short = max(self.required - self.person_times, 0)
            self.met = Decimal(self.person_times) >= self.target * self.enrolment


@dataclass
class Share:
    label: str
    person_times: int
    key: str = ""
    share: Decimal | None = field(default=None)  # percent of the city's person-times, one decimal


def _shares(items: list[Share], total: int | None) -> list[Share]:
    for item in items:
        item.share = rate(item.person_times, total)
    return items


def school_lines(user, year: int, *, target: Decimal | None = None) -> list[SchoolLine]:
    """T6 lines the user may read: every school with training or an enrolment row in ``year`` for officers,
    researchers and platform administrators; their own school for school staff (even without either); none
    for others. Three queries whatever the number of schools."""
    target = rules.value(RuleKey.SCHOOL_TRAINING_RATIO_MIN) if target is None else target
    by_school = person_times_by(year, "programme__provider_school")
    by_school.pop(None, None)
    students = enrolments(year)
    if sees_every_school(user):
        ids = set(by_school) | set(students)
    else:
        school_id, _enterprise = provider_org(user)
        ids = {school_id} if school_id else set()
    schools = School.objects.filter(pk__in=ids).order_by("code")
    return [SchoolLine(s, by_school.get(s.pk, 0), students.get(s.pk), target) for s in schools]


def my_programmes(user, year: int) -> list[TrainingProgramme]:
    """The programmes of the user's own school or enterprise that have sessions ended in ``year`` or are of
    that year, each with ``year_person_times`` (provider staff only; officers use the list page)."""
    if not any(provider_org(user)):
        return []
    qs = (
        TrainingProgramme.objects.restrict(user, "view")
        .filter(Q(year=year) | Q(sessions__end_date__year=year))
        .distinct()
        .select_related("funding_department")
        .annotate(year_person_times=programme_person_times(year))
        .order_by("code")
    )
    return list(qs)


def provider_kind():
    """Who provides a session's programme: ``school``, ``enterprise`` or ``centre``."""
    return Case(
        When(programme__provider_school__isnull=False, then=Value("school")),
        When(programme__provider_enterprise__isnull=False, then=Value("enterprise")),
        default=Value("centre"),
        output_field=CharField(),
    )


PROVIDER_KINDS = (
    ("school", gettext_lazy("职业院校")),
    ("enterprise", gettext_lazy("企业")),
    ("centre", gettext_lazy("培训机构")),
)


def person_times_report(user, year: int) -> dict:
    """Everything the person-times page and its API show for ``user`` in ``year``: the city's total against
    T4 (with the rule's source), the school lines against T6 (the user's own singled out for school staff),
    the city's person-times by kind, by funding department and by kind of provider, the “福城培训” share,
    and the user's own programmes. Aggregates only: no trainee is named. A constant number of queries."""
    t4 = rules.rule(RuleKey.CITY_TRAINING_MIN)
    t6 = rules.rule(RuleKey.SCHOOL_TRAINING_RATIO_MIN)
    total, session_count = city_person_times(year)
    lines = school_lines(user, year, target=t6.value)
    school_id, _enterprise = provider_org(user)
    own = next((line for line in lines if line.school.pk == school_id), None) if school_id else None

    by_kind = person_times_by(year, "programme__kind")
    kinds = [Share(str(label), by_kind.get(value, 0), value) for value, label in TrainingKind.choices]
    by_department = person_times_by(year, "programme__funding_department")
    names = Department.objects.in_bulk([d for d in by_department if d is not None])
    departments = [
        Share(names[d].name, n, names[d].code)
        for d, n in sorted(by_department.items(), key=lambda kv: (-kv[1], names[kv[0]].code if kv[0] else ""))
        if d is not None
    ]
    if None in by_department:
        departments.append(Share(_("未填写经费来源部门"), by_department[None]))
    by_brand = person_times_by(year, "programme__fucheng_brand")
    brand = Share(_("“福城培训”品牌"), by_brand.get(True, 0), "fucheng")
    by_provider = person_times_by(
        year, "provider_kind", sessions_of_year(year).annotate(provider_kind=provider_kind())
    )
    providers = [Share(str(label), by_provider.get(key, 0), key) for key, label in PROVIDER_KINDS]
    for items in (kinds, departments, [brand], providers):
        _shares(items, total)
    return {
        "year": year,
        "city": {
            "person_times": total,
            "sessions": session_count,
            "target": int(t4.value),
            "met": None if total is None else total >= t4.value,
            "progress": rate(total, int(t4.value)) if total is not None else None,
            "target_id": t4.target,
            "source": t4.source,
            "cite": f"{t4.target}，{t4.source}",
        },
        "school_target": {
            "value": t6.value,
            "target_id": t6.target,
            "source": t6.source,
            "cite": f"{t6.target}，{t6.source}",
        },
        "schools": lines,
        "own": own,
        "schools_met": sum(1 for line in lines if line.met),
        "schools_with_data": sum(1 for line in lines if line.met is not None),
        "all_schools": sees_every_school(user),
        "kinds": kinds,
        "departments": departments,
        "brand": brand,
        "providers": providers,
        "programmes": my_programmes(user, year),
    }
