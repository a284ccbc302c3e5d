"""The pieces every generator step shares: scales, the run context, the step record and the demo's calendar.

A step is a function ``step(ctx: Context) -> None``. It reads what earlier steps made from the context
(``ctx.schools``, ``ctx.enterprises`` …, or ``ctx.objects["name"]`` for later additions), draws every
random choice from ``ctx.rng`` and inserts rows with :meth:`Context.bulk_create`, which records their
primary keys so that ``--reset`` can delete exactly them.

Every date a step writes follows from ``ctx.as_of``, the day the demo city is seen on (``--as-of``, by
default today): the school year (:func:`school_year`), which years of majors and enrolment exist, who has
graduated, when postings run. Steps never read the clock, so the same seed and the same ``as_of`` give the
same rows on any day.
"""

import contextlib
import datetime as dt
import itertools
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, router
from django.db.models import DateTimeField, Model
from django.utils import timezone
from tqdm import tqdm


class DemoError(Exception):
    """A refusal with a message in Chinese meant for the person running the generator."""


@dataclass(frozen=True)
class Scale:
    """Row counts for one scale (DESIGN.md "Scales")."""

    name: str
    schools: int
    enterprises: int
    students: int
    positions: int
    institutions: int
    # The whole province instead of one city: generated schools and enterprises spread over every
    # county-level unit of the city's province.
    province_wide: bool = False


SCALES: dict[str, Scale] = {
    "small": Scale("small", schools=12, enterprises=300, students=3_000, positions=1_000, institutions=3),
    "city": Scale("city", schools=45, enterprises=8_000, students=100_000, positions=50_000, institutions=6),
    "province": Scale(
        "province",
        schools=600,
        enterprises=120_000,
        students=1_500_000,
        positions=750_000,
        institutions=20,
        province_wide=True,
    ),
}

BATCH_SIZE = 2000

# The demo's calendar. A school year starts on 1 September and is named by the calendar year it starts in;
# its final-year students graduate on 30 June of the next calendar year.
SCHOOL_YEAR_START = (9, 1)
GRADUATION_DAY = (6, 30)
MAJOR_YEARS = 5  # SchoolMajor rows: the current school year and the four before
ENROLMENT_YEARS = 7  # SchoolEnrolment rows: the current school year and the six before
# The earliest day the demo can be seen on: its oldest cohorts, intakes and teachers must still fall within
# the models' year validators (2000 and later).
MIN_AS_OF = dt.date(2015, 1, 1)


def school_year(day: dt.date) -> int:
    """The school year ``day`` falls in, as the calendar year it starts in (1 September): 2026-11-28 → 2026
    (the school year 2026-2027), 2026-04-15 → 2025 (2025-2026); the summer holiday still belongs to the
    school year that ends with it (2026-07-15 → 2025)."""
    return day.year if (day.month, day.day) >= SCHOOL_YEAR_START else day.year - 1


def graduation_day(year: int) -> dt.date:
    """The day the final-year students of school year ``year`` graduate (30 June of ``year`` + 1)."""
    return dt.date(year + 1, *GRADUATION_DAY)


@dataclass
class Step:
    """One stage of the generator. ``models`` lists what it creates, parents first (reset goes backwards)."""

    name: str
    func: Callable[["Context"], None]
    models: Sequence[type[Model]] = ()
    label: str = ""


