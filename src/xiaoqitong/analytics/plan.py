"""一校一产业链: one school's majors against the demand of the industry chains they supply, the catalog majors
it could open and the majors it should review.

Everything is read from the snapshots (``selectors.figures`` and ``selectors.alignment``) plus a handful of
catalog queries, whatever the number of majors: no query per row.

* **majors**: the school's majors of the year (its own enrolment, graduates and outcomes; the city's demand
  for that exact major), each joined with the city-wide figures of its 专业类 and of the chains that class
  supplies.
* **chains**: the chains its majors supply (their share of the school's enrolment against their share of
  demand, ``selectors.alignment`` for the school), with the city-wide demand and supply of each chain.
* **open**: catalog majors of the school's levels (``LEVELS_BY_SCHOOL_TYPE``) in a 专业类 that is 紧缺 or
  无本地供给 in the city or in the school's county, which the school does not run that year; of a class that
  postings ask for by major, only the majors asked for; best first by unmet demand (headcount − expected
  graduates) of the class where it qualifies, then by the demand for the major itself.
* **review**: the school's majors whose 专业类 is 过剩 in the city, or that have a 淘汰预警 for the school
  (``selectors.warnings``), with the numbers behind each reason.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xiaoqitong.orgs.models import School
from xiaoqitong.reference.choices import EducationLevel
from xiaoqitong.reference.models import IndustryChain, Major
from xiaoqitong.schools.models import LEVELS_BY_SCHOOL_TYPE, SchoolMajor

from . import selectors
from .choices import FieldStatus
from .measures import Scope

#: Classes whose majors a school is advised to open.
OPEN_STATUSES = {FieldStatus.SHORTAGE.value, FieldStatus.GAP.value}
#: A class status that puts a school's major under review.
REVIEW_STATUSES = {FieldStatus.SURPLUS.value}


def levels_of(school: School) -> list[str]:
    """The catalog levels the school may run, in the catalog's order."""
    allowed = LEVELS_BY_SCHOOL_TYPE.get(school.school_type, set())
    return [level for level in EducationLevel.values if level in allowed]


def _unmet(row: dict | None) -> int:
    if not row:
        return 0
    return int(row.get("headcount") or 0) - int(row.get("graduates") or 0)


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _class_fields(row: dict | None, prefix: str = "class_") -> dict:
    """The figures of a 专业类 row (or empty ones) under ``prefix``."""
    row = row or {}
    return {
        f"{prefix}status": row.get("status", FieldStatus.NONE.value),
        f"{prefix}status_display": row.get("status_display") or str(FieldStatus.NONE.label),
        f"{prefix}index": row.get("index"),
        f"{prefix}headcount": int(row.get("headcount") or 0),
        f"{prefix}graduates": int(row.get("graduates") or 0),
        f"{prefix}unmet": _unmet(row),
    }


def _chain_brief(key: int, row: dict | None, names: dict[int, dict]) -> dict:
    row = row or {}
    return {
        "key": key,
        "label": names.get(key, {}).get("label", ""),
        "status": row.get("status", FieldStatus.NONE.value),
        "status_display": row.get("status_display") or str(FieldStatus.NONE.label),
        "headcount": int(row.get("headcount") or 0),
        "graduates": int(row.get("graduates") or 0),
        "index": row.get("index"),
    }


def _chains_text(chains: list[dict]) -> str:
    return "、".join(c["label"] for c in chains if c["label"])


