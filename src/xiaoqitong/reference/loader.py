"""Loading the reference catalogs from the project's own files in ``reference/data/`` (see SOURCES.md there).

Upserts on natural keys (codes; skills by name) with bulk queries, so a full load takes a few seconds and a
second load changes nothing. Rows that are not in the files (majors added after 2021, skills and certificates
added by administrators) are never touched. Curated rows (skills, certificates) are refreshed only while
they are still marked curated: an administrator who edits one and clears “平台初始词表/目录” keeps the edit.
Many-to-many links (chains, skills, certificates) are only ever added, never removed.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from xiaoqitong.core import audit, search
from xiaoqitong.core.models import AuditAction

from .models import (
    Certificate,
    Industry,
    IndustryChain,
    Major,
    MajorCategory,
    MajorClass,
    MajorFamily,
    Region,
    Skill,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
LIST_SEP = "|"
REGION_LEVEL_ORDER = ["province", "city", "county", "township", "park"]
BATCH = 500


@dataclass
class CatalogResult:
    """What one catalog's load did."""

    key: str
    label: str
    model: type[models.Model]
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows an administrator has taken over (no longer marked curated)
    links: int = 0  # many-to-many links added

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.links)

    def line(self) -> str:
        text = f"{self.label}（{self.key}）: created {self.created}, updated {self.updated}"
        text += f", unchanged {self.unchanged}"
        if self.skipped:
            text += f", kept as edited {self.skipped}"
        if self.links:
            text += f", links added {self.links}"
        return text


