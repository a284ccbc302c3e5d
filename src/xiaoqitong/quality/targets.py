"""The policy's quality targets (T3, T4, T6, T18-T23) as measures computed from platform records.

Each area registers its measures here (from its ``selectors`` module, at import): a :class:`Measure` names
the rule that holds its target (``cooperation.models.Rule``), how to compare, and a function that computes
one year's :class:`Figure` per school id and, under the key ``None``, for the city. :func:`evaluate` joins
them with the rules into rows for the overview page, its API and its export. A figure without data (no
denominator, nothing reported) is ``None``: the page says 暂无数据 instead of showing a zero.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from . import rules

LE, GE = "<=", ">="
# How a figure is shown: a share (0.2 -> 20.0%), a multiple (2.31 倍), a count, an amount in yuan.
SHARE, MULTIPLE, COUNT, MONEY = "share", "multiple", "count", "money"
CITY = None


@dataclass(frozen=True)
class Figure:
    """One computed figure: ``numerator / denominator`` for a ratio, ``numerator`` alone for a count or an
    amount (``denominator`` is ``None``). ``value`` is ``None`` when there is no data to compute it from."""

    numerator: Decimal | int | None
    denominator: Decimal | int | None = None
    is_ratio: bool = True

    @property
    def value(self) -> Decimal | None:
        if self.numerator is None:
            return None
        if not self.is_ratio:
            return Decimal(self.numerator)
        if not self.denominator:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)

    @classmethod
    def count(cls, n: Decimal | int | None) -> "Figure":
        return cls(n, None, is_ratio=False)


@dataclass(frozen=True)
class Measure:
    """One target: ``rule`` (a ``RuleKey``) holds the target value and its source; ``compute(year)`` returns
    ``{school_id: Figure, None: city Figure}`` (city-only measures return only ``None``)."""

    rule: str
    label: str
    unit: str
    comparison: str
    compute: Callable[[int], dict[int | None, Figure]]
    scopes: tuple[str, ...] = ("city", "school")
    numerator_label: str = ""
    denominator_label: str = ""
    url_name: str = ""  # the area page behind the figure (drill-down), reversed without arguments
    order: int = 0
    note: str = ""


_MEASURES: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    _MEASURES[measure.rule] = measure
    return measure


def measures() -> list[Measure]:
    # The areas register on import; import them all so that the list is whole wherever it is asked for.
    from .selectors import certificates, teachers, training  # noqa: F401

    return sorted(_MEASURES.values(), key=lambda m: (m.order, m.rule))


@dataclass
class Row:
    """A measure's figure for the city or one school, against its target."""

    measure: Measure
    school_id: int | None
    figure: Figure
    target: Decimal
    source: str
    target_id: str
    extra: dict = field(default_factory=dict)

    @property
    def value(self) -> Decimal | None:
        return self.figure.value

    @property
    def met(self) -> bool | None:
        """``True``/``False`` against the target; ``None`` without data."""
        value = self.value
        if value is None:
            return None
        return value <= self.target if self.measure.comparison == LE else value >= self.target


def evaluate(year: int, *, school_ids: list[int] | None = None, keys: list[str] | None = None) -> list[Row]:
    """Rows for every measure (or the ``keys`` given): the city row first, then one per school among
    ``school_ids`` (every school the measure reports, when ``None``) for school-level measures."""
    rows = []
    for measure in measures():
        if keys is not None and measure.rule not in keys:
            continue
        rule = rules.rule(measure.rule)
        figures = measure.compute(year)
        scoped = [CITY] if "city" in measure.scopes else []
        if "school" in measure.scopes:
            ids = sorted(k for k in figures if k is not CITY) if school_ids is None else school_ids
            scoped += ids
        for key in scoped:
            figure = figures.get(key) or Figure(None)
            rows.append(Row(measure, key, figure, rule.value, rule.source, rule.target))
    return rows


def value_text(measure: Measure, value: Decimal | None) -> str:
    """A figure as the pages and exports write it: 23.4%, 2.31 倍, 12, 70,000 元; 暂无数据 without data."""
    from django.utils.translation import gettext as _

    if value is None:
        return _("暂无数据")
    if measure.unit == SHARE:
        return f"{(value * 100).quantize(Decimal('0.1'))}%"
    if measure.unit == MULTIPLE:
        return _("%(n)s 倍") % {"n": value.quantize(Decimal("0.01"))}
    if measure.unit == MONEY:
        return _("%(n)s 元") % {"n": f"{value.quantize(Decimal('1')):,}"}
    return f"{value.quantize(Decimal('1')):,}"


def target_text(measure: Measure, target: Decimal) -> str:
    """“≥ 20.0%”, “≤ 30.0%”, “≥ 100,000”: a target as its measure writes its figures."""
    sign = "≤" if measure.comparison == LE else "≥"
    return f"{sign} {value_text(measure, target)}"


def visible_school_ids(user) -> list[int] | None:
    """The schools whose lines a user sees: all (``None``) for officers, researchers (these are aggregates)
    and platform administrators; their own school for school staff and students; none for enterprises."""
    from xiaoqitong.orgs.choices import Role

    role = getattr(user, "role", "")
    if user.is_superuser or role in (Role.GOV_OFFICER, Role.RESEARCHER, Role.PLATFORM_ADMIN):
        return None
    if role in (Role.SCHOOL_ADMIN, Role.TEACHER, Role.STUDENT) and user.school_id:
        return [user.school_id]
    return []
