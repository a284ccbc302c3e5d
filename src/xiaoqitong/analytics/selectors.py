"""Reads of analytics for the pages and the API: figures with labels, warnings, alignment, a school's
一校一产业链 plan, and researchers' de-identified aggregates.

Figures come from the snapshots (``services``): a page reads one row (warm); a missing snapshot is
computed then and kept (cold). Who may see what: government officers and platform administrators see the
city, every county and school; a school (administrator, teachers) its own school; researchers only the
de-identified aggregates (:func:`aggregates`), where a cell counting fewer than ``suppress_below`` people is
suppressed. Enterprises and students get none of it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.models import IndustryChain, Major, MajorCategory, MajorClass, Region

from . import measures, services
from .choices import FieldStatus
from .models import Snapshot

GOVERNMENT = {Role.GOV_OFFICER}
SCHOOL_ROLES = {Role.SCHOOL_ADMIN, Role.TEACHER}


# --- who may see -----------------------------------------------------------------------------------------
def sees_city(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or getattr(user, "role", None) in GOVERNMENT


def sees_school(user, school: School) -> bool:
    if sees_city(user):
        return True
    return getattr(user, "role", None) in SCHOOL_ROLES and getattr(user, "school_id", None) == school.pk


def sees_aggregates(user) -> bool:
    return sees_city(user) or getattr(user, "role", None) == Role.RESEARCHER


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("您没有权限查看该分析。"))


# --- labels ----------------------------------------------------------------------------------------------
def labels(dimension: str, keys) -> dict[int, dict]:
    """``{pk: {"code", "name", "label"}}`` of a dimension's rows (a 专业类's label names its level, since
    中职 and 高职 have classes of the same name)."""
    keys = [int(k) for k in keys]
    if dimension == "major":
        rows = Major.objects.filter(pk__in=keys).values_list("pk", "code", "name", "education_level")
        return {pk: {"code": c, "name": n, "label": f"{n}（{c}）"} for pk, c, n, _lv in rows}
    if dimension == "major_class":
        rows = MajorClass.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {pk: {"code": c, "name": n, "label": f"{n}（{c}）"} for pk, c, n in rows}
    if dimension == "major_category":
        rows = MajorCategory.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {pk: {"code": c, "name": n, "label": f"{n}（{c}）"} for pk, c, n in rows}
    if dimension == "chain":
        rows = IndustryChain.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {pk: {"code": c, "name": n, "label": n} for pk, c, n in rows}
    if dimension == "county":
        rows = Region.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {pk: {"code": c, "name": n, "label": n} for pk, c, n in rows}
    if dimension == "school":
        rows = School.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {pk: {"code": c, "name": n, "label": n} for pk, c, n in rows}
    raise ValueError(f"unknown dimension {dimension!r}")


# --- figures ---------------------------------------------------------------------------------------------
def snapshot(year: int, scope: measures.Scope, dimension: str, *, today: dt.date | None = None) -> Snapshot:
    """The kept snapshot, computed now when there is none (cold)."""
    found = Snapshot.objects.filter(year=year, scope=scope.key, dimension=dimension).first()
    return found or services.snapshot_compute(year=year, scope=scope, dimension=dimension, today=today)


STATUS_ORDER = {s: i for i, s in enumerate(["shortage", "gap", "balanced", "surplus", "none"])}


def figures(year: int, dimension: str, scope: measures.Scope = measures.CITY) -> list[dict]:
    """Rows of a dimension with their labels and status names, shortages first, then by demand."""
    data = snapshot(year, scope, dimension).data
    names = labels(dimension, data)
    status = dict(FieldStatus.choices)
    rows = []
    for key, row in data.items():
        label = names.get(int(key))
        if label is None:  # a catalog row removed since the snapshot
            continue
        rows.append({"key": int(key), **label, **row, "status_display": str(status.get(row["status"], ""))})
    rows.sort(key=lambda r: (STATUS_ORDER.get(r["status"], 9), -r["headcount"], r["code"]))
    return rows


def trend(dimension: str, key: int, scope: measures.Scope = measures.CITY) -> list[dict]:
    """The kept years of one row: ``[{"year", …figures}]``, oldest first (years never computed are absent)."""
    out = []
    for snap in Snapshot.objects.filter(scope=scope.key, dimension=dimension).order_by("year"):
        row = snap.data.get(str(key))
        if row is not None:
            out.append({"year": snap.year, **row})
    return out


def alignment(year: int, scope: measures.Scope = measures.CITY) -> dict:
    """Enrolment against demand (and employment) by chain, with the two dissimilarity indices and chain
    names: ``{"demand_index", "employment_index", "chains": [{"key", "label", "enrolment_share", …}]}``."""
    data = snapshot(year, scope, services.ALIGNMENT).data
    shares = {
        name: measures.shares({int(k): v for k, v in data[name].items()})
        for name in ("enrolment", "demand", "employment")
    }
    keys = set().union(*(set(s) for s in shares.values()))
    names = labels("chain", keys)
    chains = [
        {
            "key": k,
            "label": names.get(k, {}).get("label", ""),
            "enrolment_share": round(shares["enrolment"].get(k, 0.0), 4),
            "demand_share": round(shares["demand"].get(k, 0.0), 4),
            "employment_share": round(shares["employment"].get(k, 0.0), 4),
        }
        for k in sorted(keys, key=lambda k: names.get(k, {}).get("code", ""))
    ]
    return {
        "demand_index": data["demand_index"],
        "employment_index": data["employment_index"],
        "chains": chains,
    }


def alignment_by_county(year: int) -> list[dict]:
    """The alignment indices of the city and of each county-level unit and park, this year and the last."""
    with measures.memoized():
        return _alignment_by_county(year)


def _alignment_by_county(year: int) -> list[dict]:
    rows = []
    counties = measures.counties()
    names = labels("county", counties)
    for scope, label in [(measures.CITY, _("全市"))] + [
        (measures.Scope(county=pk), names[pk]["label"]) for pk in counties if pk in names
    ]:
        now, before = alignment(year, scope), alignment(year - 1, scope)
        rows.append(
            {
                "scope": scope.key,
                "county": scope.county,
                "label": label,
                "demand_index": now["demand_index"],
                "employment_index": now["employment_index"],
                "demand_index_before": before["demand_index"],
            }
        )
    return rows


# --- warnings --------------------------------------------------------------------------------------------
def warnings(year: int, scope: measures.Scope = measures.CITY) -> dict[str, list[dict]]:
    """淘汰预警: majors whose new enrolment fell by the threshold share or more since last year while their
    employment rate is below the threshold and their demand is not short; 缺口: 专业类 with demand and no
    local supply. Each with the numbers behind it."""
    t = services.thresholds()
    now = {r["key"]: r for r in figures(year, "major", scope)}
    before = {r["key"]: r for r in figures(year - 1, "major", scope)}
    retire = []
    for key, row in now.items():
        last = before.get(key)
        if not last or not last["new"]:
            continue
        drop = (last["new"] - row["new"]) / last["new"]
        employment = row["employment_rate"]
        if (
            drop >= t.retire_enrolment_drop
            and employment is not None
            and employment < t.retire_employment_rate
            and row["status"] not in {"shortage", "gap"}
        ):
            retire.append({**row, "new_before": last["new"], "enrolment_drop": round(drop, 4)})
    retire.sort(key=lambda r: (-r["enrolment_drop"], r["code"]))
    gaps = [r for r in figures(year, "major_class", scope) if r["status"] == "gap"]
    return {"retire": retire, "gaps": gaps}


# --- researchers -----------------------------------------------------------------------------------------
#: Measures that count people, suppressed below the threshold (with the rates computed from them).
PEOPLE = {
    "enrolled": (),
    "new": (),
    "graduates": ("index",),
    "outcomes": ("employment_rate", "further_rate"),
    "employed": ("related_rate", "local_rate", "employment_rate"),
    "related": ("related_rate",),
    "local": ("local_rate",),
    "further": ("further_rate",),
    "filled": ("unfilled",),  # offers and hires: students
}
AGGREGATE_FIELDS = (
    "enrolled",
    "new",
    "graduates",
    "headcount",
    "positions",
    "enterprises",
    "filled",
    "unfilled",
    "outcomes",
    "employed",
    "related",
    "local",
    "further",
    "employment_rate",
    "related_rate",
    "local_rate",
    "further_rate",
    "index",
    "status",
)


def _groups(dimension: str, keys: list[int]) -> dict[int, object]:
    """The group of each row whose members add up to a total that can be read elsewhere: a major's 专业类,
    a 专业类's 大类; for the other dimensions the city (their rows add up to the city's total)."""
    if dimension == "major":
        return dict(Major.objects.filter(pk__in=keys).values_list("pk", "major_class_id"))
    if dimension == "major_class":
        return dict(MajorClass.objects.filter(pk__in=keys).values_list("pk", "category_id"))
    return dict.fromkeys(keys, "city")


def aggregates(year: int, dimension: str) -> list[dict]:
    """De-identified aggregates for researchers and the public: the city's figures of a dimension (not by
    school), where a count of fewer than ``suppress_below`` people (and every rate computed from it) is
    ``None``. **Complementary suppression**: where a group whose total can be read elsewhere (the majors of a
    专业类, the 专业类 of a 大类, the rows of a city-wide dimension) would have exactly one hidden cell of a
    measure, the smallest other non-zero cell of that measure is hidden too, so that no hidden count comes
    back by subtraction."""
    if dimension == "school":
        raise ValueError("no aggregates by school")
    limit = services.thresholds().suppress_below
    rows = figures(year, dimension)
    group_of = _groups(dimension, [r["key"] for r in rows])
    cells = []
    for row in rows:
        cell = {"code": row["code"], "label": row["label"], "year": year}
        cell.update({name: row.get(name) for name in AGGREGATE_FIELDS})
        cells.append(cell)
    for name, derived in PEOPLE.items():
        hidden = [0 < (row.get(name) or 0) < limit for row in rows]
        members: dict[object, list[int]] = {}
        for i, row in enumerate(rows):
            members.setdefault(group_of.get(row["key"]), []).append(i)
        for indices in members.values():
            if sum(hidden[i] for i in indices) == 1:
                others = [i for i in indices if not hidden[i] and (rows[i].get(name) or 0) > 0]
                if others:
                    hidden[min(others, key=lambda i: (rows[i].get(name) or 0, rows[i]["code"]))] = True
        for i, cell in enumerate(cells):
            if hidden[i]:
                cell[name] = None
                for rate in derived:
                    cell[rate] = None
    return cells