@dataclass
class Context:
    """State handed from step to step. ``rng`` is reseeded for every step from the seed and the step's name,
    so adding a step later changes nothing that the existing steps generate."""

    seed: int
    scale: Scale
    as_of: dt.date  # the day the demo city is seen on (module docstring)
    progress: bool = False
    rng: random.Random = field(default_factory=random.Random)
    # Reference data (filled by the generator before the first step).
    city: Any = None
    areas: list = field(default_factory=list)  # county-level units of the city, then its parks
    counties: list = field(default_factory=list)  # county-level units only
    parks: list = field(default_factory=list)
    wide_counties: list = field(default_factory=list)  # province scale: every county-level unit
    chains: list = field(default_factory=list)
    chain_leaves: dict = field(default_factory=dict)  # chain code -> 小类 Industry list, by code
    # Made by the steps.
    schools: list = field(default_factory=list)
    enterprises: list = field(default_factory=list)
    institutions: list = field(default_factory=list)
    accounts: list = field(default_factory=list)
    anchors: dict = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)  # free room for later steps
    created: dict[str, list[int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # parts of steps (``timed``), in seconds

    # --- the calendar as of ``as_of`` ---

    @property
    def current_year(self) -> int:
        """The school year of ``as_of`` (:func:`school_year`): SchoolMajor rows of this year are current."""
        return school_year(self.as_of)

    @property
    def major_years(self) -> range:
        """The school years with SchoolMajor rows: the current one and the four before."""
        return range(self.current_year - MAJOR_YEARS + 1, self.current_year + 1)

    @property
    def enrolment_years(self) -> range:
        """The school years with full-time enrolment figures (SchoolEnrolment): the current one and the six
        before."""
        return range(self.current_year - ENROLMENT_YEARS + 1, self.current_year + 1)

    def graduated(self, year: int) -> bool:
        """Whether the final-year students of school year ``year`` have graduated by ``as_of``."""
        return graduation_day(year) <= self.as_of

    @property
    def next_graduation(self) -> int:
        """The calendar year of the next graduation after ``as_of``: that of the students now in their final
        year (in the summer holiday: of those starting their final year in September)."""
        return self.as_of.year + (self.as_of >= dt.date(self.as_of.year, *GRADUATION_DAY))

    @property
    def last_graduation(self) -> int:
        """The calendar year of the latest graduation on or before ``as_of``: its spring was the last hiring
        season that is over (the graduates whose hires the outcomes record)."""
        return self.next_graduation - 1

    def reseed(self, step_name: str) -> None:
        self.rng = random.Random(f"xiaoqitong-demo/{self.seed}/{step_name}")

    def bar(self, iterable: Iterable | None = None, *, total: int | None = None, desc: str = ""):
        """A tqdm progress bar on stderr (silent unless ``progress``)."""
        return tqdm(
            iterable,
            total=total,
            desc=desc,
            file=sys.stderr,
            disable=not self.progress,
            unit="行",
            leave=False,
            dynamic_ncols=True,
        )

    def bulk_create(
        self, model: type[Model], objs: list, *, desc: str = "", keep_timestamps: Sequence[str] = ()
    ) -> list:
        """Insert ``objs``, set their primary keys and record them for ``--reset``. ``keep_timestamps`` names
        ``auto_now``/``auto_now_add`` fields whose values the objects carry (an application's submission
        time) instead of the moment of insertion."""
        self.insert(model, objs, total=len(objs), desc=desc, keep_timestamps=keep_timestamps)
        return objs

    def insert(
        self,
        model: type[Model],
        objs: Iterable,
        *,
        total: int | None = None,
        desc: str = "",
        keep_timestamps: Sequence[str] = (),
    ) -> int:
        """:meth:`bulk_create` for any iterable of unsaved instances, consumed batch by batch."""
        connection = connections[router.db_for_write(model)]
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        auto = {
            f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        auto -= {model._meta.get_field(name).attname for name in keep_timestamps}
        now = timezone.now()

        def values(obj) -> list:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            for name in auto:
                setattr(obj, name, now)
            return [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]

        saved = []

        def rows():
            for obj in objs:
                saved.append(obj)
                yield values(obj)

        def assign(pks: list[int]) -> None:
            batch = saved[-len(pks) :]
            for obj, pk in zip(batch, pks, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
            saved.clear()

        return self._insert(model, fields, rows(), total=total, desc=desc, on_batch=assign)

    def insert_rows(
        self, model: type[Model], fields: Sequence[str], rows: Iterable[Sequence], *, desc: str = ""
    ) -> int:
        """Insert plain tuples of ``fields`` values (ids, numbers, short texts, aware datetimes) and record
        their primary keys: for the link tables, which hold most of the generated rows, no model instance
        is built at all. Every column without a database default must be named."""
        connection = connections[router.db_for_write(model)]
        columns = [model._meta.get_field(name) for name in fields]
        adapt = [(i, f.get_db_prep_save) for i, f in enumerate(columns) if isinstance(f, DateTimeField)]

        def prepared():
            for row in rows:
                if adapt:
                    row = list(row)
                    for i, prep in adapt:
                        row[i] = prep(row[i], connection)
                yield row

        return self._insert(model, columns, prepared(), desc=desc)

    def _insert(
        self,
        model: type[Model],
        columns: list,
        rows: Iterable[Sequence],
        *,
        total: int | None = None,
        desc: str = "",
        on_batch: Callable[[list[int]], None] | None = None,
    ) -> int:
        """Multi-row ``INSERT … RETURNING id`` of prepared values, in batches within the backend's parameter
        limit. Django's ``bulk_create`` compiles every value through several layers, which costs several
        times the insert itself for wide rows (100,000 students: about 20 s of 25); the values here went
        through the same ``get_db_prep_save`` of their fields. Rows come back in the order they were
        inserted, as ``bulk_create`` also relies on (SQLite ≥ 3.35, PostgreSQL)."""
        connection = connections[router.db_for_write(model)]
        if not connection.features.can_return_rows_from_bulk_insert:
            raise DemoError(f"数据库不支持批量插入后返回主键（{model._meta.label}），无法记录演示数据。")
        quote = connection.ops.quote_name
        opts = model._meta
        # Names from the model, quoted; every value is a parameter.
        head = f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in columns)}) VALUES "  # noqa: S608
        tail = f" RETURNING {quote(opts.pk.column)}"
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        limit = connection.features.max_query_params
        per = max(1, min(BATCH_SIZE, limit // len(columns))) if limit else BATCH_SIZE
        label = opts.label
        pks = self.created.setdefault(label, [])
        count = 0
        rows = iter(rows)
        with (
            self.timed(f"insert {label}"),
            self.bar(total=total, desc=desc or str(opts.verbose_name)) as bar,
            connection.cursor() as cursor,
        ):
            while batch := list(itertools.islice(rows, per)):
                cursor.execute(head + ", ".join([one] * len(batch)) + tail, [v for row in batch for v in row])
                new = [r[0] for r in cursor.fetchall()]
                if len(new) != len(batch):
                    raise DemoError(f"数据库没有返回新记录的主键（{label}），无法记录演示数据。")
                if on_batch is not None:
                    on_batch(new)
                pks.extend(new)
                count += len(batch)
                bar.update(len(batch))
        self.counts[label] = self.counts.get(label, 0) + count
        return count

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Add the time spent inside the block to ``timings[name]`` (the benchmark prints them)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    def record_existing(self, model: type[Model], pks: Iterable[int]) -> None:
        """Record rows created outside :meth:`bulk_create` (e.g. with ``save()``)."""
        label = model._meta.label
        pks = list(pks)
        self.created.setdefault(label, []).extend(pks)
        self.counts[label] = self.counts.get(label, 0) + len(pks)

    def pk_ranges(self) -> dict[str, list[list[int]]]:
        return {label: to_ranges(pks) for label, pks in self.created.items()}


def to_ranges(pks: Iterable[int]) -> list[list[int]]:
    """``[1, 2, 3, 7, 8]`` -> ``[[1, 3], [7, 8]]``."""
    ranges: list[list[int]] = []
    for pk in sorted(set(pks)):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges
