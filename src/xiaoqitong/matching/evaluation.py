"""Offline evaluation of the matching engine on a labelled set (``xiaoqitong eval_matching``).

A *labels file* is self-contained JSON: it describes enterprises, positions and students with the codes and
names of the reference catalogs (so any database with the catalogs loaded can run it, with or without
demo data) and grades some (student, position) pairs:

.. code-block:: json

    {
      "format": "xqt-match-labels-1",
      "as_of": "2026-06-20",
      "enterprises": [{"key": "E01", "name": "…", "industry": "C3240", "county": "431021"}],
      "positions": [{"key": "P01", "enterprise": "E01", "title": "…", "description": "…",
                     "type": "full_time", "min_education": "secondary", "county": "431021",
                     "majors": ["630501"], "required_skills": ["有色金属冶炼"], …}],
      "students": [{"key": "S01", "major": "630501", "status": "graduated", "grade": 2023,
                    "skills": ["有色金属冶炼"], "preferred_counties": ["431021"], …}],
      "labels": [{"student": "S01", "position": "P01", "grade": 2}]
    }

Grades: 2 a good fit, 1 acceptable, 0 not suitable; every pair not listed is 0. ``as_of`` is the day the
matching runs on (position start dates and student availability are counted from it), so results do not
depend on the day the command runs. :data:`FIELDS` lists every field, with its meaning.

:func:`load_labels` reads and checks a file against the catalogs (:class:`LabelsError`, in Chinese, names
the record and the field). :func:`evaluate` creates the records inside a transaction that it always rolls
back, reads them with ``arrays.py`` exactly as the live index does, ranks every labelled student's top k
with the engine (:meth:`~.engine.MatchIndex.top_k`) and with the text-only baseline
(:meth:`~.engine.MatchIndex.bm25_top_k` of :func:`~.engine.query_tokens`), and scores both rankings:

* **Recall@k**: the share of the student's relevant positions (grade >= 1) in its top k;
* **NDCG@k**: discounted cumulative gain with gain ``2**grade - 1`` and discount ``log2(rank + 1)``,
  divided by that of the ideal order of the student's grades;
* **MRR**: the mean of ``1 / rank`` of the first relevant position in the top k (0 when there is none).

Each is the mean over the students that have at least one relevant position. Records are created in an
order fixed by a hash of their keys, so that the order of the file (positions grouped by trade) does not
decide ties (both methods break ties by the lower primary key).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.enterprises.choices import Education, PositionStatus
from xiaoqitong.enterprises.models import Position, PositionCertificate, PositionSkill
from xiaoqitong.orgs.choices import EnterpriseSize, SchoolType
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.orgs.validators import make_credit_code
from xiaoqitong.reference.choices import EducationLevel, IndustryLevel, RegionLevel
from xiaoqitong.reference.models import (
    Certificate,
    Industry,
    IndustryChain,
    Major,
    MajorCategory,
    MajorClass,
    Region,
    Skill,
)
from xiaoqitong.schools.choices import Duration, PositionType, StudentStatus
from xiaoqitong.schools.models import SchoolMajor, Student, StudentSkill

from .arrays import build_catalog, position_arrays, student_arrays
from .engine import NO_POSITION, MatchIndex, Weights, query_tokens
from .services import match_weights

__all__ = [
    "BASELINE",
    "DEFAULT_LABELS",
    "ENGINE",
    "FORMAT",
    "EvaluationResult",
    "LabelSet",
    "LabelsError",
    "Metrics",
    "evaluate",
    "grade_counts",
    "load_labels",
    "mean_metrics",
    "ndcg_at_k",
    "parse_labels",
    "recall_at_k",
    "reciprocal_rank",
]

FORMAT = "xqt-match-labels-1"
#: The labelled set shipped with the platform (docs/design/matching-labels.md describes it).
DEFAULT_LABELS = Path(__file__).resolve().parent / "data" / "labels.json"
GRADES = (0, 1, 2)
#: The method names, in the order the command prints them.
ENGINE, BASELINE = "engine", "bm25"

# What each record may hold: field -> (kind, required). Kinds: str (non-empty), text (may be empty), int,
# date (ISO), int? / date? (or null), list (of non-empty strings). docs/design/matching-labels.md has
# their meanings.
_TOP = {
    "format": ("str", True),
    "as_of": ("date", True),
    "title": ("text", False),
    "description": ("text", False),
    "enterprises": ("records", True),
    "positions": ("records", True),
    "students": ("records", True),
    "labels": ("records", True),
}
FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    "enterprises": {
        "key": ("str", True),
        "name": ("str", True),
        "industry": ("str", True),  # GB/T 4754 小类 code with its section letter, e.g. C3240
        "county": ("str", True),  # county-level or park region code
        "size": ("str", False),  # EnterpriseSize value, default medium
        "note": ("text", False),
    },
    "positions": {
        "key": ("str", True),
        "enterprise": ("str", True),  # an enterprise key
        "title": ("str", True),
        "description": ("str", True),
        "type": ("str", True),  # PositionType value
        "min_education": ("str", True),  # Education value
        "county": ("str", True),  # workplace: county-level or park region code
        "salary_min": ("int?", False),
        "salary_max": ("int?", False),
        "start_date": ("date?", False),
        "headcount": ("int", False),
        "majors": ("list", False),  # major codes (2021 catalog)
        "major_classes": ("list", False),  # 专业类 codes
        "major_categories": ("list", False),  # 专业大类 codes
        "required_skills": ("list", False),  # Skill names
        "bonus_skills": ("list", False),
        "required_certificates": ("list", False),  # Certificate codes
        "bonus_certificates": ("list", False),
        "note": ("text", False),
    },
    "students": {
        "key": ("str", True),
        "major": ("str", True),  # major code: also gives the education level
        "status": ("str", True),  # studying, interning or graduated
        "grade": ("int", True),  # year of entry
        "expected_graduation": ("date?", False),
        "hometown": ("str", False),  # 生源地: county-level or township region code
        "skills": ("list", False),  # Skill names
        "preferred_chains": ("list", False),  # IndustryChain codes
        "preferred_counties": ("list", False),  # county-level or park region codes
        "preferred_types": ("list", False),  # PositionType values
        "salary_expectation": ("int?", False),
        "note": ("text", False),
    },
    "labels": {
        "student": ("str", True),
        "position": ("str", True),
        "grade": ("int", True),
        "note": ("text", False),
    },
}
_STUDENT_STATUSES = (StudentStatus.STUDYING, StudentStatus.INTERNING, StudentStatus.GRADUATED)
_WORK_AREAS = (RegionLevel.COUNTY, RegionLevel.PARK)
_HOME_AREAS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
_SCHOOL_TYPE = {
    EducationLevel.SECONDARY: SchoolType.SECONDARY,
    EducationLevel.ASSOCIATE: SchoolType.ASSOCIATE,
    EducationLevel.BACHELOR: SchoolType.BACHELOR,
}
_DURATION = {
    EducationLevel.SECONDARY: Duration.THREE_YEAR,
    EducationLevel.ASSOCIATE: Duration.THREE_YEAR,
    EducationLevel.BACHELOR: Duration.FOUR_YEAR,
}


class LabelsError(ValueError):
    """A labels file that cannot be evaluated; the message (Chinese) names the record and the field."""


# ----------------------------------------------------------------------------------------------------------
# Metrics (pure)
# ----------------------------------------------------------------------------------------------------------
def _relevant(grades: Mapping[str, int]) -> set[str]:
    return {key for key, grade in grades.items() if grade >= 1}


def recall_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """The share of the relevant items (grade >= 1) found in the first k of ``ranking``.

    ``grades`` maps items to grades; items not in it are 0. Raises ValueError when nothing is relevant.
    """
    relevant = _relevant(grades)
    if not relevant:
        raise ValueError("recall is undefined without a relevant item")
    return len(relevant & set(ranking[:k])) / len(relevant)


def _dcg(gains: Iterable[int]) -> float:
    return sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(gains, start=1))


def ndcg_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """NDCG of the first k of ``ranking``: gain ``2**grade - 1``, discount ``log2(rank + 1)``, divided by the
    DCG of the ideal order (the grades sorted from the highest, cut at k). Raises ValueError when nothing is
    relevant."""
    ideal = _dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal <= 0:
        raise ValueError("NDCG is undefined without a relevant item")
    return _dcg(grades.get(item, 0) for item in ranking[:k]) / ideal


def reciprocal_rank(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """``1 / rank`` of the first relevant item in the first k of ``ranking``; 0 when there is none."""
    for rank, item in enumerate(ranking[:k], start=1):
        if grades.get(item, 0) >= 1:
            return 1 / rank
    return 0.0


@dataclasses.dataclass(frozen=True)
class Metrics:
    """Means over the students that have at least one relevant item."""

    recall: float
    ndcg: float
    mrr: float
    students: int  # how many students the means are over


def mean_metrics(
    rankings: Mapping[str, Sequence[str]], grades: Mapping[str, Mapping[str, int]], k: int
) -> Metrics:
    """Recall@k, NDCG@k and MRR of ``rankings`` (student -> ranked items), averaged over the students of
    ``grades`` (student -> item -> grade) that have a relevant item. A student missing from ``rankings`` has
    an empty ranking."""
    if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    judged = [s for s in sorted(grades) if _relevant(grades[s])]
    if not judged:
        raise ValueError("no student has a relevant item")
    values = [
        (recall_at_k(r, grades[s], k), ndcg_at_k(r, grades[s], k), reciprocal_rank(r, grades[s], k))
        for s in judged
        for r in [rankings.get(s, ())]
    ]
    n = len(values)
    return Metrics(
        recall=sum(v[0] for v in values) / n,
        ndcg=sum(v[1] for v in values) / n,
        mrr=sum(v[2] for v in values) / n,
        students=n,
    )


# ----------------------------------------------------------------------------------------------------------
# Reading and checking a labels file
# ----------------------------------------------------------------------------------------------------------
_RECORD_NAMES = {
    "enterprises": gettext_lazy("企业"),
    "positions": gettext_lazy("岗位"),
    "students": gettext_lazy("学生"),
    "labels": gettext_lazy("标注"),
}


def _where(section: str, index: int, record: Any) -> str:
    """How a message names a record: 岗位“P07” (by key), or 第 3 条标注 (labels have no key)."""
    key = record.get("key") if isinstance(record, dict) else None
    if section != "labels" and isinstance(key, str) and key:
        return _("%(kind)s“%(key)s”") % {"kind": _RECORD_NAMES[section], "key": key}
    return _("第 %(n)s 条%(kind)s") % {"n": index + 1, "kind": _RECORD_NAMES[section]}


def _field_error(where: str, field: str, problem: str) -> LabelsError:
    return LabelsError(
        _("%(where)s的字段“%(field)s”：%(problem)s") % {"where": where, "field": field, "problem": problem}
    )


def _check_value(where: str, field: str, kind: str, value: Any) -> Any:
    """``value`` checked against ``kind``; dates are returned as dates."""
    if kind.endswith("?"):
        if value is None:
            return None
        kind = kind[:-1]
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise _field_error(where, field, _("应为非空字符串。"))
        return value.strip()
    if kind == "text":
        if not isinstance(value, str):
            raise _field_error(where, field, _("应为字符串。"))
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _field_error(where, field, _("应为整数，当前为 %(value)s。") % {"value": json.dumps(value)})
        return value
    if kind == "date":
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise _field_error(
                where,
                field,
                _("应为 YYYY-MM-DD 格式的日期，当前为 %(value)s。") % {"value": json.dumps(value)},
            ) from None
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise _field_error(where, field, _("应为非空字符串的列表。"))
        values = [v.strip() for v in value]
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise _field_error(where, field, _("“%(value)s”重复。") % {"value": repeated[0]})
        return values
    if kind == "records":
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise _field_error(where, field, _("应为对象的列表。"))
        return value
    raise AssertionError(kind)  # pragma: no cover - the specs above use only these kinds


def _check_record(where: str, record: Any, spec: Mapping[str, tuple[str, bool]]) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise LabelsError(_("%(where)s应为对象。") % {"where": where})
    unknown = sorted(set(record) - set(spec))
    if unknown:
        raise LabelsError(
            _("%(where)s有未知字段“%(field)s”（可用字段：%(known)s）。")
            % {"where": where, "field": unknown[0], "known": "、".join(spec)}
        )
    out = {}
    for field, (kind, required) in spec.items():
        if field not in record:
            if required:
                raise LabelsError(_("%(where)s缺少字段“%(field)s”。") % {"where": where, "field": field})
            continue
        out[field] = _check_value(where, field, kind, record[field])
    return out


@dataclasses.dataclass(frozen=True)
class LabelSet:
    """A checked labels file: records as dicts of checked values, catalog codes resolved to primary keys
    (the ``*_pk``/``*_pks`` entries), and the grades (student key -> position key -> grade)."""

    source: str
    as_of: dt.date
    title: str
    enterprises: tuple[dict[str, Any], ...]
    positions: tuple[dict[str, Any], ...]
    students: tuple[dict[str, Any], ...]
    grades: dict[str, dict[str, int]]

    @property
    def labelled_pairs(self) -> int:
        return sum(len(g) for g in self.grades.values())

    @property
    def relevant_pairs(self) -> int:
        return sum(len(_relevant(g)) for g in self.grades.values())


def load_labels(path: str | Path | None = None) -> LabelSet:
    """Read and check a labels file (default: the shipped set) against the catalogs in the database."""
    path = Path(path) if path is not None else DEFAULT_LABELS
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LabelsError(_("无法读取标注文件 %(path)s：%(error)s") % {"path": path, "error": exc}) from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LabelsError(
            _("标注文件 %(path)s 不是有效的 JSON：%(error)s") % {"path": path, "error": exc}
        ) from exc
    return parse_labels(data, source=str(path))


def parse_labels(data: Any, *, source: str = "") -> LabelSet:
    """Check a decoded labels file (see the module docstring) and resolve its codes against the catalogs."""
    top = _check_record(_("标注文件"), data, _TOP)
    if top["format"] != FORMAT:
        raise LabelsError(
            _("标注文件的格式“%(found)s”不受支持，应为“%(format)s”。")
            % {"found": top["format"], "format": FORMAT}
        )
    records: dict[str, list[dict[str, Any]]] = {}
    for section in ("enterprises", "positions", "students", "labels"):
        checked, seen = [], set()
        for i, record in enumerate(top[section]):
            where = _where(section, i, record)
            values = _check_record(where, record, FIELDS[section])
            if "key" in values:
                if values["key"] in seen:
                    raise LabelsError(
                        _("%(kind)s的编号“%(key)s”重复。")
                        % {"kind": _RECORD_NAMES[section], "key": values["key"]}
                    )
                seen.add(values["key"])
            values["_where"] = where
            checked.append(values)
        records[section] = checked
    if not records["positions"]:
        raise LabelsError(_("标注文件没有岗位。"))
    if not records["students"]:
        raise LabelsError(_("标注文件没有学生。"))
    _Resolver(records).resolve()
    grades = _grades(records)
    if not any(_relevant(g) for g in grades.values()):
        raise LabelsError(_("没有等级为 1 或 2 的标注：无法计算指标。"))
    return LabelSet(
        source=source,
        as_of=top["as_of"],
        title=top.get("title", ""),
        enterprises=tuple(records["enterprises"]),
        positions=tuple(records["positions"]),
        students=tuple(records["students"]),
        grades=grades,
    )


def _grades(records: Mapping[str, list[dict[str, Any]]]) -> dict[str, dict[str, int]]:
    students = {r["key"] for r in records["students"]}
    positions = {r["key"] for r in records["positions"]}
    grades: dict[str, dict[str, int]] = {key: {} for key in students}
    for label in records["labels"]:
        where = label["_where"]
        if label["student"] not in students:
            raise _field_error(where, "student", _("没有编号为“%(key)s”的学生。") % {"key": label["student"]})
        if label["position"] not in positions:
            raise _field_error(
                where, "position", _("没有编号为“%(key)s”的岗位。") % {"key": label["position"]}
            )
        if label["grade"] not in GRADES:
            raise _field_error(
                where, "grade", _("应为 0、1 或 2，当前为 %(grade)s。") % {"grade": label["grade"]}
            )
        own = grades[label["student"]]
        if label["position"] in own:
            raise LabelsError(
                _("%(where)s：学生“%(student)s”与岗位“%(position)s”已经标注过。")
                % {"where": where, "student": label["student"], "position": label["position"]}
            )
        own[label["position"]] = label["grade"]
    return grades


class _Resolver:
    """Resolves the catalog codes and names of the records to primary keys, with a message per failure."""

    def __init__(self, records: Mapping[str, list[dict[str, Any]]]) -> None:
        self.records = records
        self.majors = {
            code: (pk, level)
            for pk, code, level in Major.objects.values_list("pk", "code", "education_level")
        }
        self.classes = dict(MajorClass.objects.values_list("code", "pk"))
        self.categories = dict(MajorCategory.objects.values_list("code", "pk"))
        self.chains = dict(IndustryChain.objects.values_list("code", "pk"))
        self.certificates = dict(Certificate.objects.values_list("code", "pk"))
        self.skills, self.synonyms = {}, {}
        for pk, name, synonyms in Skill.objects.values_list("pk", "name", "synonyms"):
            self.skills[name] = pk
            for synonym in synonyms or ():
                self.synonyms.setdefault(synonym, name)
        codes = {
            r[f] for section in ("enterprises", "positions") for r in records[section] for f in ("county",)
        }
        codes |= {r["hometown"] for r in records["students"] if "hometown" in r}
        codes |= {c for r in records["students"] for c in r.get("preferred_counties", ())}
        self.regions = {
            code: (pk, level, name)
            for pk, code, level, name in Region.objects.filter(code__in=codes).values_list(
                "pk", "code", "level", "name"
            )
        }
        wanted = {r["industry"] for r in records["enterprises"]}
        self.industries = {
            code: (pk, level, name)
            for pk, code, level, name in Industry.objects.filter(code__in=wanted).values_list(
                "pk", "code", "level", "name"
            )
        }

    def resolve(self) -> None:
        if not self.majors:
            raise LabelsError(_("基础目录为空：请先运行 xiaoqitong load_reference。"))
        for r in self.records["enterprises"]:
            self.enterprise(r)
        enterprises = {r["key"] for r in self.records["enterprises"]}
        for r in self.records["positions"]:
            self.position(r, enterprises)
        for r in self.records["students"]:
            self.student(r)

    def _missing(self, where: str, field: str, what: str, value: str) -> LabelsError:
        return _field_error(
            where, field, _("%(what)s“%(value)s”不在目录中。") % {"what": what, "value": value}
        )

    def region(self, where: str, field: str, code: str, levels: Sequence[str]) -> int:
        if code not in self.regions:
            raise self._missing(where, field, _("行政区划代码"), code)
        pk, level, name = self.regions[code]
        if level not in levels:
            allowed = "、".join(str(RegionLevel(v).label) for v in levels)
            raise _field_error(
                where,
                field,
                _("“%(code)s %(name)s”是%(level)s区划，应为%(allowed)s。")
                % {"code": code, "name": name, "level": RegionLevel(level).label, "allowed": allowed},
            )
        return pk

    def choice(self, where: str, field: str, value: str, choices) -> str:
        if value not in choices.values:
            allowed = "、".join(f"{v}（{label}）" for v, label in choices.choices)
            raise _field_error(
                where, field, _("“%(value)s”无效，可选：%(allowed)s。") % {"value": value, "allowed": allowed}
            )
        return value

    def skill_pks(self, where: str, field: str, names: Sequence[str]) -> list[int]:
        out = []
        for name in names:
            if name not in self.skills:
                hint = ""
                if name in self.synonyms:
                    hint = _("（它是技能“%(name)s”的同义词，请写技能名称）") % {"name": self.synonyms[name]}
                raise _field_error(
                    where, field, _("技能“%(value)s”不在技能目录中%(hint)s。") % {"value": name, "hint": hint}
                )
            out.append(self.skills[name])
        return out

    def codes(self, where: str, field: str, codes: Sequence[str], table: Mapping[str, Any], what: str):
        out = []
        for code in codes:
            if code not in table:
                raise self._missing(where, field, what, code)
            value = table[code]
            out.append(value[0] if isinstance(value, tuple) else value)
        return out

    def enterprise(self, r: dict[str, Any]) -> None:
        where = r["_where"]
        code = r["industry"]
        if code not in self.industries:
            raise self._missing(where, "industry", _("行业代码"), code)
        pk, level, name = self.industries[code]
        if level != IndustryLevel.CLASS:
            raise _field_error(
                where,
                "industry",
                _("“%(code)s %(name)s”不是行业小类（四位码），企业应填小类。") % {"code": code, "name": name},
            )
        r["industry_pk"] = pk
        r["county_pk"] = self.region(where, "county", r["county"], _WORK_AREAS)
        r["size"] = self.choice(where, "size", r.get("size", EnterpriseSize.MEDIUM), EnterpriseSize)

    def position(self, r: dict[str, Any], enterprises: set[str]) -> None:
        where = r["_where"]
        if r["enterprise"] not in enterprises:
            raise _field_error(
                where, "enterprise", _("没有编号为“%(key)s”的企业。") % {"key": r["enterprise"]}
            )
        self.choice(where, "type", r["type"], PositionType)
        self.choice(where, "min_education", r["min_education"], Education)
        r["county_pk"] = self.region(where, "county", r["county"], _WORK_AREAS)
        low, high = r.get("salary_min"), r.get("salary_max")
        for field, value in (("salary_min", low), ("salary_max", high)):
            if value is not None and value <= 0:
                raise _field_error(where, field, _("应为正整数（元/月）。"))
        if low is not None and high is not None and low > high:
            raise _field_error(where, "salary_max", _("月薪上限不能低于下限。"))
        if r.get("headcount", 1) < 1:
            raise _field_error(where, "headcount", _("招聘人数至少为 1。"))
        r["major_pks"] = self.codes(where, "majors", r.get("majors", ()), self.majors, _("专业代码"))
        r["class_pks"] = self.codes(
            where, "major_classes", r.get("major_classes", ()), self.classes, _("专业类代码")
        )
        r["category_pks"] = self.codes(
            where, "major_categories", r.get("major_categories", ()), self.categories, _("专业大类代码")
        )
        for kind, what in (("skills", _("技能")), ("certificates", _("证书"))):
            both = sorted(set(r.get(f"required_{kind}", ())) & set(r.get(f"bonus_{kind}", ())))
            if both:
                raise _field_error(
                    where,
                    f"bonus_{kind}",
                    _("%(what)s“%(value)s”已列为必备，不能同时是加分项。") % {"what": what, "value": both[0]},
                )
        for field in ("required_skills", "bonus_skills"):
            r[f"{field}_pks"] = self.skill_pks(where, field, r.get(field, ()))
        for field in ("required_certificates", "bonus_certificates"):
            r[f"{field}_pks"] = self.codes(where, field, r.get(field, ()), self.certificates, _("证书编号"))

    def student(self, r: dict[str, Any]) -> None:
        where = r["_where"]
        if r["major"] not in self.majors:
            raise self._missing(where, "major", _("专业代码"), r["major"])
        r["major_pk"], r["level"] = self.majors[r["major"]]
        if r["status"] not in _STUDENT_STATUSES:
            allowed = "、".join(f"{s.value}（{s.label}）" for s in _STUDENT_STATUSES)
            raise _field_error(
                where,
                "status",
                _("“%(value)s”无效，可选：%(allowed)s。") % {"value": r["status"], "allowed": allowed},
            )
        if not 2000 <= r["grade"] <= 2100:
            raise _field_error(where, "grade", _("入学年份应在 2000-2100 之间。"))
        if r.get("hometown"):
            r["hometown_pk"] = self.region(where, "hometown", r["hometown"], _HOME_AREAS)
        r["skill_pks"] = self.skill_pks(where, "skills", r.get("skills", ()))
        r["chain_pks"] = self.codes(
            where, "preferred_chains", r.get("preferred_chains", ()), self.chains, _("产业链编号")
        )
        r["county_pks"] = [
            self.region(where, "preferred_counties", code, _WORK_AREAS)
            for code in r.get("preferred_counties", ())
        ]
        for value in r.get("preferred_types", ()):
            self.choice(where, "preferred_types", value, PositionType)
        if r.get("salary_expectation") is not None and r["salary_expectation"] <= 0:
            raise _field_error(where, "salary_expectation", _("应为正整数（元/月）。"))


# ----------------------------------------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class EvaluationResult:
    """The metrics of each method (``engine``, ``bm25``), the counts, and every student's top k."""

    labels: LabelSet
    k: int
    metrics: dict[str, Metrics]
    rankings: dict[str, dict[str, list[str]]]  # method -> student key -> position keys, best first

    @property
    def engine(self) -> Metrics:
        return self.metrics[ENGINE]

    @property
    def baseline(self) -> Metrics:
        return self.metrics[BASELINE]


