"""The pieces every generator step shares: scales, the run context and the step record.

A step is a function ``step(ctx: Context) -> None``. It reads what earlier steps made from the context
(``ctx.schools``, ``ctx.enterprises`` …, or ``ctx.objects["name"]`` for later additions), draws every
random choice from ``ctx.rng`` and inserts rows with :meth:`Context.bulk_create`, which records their
primary keys so that ``--reset`` can delete exactly them.
"""

import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from tqdm import tqdm


class DemoError(Exception):
    """A refusal with a message in Chinese meant for the person running the generator."""


@dataclass(frozen=True)
class Scale:
    """Row counts for one scale (DESIGN.md "Scales"); students and positions are for later steps."""

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

    def bulk_create(self, model: type[Model], objs: list, *, desc: str = "") -> list:
        """Insert ``objs`` in batches and record their primary keys for ``--reset``."""
        label = model._meta.label
        pks = self.created.setdefault(label, [])
        with self.bar(total=len(objs), desc=desc or str(model._meta.verbose_name)) as bar:
            for start in range(0, len(objs), BATCH_SIZE):
                batch = objs[start : start + BATCH_SIZE]
                model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
                if any(o.pk is None for o in batch):  # a backend that returns no ids: should not happen
                    raise DemoError(f"数据库没有返回新记录的主键（{label}），无法记录演示数据。")
                pks.extend(o.pk for o in batch)
                bar.update(len(batch))
        self.counts[label] = self.counts.get(label, 0) + len(objs)
        return objs

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
