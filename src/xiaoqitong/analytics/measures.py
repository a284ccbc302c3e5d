"""Supply, demand and outcomes by dimension, computed by SQL aggregation (no loop over records in Python).

Every function returns ``{key: {measure: number}}`` where ``key`` is the primary key of the dimension's row
(a Major, MajorClass, MajorCategory, IndustryChain, Region or School); :func:`figures` joins them and
derives the rates, the supply-demand index and its class. What each measure means:

* **Supply** (the school year ``year``: SchoolMajor rows of that year, the schools' own statistics):
  ``enrolled`` 在校生, ``new`` 实际招生, ``plan`` 招生计划, ``graduates`` 预计毕业生 (those who graduate next
  summer), ``graduates_3y`` everyone enrolled now (graduates within the next 1-3 years in 2- to 3-year
  programmes; 5-year programmes are counted in full as well).
* **Demand** (postings published in a window, by default the 12 months up to the end of the school year or
  today): ``positions``, ``headcount`` 招聘名额, ``enterprises`` demanding, ``filled`` (offers and hires,
  at most the headcount of each posting), ``unfilled``, ``applicants`` (applications not withdrawn),
  ``days_to_fill`` (from publication to the first offer, over postings with an offer).
* **Outcomes** (graduates of calendar year ``year``): ``outcomes`` recorded, ``employed`` (employed or
  self-employed), ``related`` (employed and related to the major), ``local`` (employed in the city: 留郴),
  ``further`` (升学), with rates over the graduates recorded (related and local over the employed).

How postings and majors meet: a posting that asks for a major counts for that major, its 专业类 and its 大类;
one that asks for a whole 专业类 (大类) counts for it (and its 大类); each posting counts once per key however
many of its wants fall in it. A posting counts for the industry chain of its enterprise's industry (the
longest matching industry code, as in matching). School majors count for every chain their 专业类 supplies
(the catalog's links), so chain totals of supply may add up to more than the city's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from xiaoqitong.enterprises.choices import HIRED, PUBLIC_POSITION, ApplicationStatus, Outcome
from xiaoqitong.enterprises.models import Application, ApplicationEvent, GraduateOutcome, Position
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.models import Industry, IndustryChain, Major, MajorClass
from xiaoqitong.schools.models import SchoolMajor

#: Dimensions, and the path from a SchoolMajor to each (supply and outcomes follow it from the student).
DIMENSIONS = ("major", "major_class", "major_category", "chain", "county", "school")
SCHOOL_MAJOR_PATH = {
    "major": "major_id",
    "major_class": "major__major_class_id",
    "major_category": "major__major_class__category_id",
    "chain": "major__major_class__chains",
    "county": "school__county_id",
    "school": "school_id",
}
SUPPLY = ("enrolled", "new", "plan", "graduates", "graduates_3y")
DEMAND = ("positions", "headcount", "enterprises", "filled", "applicants", "days_sum", "days_n")
OUTCOMES = ("outcomes", "employed", "related", "local", "further")


@dataclasses.dataclass(frozen=True)
class Scope:
    """Which records count: all of the city (default), one county's (schools and postings located there)
    or one school's (its majors; postings of the whole city)."""

    county: int | None = None  # Region pk
    school: int | None = None  # School pk

    @property
    def key(self) -> str:
        if self.school:
            return f"school:{self.school}"
        if self.county:
            return f"county:{self.county}"
        return "city"


#: The whole city (the default scope).
CITY = Scope()

_memo: ContextVar[dict | None] = ContextVar("analytics_memo", default=None)


@contextmanager
def memoized() -> Iterator[None]:
    """Within the block, demand, employment and the industry-chain map are computed once per argument set:
    a refresh of every snapshot (or a page showing many scopes) asks the same question many times."""
    token = _memo.set({}) if _memo.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _memo.reset(token)