def _order_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _unused(model, field: str, candidates: Iterable[str]) -> str:
    """The first candidate value of ``field`` that no row of ``model`` has."""
    for value in candidates:
        if not model.objects.filter(**{field: value}).exists():
            return value
    raise AssertionError("no free value")  # pragma: no cover - the candidates are effectively endless


class _Rollback(Exception):
    """Raised at the end of the evaluation's transaction so that nothing it created is kept."""


def evaluate(labels: LabelSet, *, k: int = 10, weights: Weights | None = None) -> EvaluationResult:
    """Rank every labelled student's top k with the engine and with the text-only baseline, and score them.

    The records are created in the database inside a transaction that is always rolled back. ``weights``
    default to the platform's (``settings.XQT_MATCH_WEIGHTS``).
    """
    if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    weights = weights or match_weights()
    rankings: dict[str, dict[str, list[str]]] = {}
    try:
        with transaction.atomic():
            rankings = _rank(labels, k, weights)
            raise _Rollback
    except _Rollback:
        pass
    metrics = {method: mean_metrics(rankings[method], labels.grades, k) for method in (ENGINE, BASELINE)}
    return EvaluationResult(labels=labels, k=k, metrics=metrics, rankings=rankings)


def _rank(labels: LabelSet, k: int, weights: Weights) -> dict[str, dict[str, list[str]]]:
    position_keys, student_keys = _create(labels)
    data = build_catalog()
    positions = position_arrays(data, Position.objects.filter(pk__in=position_keys), on=labels.as_of)
    students = student_arrays(data, Student.objects.filter(pk__in=student_keys), on=labels.as_of)
    index = MatchIndex.build(data.catalog, positions, weights, dense_items=False)
    rows = list(range(len(students)))
    results = {
        ENGINE: index.top_k(students, rows, k=k)[0],
        BASELINE: index.bm25_top_k(query_tokens(data.catalog, students, rows), k=k)[0],
    }
    out: dict[str, dict[str, list[str]]] = {}
    for method, ids in results.items():
        out[method] = {
            student_keys[int(pk)]: [position_keys[int(p)] for p in row if p != NO_POSITION]
            for pk, row in zip(students.ids, ids, strict=True)
        }
    return out