def read_rows(data_dir: Path, name: str) -> list[dict]:
    with (data_dir / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def split(value: str) -> list[str]:
    return [v for v in (value or "").split(LIST_SEP) if v]


# --------------------------------------------------------------------------------------------------------
# the generic upsert
# --------------------------------------------------------------------------------------------------------
def upsert(
    model: type[models.Model],
    rows: list[dict],
    result: CatalogResult,
    *,
    key: str = "code",
    may_update: Callable[[models.Model], bool] | None = None,
) -> None:
    """Create the rows whose ``key`` is new and update those whose values differ. A row is a dict of
    concrete attribute names (``parent_id``) to values. ``may_update`` refuses updates of some rows."""
    fields = [name for name in rows[0] if name != key] if rows else []
    existing = {getattr(obj, key): obj for obj in model._default_manager.all()}
    now = timezone.now()
    to_create, to_update, changed_fields = [], [], set()
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            obj = model(**row)
            _validate(obj, result)
            to_create.append(obj)
            continue
        diff = [name for name in fields if getattr(obj, name) != row[name]]
        if not diff:
            result.unchanged += 1
            continue
        if may_update is not None and not may_update(obj):
            result.skipped += 1
            continue
        for name in diff:
            setattr(obj, name, row[name])
        _validate(obj, result)
        obj.updated_at = now
        changed_fields.update(diff)
        to_update.append(obj)
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
        names = sorted(by_attname[n] for n in changed_fields)
        model._default_manager.bulk_update(to_update, [*names, "updated_at"], batch_size=BATCH)
    result.created += len(to_create)
    result.updated += len(to_update)


def _validate(obj: models.Model, result: CatalogResult) -> None:
    # Field checks only (lengths, choices): uniqueness and relations are settled by the loader itself.
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    try:
        obj.clean_fields(exclude=relations)
    except ValidationError as exc:
        raise ValidationError(f"{result.file}: {obj!r}: {exc.message_dict}") from exc


def codes_to_pk(model: type[models.Model], key: str = "code") -> dict[str, int]:
    return dict(model._default_manager.values_list(key, "pk"))


def add_links(
    manager_field: models.ManyToManyField,
    pairs: Iterable[tuple[int, int]],
) -> int:
    """Add the (owner pk, target pk) links that do not exist yet; returns how many were added."""
    through = manager_field.remote_field.through
    owner = manager_field.m2m_field_name()
    target = manager_field.m2m_reverse_field_name()
    existing = set(through.objects.values_list(f"{owner}_id", f"{target}_id"))
    new = sorted(set(pairs) - existing)
    through.objects.bulk_create(
        [through(**{f"{owner}_id": a, f"{target}_id": b}) for a, b in new], batch_size=BATCH
    )
    return len(new)


# --------------------------------------------------------------------------------------------------------
# catalogs
# --------------------------------------------------------------------------------------------------------
def load_regions(data_dir: Path) -> CatalogResult:
    result = CatalogResult("regions", "行政区划", Region, "regions.csv")
    rows = read_rows(data_dir, result.file)
    by_level: dict[str, list[dict]] = {level: [] for level in REGION_LEVEL_ORDER}
    for r in rows:
        by_level[r["level"]].append(r)
    pks: dict[str, int] = {}
    for level in REGION_LEVEL_ORDER:
        level_rows = by_level[level]
        if not level_rows:
            continue
        if any(r["parent_code"] and r["parent_code"] not in pks for r in level_rows):
            pks = codes_to_pk(Region)
        upsert(
            Region,
            [
                {
                    "code": r["code"],
                    "name": r["name"],
                    "level": r["level"],
                    "parent_id": pks[r["parent_code"]] if r["parent_code"] else None,
                }
                for r in level_rows
            ],
            result,
        )
        pks = codes_to_pk(Region)
    return result


def load_majors(data_dir: Path) -> list[CatalogResult]:
    rows = read_rows(data_dir, "majors.csv")
    categories = CatalogResult("major_categories", "专业大类", MajorCategory, "majors.csv")
    classes = CatalogResult("major_classes", "专业类", MajorClass, "majors.csv")
    families = CatalogResult("major_families", "专业族", MajorFamily, "major_families.csv")
    majors = CatalogResult("majors", "专业", Major, "majors.csv")

    upsert(
        MajorCategory,
        [
            {"code": r["code"], "name": r["name"], "education_level": r["education_level"]}
            for r in rows
            if r["item"] == "category"
        ],
        categories,
    )
    category_pk = codes_to_pk(MajorCategory)
    upsert(
        MajorClass,
        [
            {
                "code": r["code"],
                "name": r["name"],
                "category_id": category_pk[r["parent_code"]],
                "education_level": r["education_level"],
            }
            for r in rows
            if r["item"] == "class"
        ],
        classes,
    )
    upsert(
        MajorFamily,
        [{"key": r["key"], "name": r["name"]} for r in read_rows(data_dir, families.file)],
        families,
        key="key",
    )
    class_pk = codes_to_pk(MajorClass)
    family_pk = codes_to_pk(MajorFamily, "key")
    upsert(
        Major,
        [
            {
                "code": r["code"],
                "name": r["name"],
                "education_level": r["education_level"],
                "major_class_id": class_pk[r["parent_code"]],
                "is_controlled": r["controlled"] == "1",
                "family_id": family_pk[r["family"]] if r["family"] else None,
                "source": r["source"],
            }
            for r in rows
            if r["item"] == "major"
        ],
        majors,
    )
    return [categories, classes, families, majors]


def load_industries(data_dir: Path) -> CatalogResult:
    result = CatalogResult("industries", "国民经济行业", Industry, "industries.csv")
    rows = read_rows(data_dir, result.file)
    pks: dict[str, int] = {}
    for level in ("1", "2", "3", "4"):
        upsert(
            Industry,
            [
                {
                    "code": r["code"],
                    "numeric_code": r["numeric_code"],
                    "name": r["name"],
                    "level": int(r["level"]),
                    "parent_id": pks[r["parent_code"]] if r["parent_code"] else None,
                }
                for r in rows
                if r["level"] == level
            ],
            result,
        )
        pks = codes_to_pk(Industry)
    return result


def load_chains(data_dir: Path) -> CatalogResult:
    result = CatalogResult("industry_chains", "产业链", IndustryChain, "industry_chains.csv")
    upsert(
        IndustryChain,
        [
            {
                "code": r["code"],
                "name": r["name"],
                "sort_order": int(r["sort_order"]),
                "description": r["description"],
                "source": r["source"],
            }
            for r in read_rows(data_dir, result.file)
        ],
        result,
    )
    chain_pk = codes_to_pk(IndustryChain)
    industry_pk = codes_to_pk(Industry)
    class_pk = codes_to_pk(MajorClass)
    result.links += add_links(
        IndustryChain._meta.get_field("industries"),
        (
            (chain_pk[r["chain_code"]], industry_pk[r["industry_code"]])
            for r in read_rows(data_dir, "chain_industries.csv")
        ),
    )
    result.links += add_links(
        IndustryChain._meta.get_field("major_classes"),
        (
            (chain_pk[r["chain_code"]], class_pk[r["major_class_code"]])
            for r in read_rows(data_dir, "chain_major_classes.csv")
        ),
    )
    return result


def _curated(obj) -> bool:
    return obj.is_curated


def load_skills(data_dir: Path) -> CatalogResult:
    result = CatalogResult("skills", "技能", Skill, "skills.csv")
    rows = read_rows(data_dir, result.file)
    upsert(
        Skill,
        [
            {
                "name": r["name"],
                "category": r["category"],
                "synonyms": split(r["synonyms"]),
                "is_curated": True,
            }
            for r in rows
        ],
        result,
        key="name",
        may_update=_curated,
    )
    _link_curated(Skill, rows, "name", result)
    return result


def load_certificates(data_dir: Path) -> CatalogResult:
    result = CatalogResult("certificates", "证书", Certificate, "certificates.csv")
    rows = read_rows(data_dir, result.file)
    upsert(
        Certificate,
        [
            {
                "code": r["code"],
                "name": r["name"],
                "kind": r["kind"],
                "level": r["level"],
                "issuer": r["issuer"],
                "is_curated": True,
            }
            for r in rows
        ],
        result,
        may_update=_curated,
    )
    _link_curated(Certificate, rows, "code", result)
    return result


def _link_curated(model, rows: list[dict], key: str, result: CatalogResult) -> None:
    owners = dict(model._default_manager.filter(is_curated=True).values_list(key, "pk"))
    chain_pk = codes_to_pk(IndustryChain)
    class_pk = codes_to_pk(MajorClass)
    result.links += add_links(
        model._meta.get_field("chains"),
        ((owners[r[key]], chain_pk[c]) for r in rows if r[key] in owners for c in split(r["chain_codes"])),
    )
    result.links += add_links(
        model._meta.get_field("major_classes"),
        (
            (owners[r[key]], class_pk[c])
            for r in rows
            if r[key] in owners
            for c in split(r["major_class_codes"])
        ),
    )


@transaction.atomic
def load_all(*, data_dir: Path | None = None) -> list[CatalogResult]:
    """Load every catalog in dependency order, all or nothing. Writes one audit record (actor: the system)
    per catalog that changed, none per row: the catalogs are system data."""
    data_dir = Path(data_dir or DATA_DIR)
    results = [
        load_regions(data_dir),
        *load_majors(data_dir),
        load_industries(data_dir),
        load_chains(data_dir),
        load_skills(data_dir),
        load_certificates(data_dir),
    ]
    for r in results:
        if r.changed:
            audit.record(
                actor=None,
                action=AuditAction.IMPORT,
                verb="reference_load",
                model=r.model,
                object_repr=f"基础目录：{r.label}",
                changes={
                    "file": r.file,
                    "created": r.created,
                    "updated": r.updated,
                    "unchanged": r.unchanged,
                    "links": r.links,
                },
            )
    if any(r.changed for r in results):
        # The search dictionary is built from the catalogs: this process builds it again at next use.
        transaction.on_commit(search.reset_dictionary)
    return results