def _cached(key: tuple, compute: Callable):
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def school_year_window(year: int, today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The demand window of school year ``year``: the 12 months up to its end (31 August of ``year`` + 1)
    or up to today when that is earlier."""
    today = today or timezone.localdate()
    end = min(dt.date(year + 1, 9, 1), today + dt.timedelta(days=1))
    try:
        start = end.replace(year=end.year - 1)
    except ValueError:  # 29 February: a year before is 28 February
        start = end.replace(year=end.year - 1, day=28)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )


# --- supply ---------------------------------------------------------------------------------------------
def supply(year: int, by: str, scope: Scope = CITY) -> dict[int, dict[str, int]]:
    qs = SchoolMajor.objects.filter(year=year)
    if scope.school:
        qs = qs.filter(school_id=scope.school)
    elif scope.county:
        qs = qs.filter(school__county_id=scope.county)
    path = SCHOOL_MAJOR_PATH[by]
    rows = (
        qs.values(key=F(path))
        .annotate(
            enrolled=Sum("students_enrolled"),
            new=Sum("new_enrolment"),
            plan=Sum("enrolment_plan"),
            graduates=Sum("expected_graduates"),
        )
        .order_by()
    )
    out = {}
    for row in rows:
        if row["key"] is None:
            continue
        values = {name: int(row[name] or 0) for name in ("enrolled", "new", "plan", "graduates")}
        values["graduates_3y"] = values["enrolled"]
        out[row["key"]] = values
    return out


# --- demand ---------------------------------------------------------------------------------------------
def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _pairs_sql(by: str) -> str:
    """SQL of (position_id, key) pairs of a dimension, each pair once."""
    position = _table(Position)
    pm = _table(Position.majors.through)
    pc = _table(Position.major_classes.through)
    pk = _table(Position.major_categories.through)
    major, klass = _table(Major), _table(MajorClass)
    if by == "major":
        return f"SELECT position_id, major_id AS k FROM {pm}"
    if by == "major_class":
        return (
            f"SELECT pm.position_id, m.major_class_id AS k FROM {pm} pm JOIN {major} m ON m.id = pm.major_id "
            f"UNION SELECT position_id, majorclass_id FROM {pc}"
        )
    if by == "major_category":
        return (
            f"SELECT pm.position_id, c.category_id AS k FROM {pm} pm JOIN {major} m ON m.id = pm.major_id "
            f"JOIN {klass} c ON c.id = m.major_class_id "
            f"UNION SELECT pc.position_id, c.category_id FROM {pc} pc "
            f"JOIN {klass} c ON c.id = pc.majorclass_id "
            f"UNION SELECT position_id, majorcategory_id FROM {pk}"
        )
    if by == "county":
        return f"SELECT id AS position_id, county_id AS k FROM {position}"
    if by == "industry":
        enterprise = _table(Enterprise)
        return (
            f"SELECT p.id AS position_id, e.industry_id AS k FROM {position} p "
            f"JOIN {enterprise} e ON e.id = p.enterprise_id"
        )
    raise ValueError(f"no demand by {by!r}")


def _days(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0"
    return f"(julianday({later}) - julianday({earlier}))"


def demand(
    window: tuple[dt.datetime, dt.datetime], by: str, scope: Scope = CITY
) -> dict[int, dict[str, float]]:
    """Demand of the postings published in ``window`` (public ones: published, closed or expired), by
    ``by`` (any dimension but school; ``industry`` too, which :func:`demand_by_chain` maps to chains)."""
    if by == "chain":
        return demand_by_chain(window, scope)
    if by == "school":
        raise ValueError("demand is not by school")
    return _cached(("demand", window, by, scope.county), lambda: _demand(window, by, scope))


def _demand(window, by: str, scope: Scope) -> dict[int, dict[str, float]]:
    position, application = _table(Position), _table(Application)
    event = _table(ApplicationEvent)
    hired = ", ".join(["%s"] * len(HIRED))
    public = ", ".join(["%s"] * len(PUBLIC_POSITION))
    days = _days("o.first_offer", "p.published_at")
    county_filter = " AND county_id = %s" if scope.county else ""
    # table names come from the models (quoted), values are parameters: no user input in the text. The
    # postings of the window are selected first; everything else is joined to them only.
    sql = f"""
        WITH p AS (
            SELECT id, headcount, enterprise_id, published_at FROM {position}
            WHERE status IN ({public}) AND published_at >= %s AND published_at < %s{county_filter}
        ),
        pairs AS (
            SELECT x.position_id, x.k FROM ({_pairs_sql(by)}) x JOIN p ON p.id = x.position_id
        ),
        hires AS (
            SELECT a.position_id, COUNT(*) AS n FROM {application} a JOIN p ON p.id = a.position_id
            WHERE a.status IN ({hired}) GROUP BY a.position_id
        ),
        applied AS (
            SELECT a.position_id, COUNT(*) AS n FROM {application} a JOIN p ON p.id = a.position_id
            WHERE a.status <> %s GROUP BY a.position_id
        ),
        offers AS (
            SELECT a.position_id, MIN(ev.time) AS first_offer FROM {event} ev
            JOIN {application} a ON a.id = ev.application_id JOIN p ON p.id = a.position_id
            WHERE ev.to_status = %s GROUP BY a.position_id
        )
        SELECT pairs.k,
               COUNT(*),
               SUM(p.headcount),
               COUNT(DISTINCT p.enterprise_id),
               SUM(CASE WHEN h.n IS NULL THEN 0 WHEN h.n < p.headcount THEN h.n ELSE p.headcount END),
               SUM(COALESCE(ap.n, 0)),
               SUM(CASE WHEN o.first_offer IS NULL THEN 0 ELSE {days} END),
               SUM(CASE WHEN o.first_offer IS NULL THEN 0 ELSE 1 END)
        FROM pairs
        JOIN p ON p.id = pairs.position_id
        LEFT JOIN hires h ON h.position_id = p.id
        LEFT JOIN applied ap ON ap.position_id = p.id
        LEFT JOIN offers o ON o.position_id = p.id
        WHERE pairs.k IS NOT NULL
        GROUP BY pairs.k
    """
    start, end = window
    if connection.vendor == "sqlite":
        # SQLite stores naive UTC text and compares text: an aware value would be compared in its own zone
        start, end = (v.astimezone(dt.UTC).replace(tzinfo=None) for v in window)
    params = [
        *[str(s) for s in PUBLIC_POSITION],
        start,
        end,
        *([scope.county] if scope.county else []),
        *[str(s) for s in HIRED],
        str(ApplicationStatus.WITHDRAWN),
        str(ApplicationStatus.OFFERED),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the planner's estimates of these CTE joins are far too high, so PostgreSQL compiles the query
            # (JIT) for ~0.5 s to save milliseconds: off for this query only
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {row[0]: dict(zip(DEMAND, (float(v or 0) for v in row[1:]), strict=True)) for row in rows}


def chain_of_industries() -> dict[int, int]:
    """Industry pk -> IndustryChain pk: the chain whose industry code is the longest prefix of the
    industry's (ties: the chain's sort order, then its code), as in matching."""
    return _cached(("chains",), _chain_of_industries)


def _chain_of_industries() -> dict[int, int]:
    links = sorted(
        IndustryChain.industries.through.objects.values_list(
            "industry__code", "industrychain_id", "industrychain__sort_order", "industrychain__code"
        ),
        key=lambda r: (-len(r[0]), r[2], r[3]),
    )
    out: dict[int, int] = {}
    codes = dict(Industry.objects.values_list("pk", "code"))
    for pk, code in codes.items():
        for prefix, chain, _order, _code in links:
            if code.startswith(prefix):
                out[pk] = chain
                break
    return out


def _add(into: dict[int, dict[str, float]], key: int, values: dict[str, float]) -> None:
    target = into.setdefault(key, dict.fromkeys(values, 0.0))
    for name, value in values.items():
        target[name] = target.get(name, 0.0) + value


def demand_by_chain(window, scope: Scope = CITY) -> dict[int, dict[str, float]]:
    """Demand by industry chain: the groups by industry, summed into their chains (every measure adds up:
    an enterprise has one industry)."""
    chains = chain_of_industries()
    out: dict[int, dict[str, float]] = {}
    for industry, values in demand(window, "industry", scope).items():
        if industry in chains:
            _add(out, chains[industry], values)
    return out


def employment_by_chain(scope: Scope = CITY) -> dict[int, float]:
    """People employed by the enterprises of each chain (从业人数), for the alignment index."""
    return _cached(("employment", scope.county), lambda: _employment_by_chain(scope))


def _employment_by_chain(scope: Scope) -> dict[int, float]:
    qs = Enterprise.objects.all()
    if scope.county:
        qs = qs.filter(county_id=scope.county)
    chains = chain_of_industries()
    out: dict[int, float] = defaultdict(float)
    for industry, employees in (
        qs.values("industry_id").annotate(n=Sum("employees")).values_list("industry_id", "n")
    ):
        if industry in chains:
            out[chains[industry]] += float(employees or 0)
    return dict(out)


# --- outcomes -------------------------------------------------------------------------------------------
def outcomes(year: int, by: str, scope: Scope = CITY) -> dict[int, dict[str, int]]:
    qs = GraduateOutcome.objects.filter(year=year)
    if scope.school:
        qs = qs.filter(student__school_id=scope.school)
    elif scope.county:
        qs = qs.filter(student__school__county_id=scope.county)
    path = "student__school_major__" + SCHOOL_MAJOR_PATH[by]
    if by == "school":
        path = "student__school_id"
    elif by == "county":
        path = "student__school__county_id"
    employed = Q(outcome__in=[Outcome.EMPLOYED, Outcome.ENTREPRENEURSHIP])
    rows = (
        qs.values(key=F(path))
        .annotate(
            outcomes=Count("id"),
            employed=Count("id", filter=employed),
            related=Count("id", filter=employed & Q(related_to_major=True)),
            local=Count("id", filter=employed & Q(in_city=True)),
            further=Count("id", filter=Q(outcome=Outcome.FURTHER_STUDY)),
        )
        .order_by()
    )
    return {r["key"]: {name: int(r[name]) for name in OUTCOMES} for r in rows if r["key"] is not None}


# --- joined, derived, classified ------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Thresholds:
    """When a field is short, balanced or in surplus (the defaults; the ``Threshold`` rows override them)."""

    shortage_index: float = 1.2  # demand/supply at or above: 紧缺
    surplus_index: float = 0.5  # at or below: 过剩
    min_headcount: float = 10  # less demand than this is too little to call a shortage
    min_graduates: float = 20  # less supply than this is too little to call a surplus
    retire_enrolment_drop: float = 0.15  # 淘汰预警: new enrolment fell by at least this share
    retire_employment_rate: float = 0.6  # ... while the employment rate is below this
    suppress_below: int = 5  # researchers: cells counting fewer people are suppressed


def rate(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def classify(row: dict, t: Thresholds) -> str:
    """紧缺 shortage, 平衡 balanced, 过剩 surplus, 无本地供给 gap (demand without local graduates), or
    无数据 none."""
    demand_, supply_ = row.get("headcount", 0), row.get("graduates", 0)
    if not demand_ and not supply_:
        return "none"
    if not supply_:
        if row.get("enrolled", 0):
            return "none"  # students are on their way: not a field nobody supplies
        return "gap" if demand_ >= t.min_headcount else "none"
    if demand_ < t.min_headcount and supply_ < t.min_graduates:
        return "none"  # too small either way to call
    index = demand_ / supply_
    if index >= t.shortage_index and demand_ >= t.min_headcount:
        return "shortage"
    if index <= t.surplus_index and supply_ >= t.min_graduates:
        return "surplus"
    return "balanced"


def figures(
    year: int,
    by: str,
    scope: Scope = CITY,
    *,
    thresholds: Thresholds | None = None,
    today: dt.date | None = None,
) -> dict[int, dict]:
    """Supply, demand and outcomes of ``year`` by ``by`` in ``scope``, with rates, the supply-demand index
    (headcount per expected graduate) and its class. Demand is the city's for a school scope."""
    t = thresholds or Thresholds()
    window = school_year_window(year, today)
    s = supply(year, by, scope)
    d = {} if by == "school" else demand(window, by, Scope(county=scope.county))
    o = outcomes(year, by, scope)
    out = {}
    for key in set(s) | set(d) | set(o):
        row: dict = {name: 0 for name in SUPPLY}
        row.update(s.get(key, {}))
        row.update({name: 0.0 for name in DEMAND})
        row.update(d.get(key, {}))
        row.update({name: 0 for name in OUTCOMES})
        row.update(o.get(key, {}))
        row["headcount"] = int(row["headcount"])
        row["unfilled"] = max(0, row["headcount"] - int(row["filled"]))
        row["days_to_fill"] = round(row["days_sum"] / row["days_n"], 1) if row["days_n"] else None
        row["applicants_per_place"] = rate(row["applicants"], row["headcount"])
        row["employment_rate"] = rate(row["employed"], row["outcomes"])
        row["related_rate"] = rate(row["related"], row["employed"])
        row["local_rate"] = rate(row["local"], row["employed"])
        row["further_rate"] = rate(row["further"], row["outcomes"])
        row["index"] = rate(row["headcount"], row["graduates"])
        row["status"] = classify(row, t)
        out[key] = row
    return out