def school_plan(school: School, year: int) -> dict:
    """The 一校一产业链 plan of ``school`` in school year ``year`` (see the module's docstring)."""
    scope = Scope(school=school.pk)
    levels = levels_of(school)

    # the school's majors of the year (one query), and every figure table the plan joins (snapshots)
    running = list(
        SchoolMajor.objects.filter(school=school, year=year)
        .order_by("major__code")
        .values_list("pk", "major_id", "major__major_class_id", "major__code", "major__name")
    )
    run_majors = {row[1] for row in running}
    own = {r["key"]: r for r in selectors.figures(year, "major", scope)}
    city_majors = {r["key"]: r for r in selectors.figures(year, "major")}
    city_classes = {r["key"]: r for r in selectors.figures(year, "major_class")}
    county_classes = {
        r["key"]: r for r in selectors.figures(year, "major_class", Scope(county=school.county_id))
    }
    city_chains = {r["key"]: r for r in selectors.figures(year, "chain")}
    own_chains = {r["key"]: r for r in selectors.figures(year, "chain", scope)}

    # the 专业类 that qualify for opening: short or without local supply, in the city or the county
    qualifying: dict[int, tuple[str, dict]] = {}
    for key, row in city_classes.items():
        if row["status"] in OPEN_STATUSES:
            qualifying[key] = ("city", row)
    for key, row in county_classes.items():
        if row["status"] in OPEN_STATUSES and key not in qualifying:
            qualifying[key] = ("county", row)
    candidates = list(
        Major.objects.filter(major_class_id__in=list(qualifying), education_level__in=levels)
        .exclude(pk__in=run_majors)
        .order_by("code")
        .values("pk", "code", "name", "education_level", "is_controlled", "major_class_id")
    )

    # the chains each 专业类 involved supplies (one query), with their names (one query)
    class_ids = {row[2] for row in running} | {c["major_class_id"] for c in candidates}
    chains_of: dict[int, list[int]] = {}
    for klass, chain in (
        IndustryChain.major_classes.through.objects.filter(majorclass_id__in=list(class_ids))
        .order_by("industrychain__sort_order", "industrychain__code")
        .values_list("majorclass_id", "industrychain_id")
    ):
        chains_of.setdefault(klass, []).append(chain)
    chain_names = selectors.labels("chain", {c for cs in chains_of.values() for c in cs} | set(own_chains))
    class_names = selectors.labels("major_class", class_ids)

    def chains_for(klass: int) -> list[dict]:
        return [_chain_brief(c, city_chains.get(c), chain_names) for c in chains_of.get(klass, [])]

    # --- the school's majors ---
    majors = []
    for school_major, major, klass, code, name in running:
        row = own.get(major, {})
        chains = chains_for(klass)
        majors.append(
            {
                "key": major,
                "school_major": school_major,
                "code": code,
                "name": name,
                "label": f"{name}（{code}）",
                "class_key": klass,
                "class_label": class_names.get(klass, {}).get("label", ""),
                **{name: row.get(name, 0) for name in ("enrolled", "new", "plan", "graduates", "outcomes")},
                "employment_rate": row.get("employment_rate"),
                "related_rate": row.get("related_rate"),
                "local_rate": row.get("local_rate"),
                "major_headcount": int(city_majors.get(major, {}).get("headcount") or 0),
                **_class_fields(city_classes.get(klass)),
                "chains": chains,
                "chains_text": _chains_text(chains),
            }
        )

    # --- its chains against their demand ---
    alignment = selectors.alignment(year, scope)
    by_chain_majors: dict[int, list[str]] = {}
    for m in majors:
        for c in m["chains"]:
            by_chain_majors.setdefault(c["key"], []).append(m["name"])
    chains = []
    for entry in alignment["chains"]:
        if entry["enrolment_share"] <= 0:
            continue  # a chain the school does not supply
        key = entry["key"]
        city = city_chains.get(key, {})
        chains.append(
            {
                **entry,
                "enrolled": int(own_chains.get(key, {}).get("enrolled") or 0),
                "own_graduates": int(own_chains.get(key, {}).get("graduates") or 0),
                **_class_fields(city, prefix="city_"),
                "majors": by_chain_majors.get(key, []),
                "majors_text": "、".join(by_chain_majors.get(key, [])),
            }
        )
    chains.sort(key=lambda c: (-c["enrolment_share"], c["label"]))

    # --- majors it could open ---
    county_label = selectors.labels("county", [school.county_id]).get(school.county_id, {}).get("label", "")
    level_names = dict(EducationLevel.choices)
    to_open = []
    for major in candidates:
        klass = major["major_class_id"]
        where, evidence = qualifying[klass]
        chains_ = chains_for(klass)
        county_row = county_classes.get(klass)
        to_open.append(
            {
                "key": major["pk"],
                "code": major["code"],
                "name": major["name"],
                "label": f"{major['name']}（{major['code']}）",
                "level": major["education_level"],
                "level_display": str(level_names.get(major["education_level"], "")),
                "controlled": major["is_controlled"],
                "class_key": klass,
                "class_label": evidence.get("label") or class_names.get(klass, {}).get("label", ""),
                "scope": where,
                "scope_label": str(_("全市")) if where == "city" else county_label,
                **_class_fields(evidence),
                **_class_fields(county_row, prefix="county_"),
                "major_headcount": int(city_majors.get(major["pk"], {}).get("headcount") or 0),
                "chains": chains_,
                "chains_text": _chains_text(chains_),
            }
        )
    # within a class, the majors postings ask for by name; all of its majors when postings ask only for the
    # class as a whole (then nothing tells them apart)
    asked = {r["class_key"] for r in to_open if r["major_headcount"] > 0}
    to_open = [r for r in to_open if r["major_headcount"] > 0 or r["class_key"] not in asked]
    to_open.sort(key=lambda r: (-r["class_unmet"], -r["major_headcount"], r["code"]))

    # --- majors to review ---
    retire = {r["key"]: r for r in selectors.warnings(year, scope)["retire"]}
    review = []
    for m in majors:
        reasons = []
        if m["class_status"] in REVIEW_STATUSES:
            reasons.append(
                _(
                    "所属专业类全市过剩：需求名额 %(headcount)s，预计毕业生 %(graduates)s，"
                    "供需指数 %(index)s。"
                )
                % {
                    "headcount": m["class_headcount"],
                    "graduates": m["class_graduates"],
                    "index": "—" if m["class_index"] is None else f"{m['class_index']:.2f}",
                }
            )
        warning = retire.get(m["key"])
        if warning is not None:
            reasons.append(
                _("淘汰预警：招生较上年下降 %(drop)s（%(before)s → %(now)s），就业率 %(rate)s。")
                % {
                    "drop": _percent(warning["enrolment_drop"]),
                    "before": warning["new_before"],
                    "now": warning["new"],
                    "rate": _percent(warning["employment_rate"]),
                }
            )
        if not reasons:
            continue
        review.append(
            {
                **m,
                "surplus": m["class_status"] in REVIEW_STATUSES,
                "retire": warning is not None,
                "new_before": warning["new_before"] if warning else None,
                "enrolment_drop": warning["enrolment_drop"] if warning else None,
                "reasons": reasons,
                "reasons_text": " ".join(reasons),
            }
        )
    review.sort(
        key=lambda r: (
            -(r["surplus"] + r["retire"]),
            r["class_index"] if r["class_index"] is not None else float("inf"),
            r["code"],
        )
    )

    return {
        "school": {
            "id": school.pk,
            "code": school.code,
            "name": school.name,
            "school_type": school.school_type,
            "school_type_display": school.get_school_type_display(),
            "county": school.county_id,
            "county_label": county_label,
        },
        "year": year,
        "levels": levels,
        "levels_display": [str(level_names[level]) for level in levels],
        "majors": majors,
        "alignment": {
            "demand_index": alignment["demand_index"],
            "employment_index": alignment["employment_index"],
        },
        "chains": chains,
        "open": to_open,
        "review": review,
    }
