"""The certification targets: T12 (省、市级产教融合型企业: 30 by 2025) and T2 (深度参与职业教育人才培养的本地
大中型企业比例 >= 40%, city and county), computed from platform records with the definition in
``evidence.DEFINITION`` (the number of ways is the rule ``deep_participation_min_ways``).

- **T12** counts the enterprises that hold the title (有效 or 整改中) on the last day of the year, or today
  for the current year; a provincial and a municipal title of one enterprise count once (it holds one).
- **T2** divides the local large and medium enterprises that take part deeply in the calendar year by all
  local large and medium enterprises, for the city and for each county-level unit (the enterprise's
  county or park).

Both are registered with ``quality.targets`` (city level), so that the 质量指标总览 page lists them.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xiaoqitong.cooperation import rules
from xiaoqitong.cooperation.choices import RuleKey
from xiaoqitong.core.formats import percent_text
from xiaoqitong.quality import targets
from xiaoqitong.reference.models import Region

from ..choices import HELD, Level
from ..models import Certification
from . import evidence


def as_of(year: int) -> dt.date:
    """The day a year's figures are taken: 31 December, or today while the year runs."""
    today = timezone.localdate()
    return min(dt.date(year, 12, 31), today) if year >= today.year else dt.date(year, 12, 31)


def held_on(day: dt.date):
    """The titles held on ``day``: certified by then, not ended by then."""
    return Certification.objects.filter(certified_on__lte=day).filter(
        Q(status__in=HELD, ended_on__isnull=True) | Q(ended_on__gt=day)
    )


def certified_count(year: int) -> dict[str, int]:
    """``{"total": n, "municipal": n, "provincial": n}`` of enterprises holding the title at ``as_of``."""
    rows = held_on(as_of(year)).values_list("enterprise_id", "level")
    levels = {}
    for eid, level in rows:
        if levels.get(eid) != Level.PROVINCIAL:
            levels[eid] = level
    out = {"total": len(levels), Level.MUNICIPAL: 0, Level.PROVINCIAL: 0}
    for level in levels.values():
        out[level] += 1
    return out


def certified_by_year(first: int, last: int) -> list[tuple[int, int]]:
    return [(year, certified_count(year)["total"]) for year in range(first, last + 1)]


@dataclass
class ShareLine:
    """T2 for the city (``region`` None) or one county-level unit."""

    region: Region | None
    deep: int
    total: int
    certified: int
    by_way: dict

    @property
    def value(self) -> Decimal | None:
        return Decimal(self.deep) / Decimal(self.total) if self.total else None

    @property
    def text(self) -> str:
        return percent_text(self.deep, self.total)


def deep_participation(year: int) -> tuple[ShareLine, list[ShareLine]]:
    """T2 for the city and for each county-level unit that has local large or medium enterprises."""
    min_ways = int(rules.value(RuleKey.DEEP_PARTICIPATION_MIN_WAYS))
    data = evidence.participation(year)
    per = defaultdict(lambda: {"deep": 0, "total": 0, "certified": 0, "ways": defaultdict(int)})
    for row in data.values():
        deep = row["certified"] or len(row["ways"]) >= min_ways
        for key in (None, row["county"]):
            bucket = per[key]
            bucket["total"] += 1
            bucket["deep"] += int(deep)
            bucket["certified"] += int(row["certified"])
            for way in row["ways"]:
                bucket["ways"][way] += 1
    regions = Region.objects.in_bulk([k for k in per if k is not None])

    def line(key):
        b = per[key]
        return ShareLine(
            regions.get(key) if key else None, b["deep"], b["total"], b["certified"], dict(b["ways"])
        )

    city = line(None) if None in per else ShareLine(None, 0, 0, 0, {})
    counties = sorted((line(k) for k in per if k is not None), key=lambda s: s.region.code)
    return city, counties


def is_deep(row: dict, min_ways: int) -> bool:
    return row["certified"] or len(row["ways"]) >= min_ways


def _t12(year: int) -> dict:
    return {targets.CITY: targets.Figure.count(certified_count(year)["total"])}


def _t2(year: int) -> dict:
    city, _counties = deep_participation(year)
    return {targets.CITY: targets.Figure(city.deep, city.total)}


targets.register(
    targets.Measure(
        rule=RuleKey.CERTIFIED_ENTERPRISES_MIN,
        label=gettext_lazy("省、市级产教融合型企业"),
        unit=targets.COUNT,
        comparison=targets.GE,
        compute=_t12,
        scopes=("city",),
        numerator_label=gettext_lazy("持有称号的企业"),
        url_name="certification:targets",
        order=120,
        note=gettext_lazy("年末（当年为今天）持有有效或整改中称号的企业数；目标年份见产教融合指标页。"),
    )
)
targets.register(
    targets.Measure(
        rule=RuleKey.DEEP_PARTICIPATION_SHARE_MIN,
        label=gettext_lazy("深度参与职业教育人才培养的本地大中型企业比例"),
        unit=targets.SHARE,
        comparison=targets.GE,
        compute=_t2,
        scopes=("city",),
        numerator_label=gettext_lazy("深度参与的企业"),
        denominator_label=gettext_lazy("本地大中型企业"),
        url_name="certification:targets",
        order=20,
        note=gettext_lazy("“深度参与”的口径见产教融合指标页；分县市区数据亦见该页。"),
    )
)


@dataclass
class Report:
    """The targets page's figures for one year."""

    year: int
    as_of: dt.date
    certified: dict
    certified_target: int
    target_year: int
    t12_source: str
    trajectory: list[tuple[int, int]]
    city: ShareLine
    counties: list[ShareLine]
    share_target: Decimal
    t2_source: str
    min_ways: int

    @property
    def t12_met(self) -> bool:
        return self.certified["total"] >= self.certified_target

    @property
    def t12_at_deadline(self) -> int | None:
        """Titles held at the end of the target year, once that year is over (``None`` before)."""
        if self.year <= self.target_year:
            return None
        return dict(self.trajectory).get(self.target_year, certified_count(self.target_year)["total"])

    @property
    def t12_short(self) -> int:
        return max(self.certified_target - self.certified["total"], 0)

    @property
    def t2_met(self) -> bool | None:
        value = self.city.value
        return None if value is None else value >= self.share_target

    def county_met(self, line: ShareLine) -> bool | None:
        value = line.value
        return None if value is None else value >= self.share_target


FIRST_YEAR = 2021  # the policy's year (郴政发〔2021〕9号)


def targets_report(year: int) -> Report:
    t12 = rules.rule(RuleKey.CERTIFIED_ENTERPRISES_MIN)
    t2 = rules.rule(RuleKey.DEEP_PARTICIPATION_SHARE_MIN)
    target_year = int(rules.value(RuleKey.CERTIFIED_ENTERPRISES_BY))
    this_year = timezone.localdate().year
    city, counties = deep_participation(year)
    return Report(
        year=year,
        as_of=as_of(year),
        certified=certified_count(year),
        certified_target=int(t12.value),
        target_year=target_year,
        t12_source=f"{t12.target}，{t12.source}",
        trajectory=certified_by_year(FIRST_YEAR, min(max(this_year, year), max(target_year, this_year))),
        city=city,
        counties=counties,
        share_target=t2.value,
        t2_source=f"{t2.target}，{t2.source}",
        min_ways=int(rules.value(RuleKey.DEEP_PARTICIPATION_MIN_WAYS)),
    )