def shares(values: dict[int, float]) -> dict[int, float]:
    total = sum(v for v in values.values() if v > 0)
    return {k: v / total for k, v in values.items() if v > 0} if total else {}


def dissimilarity(a: dict[int, float], b: dict[int, float]) -> float | None:
    """The index of dissimilarity of two distributions over the same keys: ½ Σ |a_i − b_i| of their shares,
    0 when they match, 1 when they do not overlap; None when either is empty."""
    sa, sb = shares(a), shares(b)
    if not sa or not sb:
        return None
    return round(0.5 * sum(abs(sa.get(k, 0.0) - sb.get(k, 0.0)) for k in set(sa) | set(sb)), 4)


def alignment(year: int, scope: Scope = CITY, *, today: dt.date | None = None) -> dict:
    """Structure alignment by industry chain: enrolment shares against demand shares (and against the
    enterprises' employment shares). A school is compared with the demand of its county (the city's when its
    county has none)."""
    window = school_year_window(year, today)
    enrolment = {k: v["enrolled"] for k, v in supply(year, "chain", scope).items()}
    county = scope.county
    if scope.school:
        county = School.objects.filter(pk=scope.school).values_list("county_id", flat=True).first()
    wanted = {k: v["headcount"] for k, v in demand_by_chain(window, Scope(county=county)).items()}
    if scope.school and not wanted:
        wanted = {k: v["headcount"] for k, v in demand_by_chain(window).items()}
    employment = employment_by_chain(Scope(county=county))
    return {
        "enrolment": enrolment,
        "demand": wanted,
        "employment": employment,
        "demand_index": dissimilarity(enrolment, wanted),
        "employment_index": dissimilarity(enrolment, employment),
    }


def counties() -> list[int]:
    """The city's county-level units, then its parks (Region pks, by code)."""
    from xiaoqitong.reference.choices import RegionLevel
    from xiaoqitong.reference.models import Region, city_prefix

    qs = Region.objects.filter(code__startswith=city_prefix())
    return [
        *qs.filter(level=RegionLevel.COUNTY).order_by("code").values_list("pk", flat=True),
        *qs.filter(level=RegionLevel.PARK).order_by("code").values_list("pk", flat=True),
    ]