def _create(labels: LabelSet) -> tuple[dict[int, str], dict[int, str]]:
    """Create the file's records; returns the position and student primary keys mapped to their keys."""
    as_of = labels.as_of
    levels = sorted({s["level"] for s in labels.students})
    schools = {}
    for level in levels:
        name = _unused(
            School,
            "name",
            (f"精准对接评测学校（{EducationLevel(level).label}）{n or ''}" for n in range(10**6)),
        )
        code = _unused(School, "code", (f"99{n:08d}" for n in range(10**8)))
        county = Region.objects.filter(level=RegionLevel.COUNTY).order_by("code").first()
        if county is None:
            raise LabelsError(_("基础目录为空：请先运行 xiaoqitong load_reference。"))
        schools[level] = School.objects.create(
            code=code, name=name, school_type=_SCHOOL_TYPE[level], county=county
        )
    enterprises = {}
    serials = iter(range(99_000_000, 10**8))
    for r in sorted(labels.enterprises, key=lambda r: _order_key(r["key"])):
        division = r["county"][:6]
        credit = _unused(Enterprise, "credit_code", (make_credit_code(division, n) for n in serials))
        enterprises[r["key"]] = Enterprise.objects.create(
            credit_code=credit,
            name=r["name"],
            size=r["size"],
            industry_id=r["industry_pk"],
            county_id=r["county_pk"],
        )
    position_keys: dict[int, str] = {}
    skill_rows, cert_rows = [], []
    for r in sorted(labels.positions, key=lambda r: _order_key(r["key"])):
        position = Position.objects.create(
            enterprise=enterprises[r["enterprise"]],
            title=r["title"],
            description=r["description"],
            position_type=r["type"],
            min_education=r["min_education"],
            headcount=r.get("headcount", 1),
            salary_min=r.get("salary_min"),
            salary_max=r.get("salary_max"),
            county_id=r["county_pk"],
            start_date=r.get("start_date"),
            valid_until=as_of + dt.timedelta(days=90),
            status=PositionStatus.PUBLISHED,
        )
        position.majors.set(r["major_pks"])
        position.major_classes.set(r["class_pks"])
        position.major_categories.set(r["category_pks"])
        for field, required in (("required_skills_pks", True), ("bonus_skills_pks", False)):
            skill_rows += [PositionSkill(position=position, skill_id=s, required=required) for s in r[field]]
        for field, required in (("required_certificates_pks", True), ("bonus_certificates_pks", False)):
            cert_rows += [
                PositionCertificate(position=position, certificate_id=c, required=required) for c in r[field]
            ]
        position_keys[position.pk] = r["key"]
    PositionSkill.objects.bulk_create(skill_rows)
    PositionCertificate.objects.bulk_create(cert_rows)
    school_majors: dict[tuple[str, int], SchoolMajor] = {}
    student_keys: dict[int, str] = {}
    own_skills = []
    for r in sorted(labels.students, key=lambda r: _order_key(r["key"])):
        level = r["level"]
        school_major = school_majors.get((level, r["major_pk"]))
        if school_major is None:
            school_major = school_majors[level, r["major_pk"]] = SchoolMajor.objects.create(
                school=schools[level], major_id=r["major_pk"], year=as_of.year, duration=_DURATION[level]
            )
        student = Student.objects.create(
            school=schools[level],
            school_major=school_major,
            student_no=r["key"],
            name=r["key"],
            grade=r["grade"],
            expected_graduation=r.get("expected_graduation"),
            status=r["status"],
            hometown_id=r.get("hometown_pk"),
            preferred_position_types=list(r.get("preferred_types", ())),
            salary_expectation=r.get("salary_expectation"),
        )
        student.preferred_chains.set(r["chain_pks"])
        student.preferred_counties.set(r["county_pks"])
        own_skills += [StudentSkill(student=student, skill_id=s) for s in r["skill_pks"]]
        student_keys[student.pk] = r["key"]
    StudentSkill.objects.bulk_create(own_skills)
    return position_keys, student_keys


def grade_counts(labels: LabelSet) -> dict[int, int]:
    """How many labelled pairs have each grade."""
    counts: dict[int, int] = defaultdict(int)
    for own in labels.grades.values():
        for grade in own.values():
            counts[grade] += 1
    return {grade: counts[grade] for grade in GRADES}
