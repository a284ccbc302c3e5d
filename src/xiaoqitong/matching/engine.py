"""The matching engine of 校企通: ranks positions for students, with reasons. numpy and scipy only, no Django.

The Django side turns catalog, position and student records into dense integer ids and arrays
(:class:`Catalog`, :class:`PositionArrays`, :class:`StudentArrays`); this module scores, filters, ranks and
explains. docs/design/matching.md has the measurements behind every choice made here.

The score is one dot product
----------------------------
Every component of the score is linear, so ``score(s, p) = x_s · y_p``: a student vector times a position
vector, with every weight on the student side.

* Text: Lucene BM25 of the position's tokens (title, description, skill names) for the student's query, which
  is the tokenized names of the student's catalog items (major, skills, certificates). The query counts are
  scaled by ``alpha_s = w_text / Σ idf(query tokens)``, so the text component lies in ``[0, w_text]``.
* Skills and certificates: a position has ``1/n`` at each of its ``n`` required (bonus) items, a student
  ``w`` at each item it owns, so the product is ``w`` times the fraction covered.
* Major affinity: a position marks the majors it wants by name, their families, the 专业类 it wants (as a
  whole, or as the 专业类 of a wanted major), the 大类 likewise, and its industry-chain link. A student marks
  its own major, family, 专业类, 大类 and the links its major supplies, each at its weight.
* Preferences (chain, county, position type, salary, staying in the city) have few distinct values: they are
  rows of a small dense matrix ``O`` (features x positions). Salary uses cumulative buckets: a position sets
  every bucket up to its own, a student sets its minimum bucket.
* Hard filters: the minimum education is a penalty row of ``-BIG`` per education level; the availability
  date is a prefix of the positions, which are kept sorted by start day; removed positions are tombstones.
  A result at or below ``-BIG/2`` is dropped.

Why it is fast: a sum over catalog items
----------------------------------------
A student's vector is a sum over its catalog items, its text included, because its query is the names of
those items: ``x_s = Σ_items (alpha_s · T_item + C_item) + dense part``. So each skill and certificate gets
two dense rows over all positions, computed once at build time with one sparse product ``items @ Y.T``:
``T_item`` (BM25 of the item's name) and ``C_item`` (the item's weighted skill or certificate columns). The
rows of ``O`` join them. Scoring a block of students is then a sparse (students x item rows) times dense
(item rows x positions) product, accumulated in place by scipy's ``csr_matvecs`` over column tiles of about
4,000 positions, so that the ~25 rows a student sums stay in cache. No BLAS call is on this path: a row is
summed in the order of its own entries, so a student's scores are bitwise the same in any block, single
query or bulk. Majors have too many items for dense rows: the bulk run sorts students by major, so a block
of 1,000 students has few distinct majors, whose two rows are computed per block. Top-k uses the chunk-max
trick: the maximum of each 128-column chunk, the top-k chunks, then the top-k among their columns. Ties go
to the lowest position id, exactly.

Only the tokens of catalog names are text columns: no other token can be in a query. The token-level
matrices ``Y`` (positions x features) and ``Y.T`` stay beside the dense rows: they explain a pair (a few
sparse rows), score the delta segment, and serve single queries without the dense item rows
(``dense_items=False``, for web workers: 2 x (skills + certificates) rows of float32 per position less,
~290 MiB at city scale with 400 skills and 300 certificates).

Incremental updates
-------------------
The main segment is immutable. :meth:`MatchIndex.add_positions` puts new and changed positions in a small
delta segment scored token by token with the BM25 statistics frozen at build time (a word that no catalog
name contains cannot match any query, so it only counts for the document length);
:meth:`MatchIndex.remove_positions` sets tombstones. Students are not indexed: a changed student is simply
queried again. When :attr:`MatchIndex.delta_fraction` grows (say past 5%), the caller rebuilds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import scipy.sparse as sp

try:  # y += A @ X in place, without allocating: private scipy API, stable for years; fallback below.
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # pragma: no cover - depends on the scipy build
    _csr_matvecs = None

__all__ = [
    "BIG",
    "COMPONENTS",
    "FORMAT",
    "MAJOR_LEVELS",
    "NO_POSITION",
    "Catalog",
    "Explanation",
    "MatchIndex",
    "PositionArrays",
    "Ragged",
    "SnapshotError",
    "StudentArrays",
    "Weights",
    "query_tokens",
    "set_matrix",
]

#: Penalty of a failed hard filter. Finite (not -inf) so that sums stay finite in float32.
BIG = np.float32(1e4)
#: Id returned in place of a position when fewer than k positions pass the filters.
NO_POSITION = -1
#: Snapshot format. Bump it whenever the saved arrays change meaning: older snapshots are then refused.
FORMAT = "xqt-match-2"
#: Score components, in explanation order. Each is also the name of its weight.
COMPONENTS = (
    "text",
    "req_skill",
    "bonus_skill",
    "req_cert",
    "bonus_cert",
    "major",
    "major_family",
    "major_class",
    "major_category",
    "chain_link",
    "pref_chain",
    "home_county",
    "pref_county",
    "pref_type",
    "salary",
    "stay",
)
#: How close the student's major is to what the position wants, most specific first.
MAJOR_LEVELS = ("major", "family", "class", "category", "link", "none")

_CHUNK = 128  # columns per chunk of the chunk-max top-k; tiles are a multiple of it
_TILE_TARGET = 4096  # columns per tile: a block's rows of one tile stay in cache while summed
_SPARSE = (
    *("text", "req_skill", "bonus_skill", "req_cert", "bonus_cert"),
    *("major", "major_family", "major_class", "major_category", "chain_link"),
)
_DENSE = ("pref_chain", "county", "pref_type", "salary", "stay")


class SnapshotError(Exception):
    """A snapshot file that this engine refuses to load (other format, weights or catalog)."""


# ----------------------------------------------------------------------------------------------------------
# Weights
# ----------------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Weights:
    """Component weights and thresholds: data, changeable without a release.

    The component defaults sum to 1, so a score reads as a match fraction (the UI shows a percentage;
    with other weights divide by :attr:`max_score`). A weight of 0 switches its component off. Changing
    any value changes :attr:`fingerprint`, hence the index version: rebuild the index (a few seconds).
    """

    # Free-text relevance of title, description and skill names: the broadest signal but noisy, under a third.
    text: float = 0.30
    # Covering the required skills is the first thing an employer checks.
    req_skill: float = 0.20
    # Bonus skills only separate otherwise similar candidates.
    bonus_skill: float = 0.05
    # Required certificates matter (some are licences), but many students have none yet.
    req_cert: float = 0.05
    # Bonus certificates: a small plus.
    bonus_cert: float = 0.02
    # Exactly the major the position asks for (after expanding 专业类/大类 wants).
    major: float = 0.10
    # The same major at another level (中职/高职/职业本科) trains nearly the same work.
    major_family: float = 0.04
    # The same 专业类: related training.
    major_class: float = 0.04
    # The same 大类: a weak relation.
    major_category: float = 0.02
    # The student's major supplies the position's industry-chain link.
    chain_link: float = 0.03
    # The student wants to work in the position's industry chain.
    pref_chain: float = 0.03
    # Work in the student's home county keeps graduates near family (留郴 policy).
    home_county: float = 0.03
    # The student named the position's county as a preferred workplace.
    pref_county: float = 0.03
    # Full-time, internship or apprenticeship, as the student wants.
    pref_type: float = 0.02
    # The pay reaches the student's expectation; small, so that pay alone does not rank.
    salary: float = 0.02
    # 留郴: favour positions in the city for students who want to stay.
    stay: float = 0.02
    # BM25 term-frequency saturation: the Lucene default (bm25s uses it too).
    bm25_k1: float = 1.5
    # BM25 document-length normalization: the Lucene default.
    bm25_b: float = 0.75
    # Results scoring below this are dropped: 0 keeps every position that passes the hard filters.
    min_score: float = 0.0

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
                raise ValueError(f"weight {field.name!r} must be a number, got {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"weight {field.name!r} must be a finite number >= 0, got {value!r}")
            object.__setattr__(self, field.name, float(value))
        if self.bm25_b > 1:
            raise ValueError(f"weight 'bm25_b' must lie in [0, 1], got {self.bm25_b!r}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, float]) -> Weights:
        """Weights from a mapping (settings, JSON, a database row); missing keys keep their defaults."""
        allowed = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ValueError(f"unknown weight(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}")
        return cls(**dict(data))

    def to_mapping(self) -> dict[str, float]:
        return dataclasses.asdict(self)

    @property
    def max_score(self) -> float:
        """The highest score a pair can reach: the sum of the component weights."""
        return float(sum(getattr(self, name) for name in COMPONENTS))

    @property
    def fingerprint(self) -> str:
        blob = json.dumps(self.to_mapping(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


# ----------------------------------------------------------------------------------------------------------
# Input arrays
# ----------------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class Ragged:
    """Rows of different lengths of non-negative ints (token ids): ``values[indptr[i]:indptr[i + 1]]``."""

    indptr: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        indptr = np.array(self.indptr, dtype=np.int64).ravel()
        values = np.array(self.values, dtype=np.int32).ravel()
        if len(indptr) == 0 or indptr[0] != 0 or indptr[-1] != len(values) or np.any(np.diff(indptr) < 0):
            raise ValueError("Ragged: indptr must start at 0, never decrease and end at len(values)")
        if len(values) and values.min() < 0:
            raise ValueError("Ragged: values must be >= 0")
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "values", values)

    @classmethod
    def from_lists(cls, rows: Iterable[Iterable[int]]) -> Ragged:
        rows = [list(r) for r in rows]
        indptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum([len(r) for r in rows], out=indptr[1:])
        values = np.fromiter((v for r in rows for v in r), dtype=np.int64, count=int(indptr[-1]))
        return cls(indptr, values)

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def row(self, i: int) -> np.ndarray:
        return self.values[self.indptr[i] : self.indptr[i + 1]]

    def lengths(self) -> np.ndarray:
        return np.diff(self.indptr)

    def take(self, rows: np.ndarray) -> Ragged:
        """The given rows, in the given order."""
        rows = np.asarray(rows, np.int64)
        lens = self.lengths()[rows]
        indptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum(lens, out=indptr[1:])
        sel = np.repeat(self.indptr[rows] - indptr[:-1], lens) + np.arange(indptr[-1])
        return Ragged(indptr, self.values[sel])


def set_matrix(rows: Iterable[Iterable[int]], n_cols: int) -> sp.csr_matrix:
    """A 0/1 CSR matrix with a 1 at each id of each row (duplicates count once)."""
    rows = [list(r) for r in rows]
    r = np.repeat(np.arange(len(rows)), [len(x) for x in rows])
    c = np.fromiter((v for x in rows for v in x), dtype=np.int64, count=len(r))
    return _as_set(sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(len(rows), n_cols)), "rows")


def _as_set(m, name: str, shape: tuple[int, int] | None = None) -> sp.csr_matrix:
    """A canonical 0/1 float32 CSR copy; never aliases the caller's arrays (scipy sorts them in place)."""
    if not sp.issparse(m):
        raise ValueError(f"{name} must be a scipy sparse matrix")
    m = sp.csr_matrix(m, dtype=np.float32, copy=True)
    if shape is not None and m.shape != shape:
        raise ValueError(f"{name} has shape {m.shape}, expected {shape}")
    m.sum_duplicates()
    m.eliminate_zeros()
    m.data[:] = 1
    m.indices = m.indices.astype(np.int32, copy=False)
    m.indptr = m.indptr.astype(np.int32, copy=False)
    return m


def _ints(values, name: str, n: int | None = None, dtype=np.int32) -> np.ndarray:
    a = np.array(values, dtype=np.int64).ravel()
    if n is not None and len(a) != n:
        raise ValueError(f"{name} has {len(a)} values, expected {n}")
    return a.astype(dtype)


def _check_range(a: np.ndarray, name: str, hi: int, *, allow_none: bool = False) -> None:
    """0 <= a < hi, or -1 (none) where allowed."""
    if len(a) == 0:
        return
    lo = -1 if allow_none else 0
    if a.min() < lo or a.max() >= hi:
        bad = a[(a < lo) | (a >= hi)][0]
        none = " or -1 (none)" if allow_none else ""
        raise ValueError(f"{name}: {bad} is out of range (0..{hi - 1}{none})")


@dataclasses.dataclass(frozen=True, eq=False)
class Catalog:
    """The reference catalogs as dense ids ``0..n-1`` (assigned by the caller) and their relations.

    ``major_tokens[m]`` etc. are the token ids of each item's name, with the same tokenizer and vocabulary
    as the positions' tokens: a student's query text is the names of its items.
    """

    major_class: np.ndarray  # (n_majors,) the 专业类 of each major
    class_category: np.ndarray  # (n_classes,) the 大类 of each 专业类
    major_family: np.ndarray  # (n_majors,) the family (same major across levels) of each major, -1: none
    major_links: sp.csr_matrix  # (n_majors, n_links) the industry-chain links each major supplies
    major_tokens: Ragged
    skill_tokens: Ragged
    cert_tokens: Ragged
    n_categories: int
    n_families: int
    n_chains: int
    n_counties: int
    n_position_types: int
    n_salary_buckets: int
    n_education_levels: int  # 0 = the lowest; a position's minimum education is compared with >=

    def __post_init__(self) -> None:
        s = object.__setattr__
        for name in ("major_tokens", "skill_tokens", "cert_tokens"):
            value = getattr(self, name)
            s(self, name, value if isinstance(value, Ragged) else Ragged.from_lists(value))
        for name in ("n_categories", "n_families", "n_chains", "n_counties", "n_position_types"):
            s(self, name, int(getattr(self, name)))
        for name in ("n_salary_buckets", "n_education_levels"):
            s(self, name, int(getattr(self, name)))
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        s(self, "major_class", _ints(self.major_class, "major_class"))
        n = len(self.major_class)
        s(self, "class_category", _ints(self.class_category, "class_category"))
        s(self, "major_family", _ints(self.major_family, "major_family", n))
        if not sp.issparse(self.major_links):
            raise ValueError("major_links must be a scipy sparse matrix")
        s(self, "major_links", _as_set(self.major_links, "major_links", (n, self.major_links.shape[1])))
        _check_range(self.major_class, "major_class", self.n_classes)
        _check_range(self.class_category, "class_category", self.n_categories)
        _check_range(self.major_family, "major_family", self.n_families, allow_none=True)
        if len(self.major_tokens) != n:
            raise ValueError(f"major_tokens has {len(self.major_tokens)} rows, expected {n} (one per major)")

    @property
    def n_majors(self) -> int:
        return len(self.major_class)

    @property
    def n_classes(self) -> int:
        return len(self.class_category)

    @property
    def n_links(self) -> int:
        return self.major_links.shape[1]

    @property
    def n_skills(self) -> int:
        return len(self.skill_tokens)

    @property
    def n_certs(self) -> int:
        return len(self.cert_tokens)

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for name, value in self._arrays().items():
            h.update(name.encode())
            h.update(np.ascontiguousarray(value).tobytes())
        return h.hexdigest()[:16]

    def _arrays(self) -> dict[str, np.ndarray]:
        """Everything as plain arrays (snapshots and the fingerprint)."""
        sizes = [getattr(self, f.name) for f in dataclasses.fields(self) if f.name.startswith("n_")]
        out = {
            "major_class": self.major_class,
            "class_category": self.class_category,
            "major_family": self.major_family,
            "links_indptr": self.major_links.indptr.astype(np.int64),
            "links_indices": self.major_links.indices.astype(np.int64),
            "sizes": np.array([*sizes, self.n_links], np.int64),
        }
        for name in ("major_tokens", "skill_tokens", "cert_tokens"):
            out[f"{name}_indptr"] = getattr(self, name).indptr
            out[f"{name}_values"] = getattr(self, name).values
        return out

    @classmethod
    def _from_arrays(cls, a: Mapping[str, np.ndarray]) -> Catalog:
        names = [f.name for f in dataclasses.fields(cls) if f.name.startswith("n_")]
        sizes = [int(x) for x in a["sizes"]]
        n_links = sizes.pop()
        n = len(a["major_class"])
        links = sp.csr_matrix(
            (np.ones(len(a["links_indices"]), np.float32), a["links_indices"], a["links_indptr"]),
            shape=(n, n_links),
            copy=True,
        )
        tokens = {
            name: Ragged(a[f"{name}_indptr"], a[f"{name}_values"])
            for name in ("major_tokens", "skill_tokens", "cert_tokens")
        }
        return cls(
            major_class=a["major_class"],
            class_category=a["class_category"],
            major_family=a["major_family"],
            major_links=links,
            **tokens,
            **dict(zip(names, sizes, strict=True)),
        )


@dataclasses.dataclass(frozen=True, eq=False)
class PositionArrays:
    """Positions, one row each. Scalar ids use -1 for none where noted; sets are 0/1 CSR matrices.

    ``start_day`` and the students' ``avail_day`` count days from the same epoch (the caller's choice). A
    position without a start date, or one that has already started, should get today's day number.
    ``salary_bucket`` is the bucket of the highest monthly pay offered (-1: not stated, no salary bonus).
    ``wanted_majors`` lists the majors a position asks for by name; ``wanted_classes`` and
    ``wanted_categories`` (optional) the 专业类 and 大类 it asks for as a whole. A student of a wanted major
    earns ``major``; one whose 专业类 (大类) is wanted, or is that of a wanted major, earns ``major_class``
    (``major_category``): a whole-class want is not an exact-major match.
    ``tokens`` are the token ids of title, description and skill names.
    """

    ids: np.ndarray  # (P,) external ids (the database primary keys), unique
    min_edu: np.ndarray  # (P,) minimum education level, 0 = none
    start_day: np.ndarray
    county: np.ndarray  # -1: none
    ptype: np.ndarray  # position type, -1: none
    chain: np.ndarray  # industry chain, -1: none
    link: np.ndarray  # industry-chain link, -1: none
    salary_bucket: np.ndarray  # -1: not stated
    in_city: np.ndarray  # bool: the workplace is in the city (留郴)
    wanted_majors: sp.csr_matrix
    req_skills: sp.csr_matrix
    bonus_skills: sp.csr_matrix
    req_certs: sp.csr_matrix
    bonus_certs: sp.csr_matrix
    tokens: Ragged
    wanted_classes: sp.csr_matrix | None = None  # None: no 专业类 wanted as a whole
    wanted_categories: sp.csr_matrix | None = None  # None: no 大类 wanted as a whole

    def __post_init__(self) -> None:
        s = object.__setattr__
        s(self, "ids", _ints(self.ids, "ids", dtype=np.int64))
        n = len(self.ids)
        if len(np.unique(self.ids)) != n:
            raise ValueError("position ids must be unique")
        for name in ("min_edu", "start_day", "county", "ptype", "chain", "link", "salary_bucket"):
            s(self, name, _ints(getattr(self, name), name, n))
        in_city = np.array(self.in_city, dtype=bool).ravel()
        if len(in_city) != n:
            raise ValueError(f"in_city has {len(in_city)} values, expected {n}")
        s(self, "in_city", in_city)
        for name in ("wanted_majors", "req_skills", "bonus_skills", "req_certs", "bonus_certs"):
            m = getattr(self, name)
            if not sp.issparse(m) or m.shape[0] != n:
                raise ValueError(f"{name} must be a sparse matrix with {n} rows")
            s(self, name, _as_set(m, name))
        for name in ("wanted_classes", "wanted_categories"):
            m = getattr(self, name)
            if m is not None:
                if not sp.issparse(m) or m.shape[0] != n:
                    raise ValueError(f"{name} must be a sparse matrix with {n} rows")
                s(self, name, _as_set(m, name))
        if not isinstance(self.tokens, Ragged):
            s(self, "tokens", Ragged.from_lists(self.tokens))
        if len(self.tokens) != n:
            raise ValueError(f"tokens has {len(self.tokens)} rows, expected {n}")

    def __len__(self) -> int:
        return len(self.ids)

    def check(self, catalog: Catalog) -> None:
        """Refuse ids outside the catalog (a clear error beats a wrong score)."""
        c = catalog
        _check_range(self.min_edu, "positions.min_edu", c.n_education_levels)
        _check_range(self.county, "positions.county", c.n_counties, allow_none=True)
        _check_range(self.ptype, "positions.ptype", c.n_position_types, allow_none=True)
        _check_range(self.chain, "positions.chain", c.n_chains, allow_none=True)
        _check_range(self.link, "positions.link", c.n_links, allow_none=True)
        _check_range(self.salary_bucket, "positions.salary_bucket", c.n_salary_buckets, allow_none=True)
        for name, width in (
            ("wanted_majors", c.n_majors),
            ("req_skills", c.n_skills),
            ("bonus_skills", c.n_skills),
            ("req_certs", c.n_certs),
            ("bonus_certs", c.n_certs),
            ("wanted_classes", c.n_classes),
            ("wanted_categories", c.n_categories),
        ):
            m = getattr(self, name)
            if m is not None and m.shape[1] != width:
                raise ValueError(f"positions.{name} has {m.shape[1]} columns, expected {width}")

    def take(self, rows: np.ndarray) -> PositionArrays:
        rows = np.asarray(rows, np.int64)
        kw = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                kw[f.name] = None
            else:
                kw[f.name] = value.take(rows) if isinstance(value, Ragged) else value[rows]
        return PositionArrays(**kw)


@dataclasses.dataclass(frozen=True, eq=False)
class StudentArrays:
    """Students, one row each. ``county`` is the home county (-1: none); ``min_salary_bucket`` the bucket of
    the expected pay (-1: none); ``stay`` whether the student wants to stay in the city. A student's query
    text is derived from its major, skills and certificates through the catalog's item tokens."""

    ids: np.ndarray  # (N,) external ids
    major: np.ndarray
    edu: np.ndarray  # education level (same scale as positions.min_edu)
    avail_day: np.ndarray  # first day the student can start
    county: np.ndarray
    stay: np.ndarray
    min_salary_bucket: np.ndarray
    skills: sp.csr_matrix
    certs: sp.csr_matrix
    pref_chains: sp.csr_matrix
    pref_counties: sp.csr_matrix
    pref_types: sp.csr_matrix

    def __post_init__(self) -> None:
        s = object.__setattr__
        s(self, "ids", _ints(self.ids, "ids", dtype=np.int64))
        n = len(self.ids)
        for name in ("major", "edu", "avail_day", "county", "min_salary_bucket"):
            s(self, name, _ints(getattr(self, name), name, n))
        stay = np.array(self.stay, dtype=bool).ravel()
        if len(stay) != n:
            raise ValueError(f"stay has {len(stay)} values, expected {n}")
        s(self, "stay", stay)
        for name in ("skills", "certs", "pref_chains", "pref_counties", "pref_types"):
            m = getattr(self, name)
            if not sp.issparse(m) or m.shape[0] != n:
                raise ValueError(f"{name} must be a sparse matrix with {n} rows")
            s(self, name, _as_set(m, name))

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows) -> StudentArrays:
        """The given rows, in that order."""
        rows = np.asarray(rows, np.int64)
        return StudentArrays(**{f.name: getattr(self, f.name)[rows] for f in dataclasses.fields(self)})

    @classmethod
    def concat(cls, parts: Sequence[StudentArrays]) -> StudentArrays:
        """The rows of ``parts`` one after the other (at least one part; same catalog)."""
        if not parts:
            raise ValueError("concat needs at least one part")
        kw = {}
        for f in dataclasses.fields(cls):
            values = [getattr(p, f.name) for p in parts]
            kw[f.name] = sp.vstack(values, format="csr") if sp.issparse(values[0]) else np.concatenate(values)
        return cls(**kw)

    def check(self, catalog: Catalog, rows: np.ndarray | None = None) -> None:
        """Refuse ids outside the catalog, for the given rows (all rows by default)."""
        c = catalog
        sel = slice(None) if rows is None else rows
        _check_range(self.major[sel], "students.major", c.n_majors)
        _check_range(self.edu[sel], "students.edu", c.n_education_levels)
        _check_range(self.county[sel], "students.county", c.n_counties, allow_none=True)
        _check_range(
            self.min_salary_bucket[sel], "students.min_salary_bucket", c.n_salary_buckets, allow_none=True
        )
        for name, width in (
            ("skills", c.n_skills),
            ("certs", c.n_certs),
            ("pref_chains", c.n_chains),
            ("pref_counties", c.n_counties),
            ("pref_types", c.n_position_types),
        ):
            if getattr(self, name).shape[1] != width:
                raise ValueError(
                    f"students.{name} has {getattr(self, name).shape[1]} columns, expected {width}"
                )


def query_tokens(catalog: Catalog, students: StudentArrays, rows: Iterable[int]) -> list[list[int]]:
    """Each student's text query as token ids: the name tokens of its major, skills and certificates, as the
    engine derives it (the input of :meth:`MatchIndex.bm25_top_k`, the text-only baseline)."""
    out = []
    for r in rows:
        tokens = [catalog.major_tokens.row(students.major[r])]
        tokens += [catalog.skill_tokens.row(s) for s in students.skills[r].indices]
        tokens += [catalog.cert_tokens.row(c) for c in students.certs[r].indices]
        out.append(np.concatenate(tokens).tolist())
    return out


@dataclasses.dataclass(frozen=True)
class Explanation:
    """Why a position scores what it scores for a student. ``components`` sum to ``score``."""

    position_id: int
    score: float
    components: dict[str, float]
    major_level: str  # one of MAJOR_LEVELS
    missing_required_skills: list[int]
    missing_bonus_skills: list[int]
    missing_required_certs: list[int]
    missing_bonus_certs: list[int]
    hard_filters: tuple[str, ...]  # failed hard filters ("education", "start_date"); empty: eligible

    @property
    def eligible(self) -> bool:
        return not self.hard_filters


# ----------------------------------------------------------------------------------------------------------
# Numeric helpers
# ----------------------------------------------------------------------------------------------------------
def _accumulate(x: sp.csr_matrix, z: np.ndarray, out: np.ndarray) -> None:
    """``out += x @ z`` for CSR ``x`` (rows x r), dense ``z`` (r x n) and ``out`` (rows x n), in place.

    scipy's csr_matvecs needs float32 data, int32 indices and C-contiguous arrays. It sums each output row in
    the order of that row's CSR entries, so a student's scores do not depend on the block it is scored in.
    Without it, ``out += x @ z`` gives the same result up to rounding but allocates a block-sized array.
    """
    if _csr_matvecs is None:
        out += x @ z
        return
    if not (out.flags.c_contiguous and z.flags.c_contiguous):
        raise ValueError("internal error: csr_matvecs needs C-contiguous arrays")
    _csr_matvecs(
        x.shape[0], x.shape[1], z.shape[1], x.indptr, x.indices, x.data, z.reshape(-1), out.reshape(-1)
    )


def _int32_indices(m: sp.csr_matrix) -> sp.csr_matrix:
    m.indices = m.indices.astype(np.int32, copy=False)
    m.indptr = m.indptr.astype(np.int32, copy=False)
    return m


class _Coo:
    """COO pieces collected one feature at a time, converted once to a canonical float32 CSR matrix."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []

    def add(self, rows, cols, vals) -> None:
        rows = np.asarray(rows, np.int64)
        self.rows.append(rows)
        self.cols.append(np.asarray(cols, np.int64))
        self.vals.append(np.broadcast_to(np.asarray(vals, np.float32), rows.shape))

    def add_set(self, m: sp.csr_matrix, col0: int, vals, row0: int = 0) -> None:
        """The entries of m shifted by (row0, col0); vals is one number or one value per entry."""
        self.add(row0 + np.repeat(np.arange(m.shape[0]), np.diff(m.indptr)), col0 + m.indices, vals)

    def csr(self, shape: tuple[int, int]) -> sp.csr_matrix:
        """Duplicates summed, columns sorted: a row's entries come in one order whatever the other rows."""
        if not self.rows:
            return _int32_indices(sp.csr_matrix(shape, dtype=np.float32))
        data = (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols)))
        return _int32_indices(sp.csr_matrix(data, shape=shape, dtype=np.float32))


def _fractions(m: sp.csr_matrix) -> sp.csr_matrix:
    """Each row's members at 1/n: a product with a 0/1 vector is the fraction of the row covered."""
    m = m.copy()
    m.data = m.data / np.repeat(np.maximum(np.diff(m.indptr), 1), np.diff(m.indptr)).astype(np.float32)
    return m


def _mapped_set(m: sp.csr_matrix, mapping: np.ndarray, n_cols: int) -> sp.csr_matrix:
    """The set {mapping[j] for j in the row, mapping[j] >= 0} of each row, as a 0/1 matrix."""
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    cols = mapping[m.indices]
    keep = cols >= 0
    coo = _Coo()
    coo.add(rows[keep], cols[keep], 1.0)
    out = coo.csr((m.shape[0], n_cols))
    out.data[:] = 1  # a set, not a count: two wanted majors of one 专业类 count once
    return out


def _one_hot(ids: np.ndarray, n_cols: int) -> sp.csr_matrix:
    """One row per id with a 1 in column id (an empty row for -1)."""
    keep = ids >= 0
    coo = _Coo()
    coo.add(np.flatnonzero(keep), ids[keep], 1.0)
    return coo.csr((len(ids), n_cols))


def _term_counts(tokens: Ragged, vocab: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """(rows x vocab counts of the tokens in vocab, length of each row counting every token)."""
    if len(vocab):
        col = np.minimum(np.searchsorted(vocab, tokens.values), len(vocab) - 1)
        known = vocab[col] == tokens.values
    else:
        col, known = np.zeros(len(tokens.values), np.int64), np.zeros(len(tokens.values), bool)
    coo = _Coo()
    coo.add(np.repeat(np.arange(len(tokens)), tokens.lengths())[known], col[known], 1.0)
    return coo.csr((len(tokens), len(vocab))), tokens.lengths().astype(np.float64)


def _idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Lucene's idf, as bm25s computes it (method="lucene")."""
    return np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)


def _order(ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row sorted by (-score, id), the deterministic order of results; dropped entries (-inf) last."""
    o = np.argsort(ids, axis=1, kind="stable")
    ids, scores = np.take_along_axis(ids, o, 1), np.take_along_axis(scores, o, 1)
    o = np.argsort(-scores, axis=1, kind="stable")
    return np.take_along_axis(ids, o, 1), np.take_along_axis(scores, o, 1)


def _top_k(out3: np.ndarray, k: int, col_ids: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k of each row of a tiled score block ``out3`` (tiles, rows, tile columns).

    Chunk-max selection: the k chunks of 128 columns with the highest maxima hold every value above the k-th
    best, so only their columns are ranked (an argpartition of all 1,000 x 50,000 scores costs 8x more).
    Where the k-th best value is tied with values the chunks may have left out, the row is redone in full,
    so that ties always go to the lowest position id. Returns external ids and scores, (rows, k), sorted by
    (-score, id); dropped entries (a failed filter, below min_score, fewer than k positions) are
    ``NO_POSITION`` and -inf.
    """
    nt, n_rows, tile = out3.shape
    nct = tile // _CHUNK
    n_chunks = nt * nct
    v = out3.reshape(nt, n_rows, nct, _CHUNK)
    cmax = v.max(axis=3).transpose(1, 0, 2).reshape(n_rows, n_chunks)
    kc = min(k, n_chunks)
    if kc < n_chunks:
        top = np.argpartition(cmax, n_chunks - kc, axis=1)[:, n_chunks - kc :]
    else:
        top = np.broadcast_to(np.arange(n_chunks), (n_rows, n_chunks))
    ti, lc = top // nct, top % nct
    cand = v[ti, np.arange(n_rows)[:, None], lc].reshape(n_rows, -1)
    cand_cols = ((ti * tile + lc * _CHUNK)[:, :, None] + np.arange(_CHUNK)).reshape(n_rows, -1)
    m = cand.shape[1]
    kk = min(k, m)
    if kk < m:
        j = np.argpartition(cand, m - kk, axis=1)[:, m - kk :]
    else:
        j = np.broadcast_to(np.arange(m), cand.shape)
    scores = np.take_along_axis(cand, j, 1)
    cols = np.take_along_axis(cand_cols, j, 1)
    tau = scores.min(axis=1, initial=np.inf)
    unsure = (cand >= tau[:, None]).sum(axis=1) > kk
    if kc < n_chunks:
        unsure |= (cmax >= tau[:, None]).sum(axis=1) > kc
    for r in np.flatnonzero(unsure & (tau > -BIG / 2)):
        full = out3[:, r, :].reshape(-1)
        c = np.flatnonzero(full >= tau[r])
        pick = c[np.lexsort((col_ids[c], -full[c]))[:kk]]
        cols[r], scores[r] = pick, full[pick]
    drop = (scores <= -BIG / 2) | (scores < min_score)
    ids = np.where(drop, NO_POSITION, col_ids[cols])
    scores = np.where(drop, -np.inf, scores).astype(np.float32)
    if kk < k:
        ids = np.pad(ids, ((0, 0), (0, k - kk)), constant_values=NO_POSITION)
        scores = np.pad(scores, ((0, 0), (0, k - kk)), constant_values=-np.inf)
    return _order(ids, scores)


def _merge(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], k: int):
    """The k best of two ranked result sets, in (-score, id) order."""
    ids, scores = _order(np.hstack([a[0], b[0]]), np.hstack([a[1], b[1]]))
    return ids[:, :k], scores[:, :k]


def _tiling(n: int) -> tuple[int, int]:
    """(number of tiles, tile width) covering n columns; the width is a multiple of the chunk."""
    ntiles = max(1, -(-n // _TILE_TARGET))
    per_tile = -(-max(n, 1) // ntiles)
    return ntiles, -(-per_tile // _CHUNK) * _CHUNK


def _take(m: sp.csr_matrix, rows) -> tuple[np.ndarray, np.ndarray]:
    """The entries of some rows of a CSR matrix, without scipy's indexing overhead: for each entry, its
    position in ``rows`` and its index into ``m.indices``/``m.data``, row by row in the given order."""
    rows = np.asarray(rows, np.int64)
    lens = (m.indptr[rows + 1] - m.indptr[rows]).astype(np.int64)
    ends = np.cumsum(lens)
    sel = np.repeat(m.indptr[rows] - (ends - lens), lens) + np.arange(ends[-1] if len(ends) else 0)
    return np.repeat(np.arange(len(rows)), lens), sel


class _Block:
    """A block of students, taken once: scalars per student and (student, id) pairs of each set."""

    def __init__(self, st: StudentArrays, rows: np.ndarray) -> None:
        self.n = len(rows)
        self.major, self.edu, self.avail = st.major[rows], st.edu[rows], st.avail_day[rows]
        self.county, self.salary, self.stay = st.county[rows], st.min_salary_bucket[rows], st.stay[rows]
        for name, m in (
            ("skills", st.skills),
            ("certs", st.certs),
            ("chains", st.pref_chains),
            ("counties", st.pref_counties),
            ("types", st.pref_types),
        ):
            which, sel = _take(m, rows)
            setattr(self, name, (which, m.indices[sel].astype(np.int64)))


class _Layout:
    """Column ranges of the sparse features (``Y``) and row ranges of the dense ones (``O``)."""

    def __init__(self, c: Catalog, n_vocab: int) -> None:
        self.sparse, self.n_sparse = self._ranges(
            _SPARSE,
            (
                *(n_vocab, c.n_skills, c.n_skills, c.n_certs, c.n_certs),
                *(c.n_majors, c.n_families, c.n_classes, c.n_categories, c.n_links),
            ),
        )
        self.dense, self.n_dense = self._ranges(
            _DENSE, (c.n_chains, c.n_counties, c.n_position_types, c.n_salary_buckets, 1)
        )

    @staticmethod
    def _ranges(names, widths) -> tuple[dict[str, tuple[int, int]], int]:
        out, at = {}, 0
        for name, width in zip(names, widths, strict=True):
            out[name] = (at, at + width)
            at += width
        return out, at

    def start(self, name: str) -> int:
        return (self.sparse.get(name) or self.dense[name])[0]


def _position_matrices(
    pos: PositionArrays, tf: sp.csr_matrix, dl: np.ndarray, c: Catalog, w: Weights, idf, avgdl: float
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Y (positions x sparse features) and O (dense features x positions) of some positions.

    ``tf``, ``dl``: their term counts and lengths; ``idf``, ``avgdl``: the statistics of the main segment.
    """
    layout = _Layout(c, tf.shape[1])
    rows = np.repeat(np.arange(len(pos)), np.diff(tf.indptr))
    bm25 = tf.copy()
    norm = w.bm25_k1 * (1 - w.bm25_b + w.bm25_b * dl[rows] / avgdl)
    bm25.data = (idf[bm25.indices] * bm25.data / (bm25.data + norm)).astype(np.float32)
    wm = pos.wanted_majors
    classes = _mapped_set(wm, c.major_class, c.n_classes)
    if pos.wanted_classes is not None:
        classes = _as_set(classes + pos.wanted_classes, "wanted_classes")
    categories = _mapped_set(classes, c.class_category, c.n_categories)
    if pos.wanted_categories is not None:
        categories = _as_set(categories + pos.wanted_categories, "wanted_categories")
    Y = sp.hstack(
        [
            bm25,
            _fractions(pos.req_skills),
            _fractions(pos.bonus_skills),
            _fractions(pos.req_certs),
            _fractions(pos.bonus_certs),
            wm,
            _mapped_set(wm, c.major_family, c.n_families),
            classes,
            categories,
            _one_hot(pos.link, c.n_links),
        ],
        format="csr",
        dtype=np.float32,
    )
    D = layout.dense
    dense = np.zeros((layout.n_dense, len(pos)), np.float32)
    for name, ids in (("pref_chain", pos.chain), ("county", pos.county), ("pref_type", pos.ptype)):
        keep = ids >= 0
        dense[D[name][0] + ids[keep], np.flatnonzero(keep)] = 1
    # cumulative salary buckets: a student asking for bucket b matches every position paying b or more
    buckets = np.arange(c.n_salary_buckets)[:, None] <= pos.salary_bucket[None, :]
    dense[D["salary"][0] : D["salary"][1]] = buckets
    dense[D["stay"][0]] = pos.in_city
    return _int32_indices(Y), dense


def _transpose(m: sp.csr_matrix) -> sp.csr_matrix:
    return _int32_indices(m.T.tocsr())


# ----------------------------------------------------------------------------------------------------------
# The index
# ----------------------------------------------------------------------------------------------------------
class MatchIndex:
    """Positions indexed for matching: build or load, then rank, explain and update.

    Not thread-safe for writes: call :meth:`add_positions` and :meth:`remove_positions` while no query runs.
    Queries only read (the threads of :meth:`top_k_all` included).
    """

    def __init__(
        self,
        *,
        catalog: Catalog,
        weights: Weights,
        stats: Mapping[str, np.ndarray],
        main: Mapping[str, np.ndarray | sp.csr_matrix],
        delta: Mapping[str, np.ndarray | sp.csr_matrix] | None,
        built_at: str,
        dense_items: bool,
    ) -> None:
        """Internal: use :meth:`build` or :meth:`load`."""
        self.catalog, self.weights, self.built_at = catalog, weights, built_at
        self._vocab = stats["vocab"]  # sorted token ids of the catalog names: the only tokens a query has
        self._df = stats["df"]
        self._n_docs = int(stats["n_docs"])
        self._avgdl = float(stats["avgdl"])
        self._idf = _idf(self._df, self._n_docs)
        self._layout = _Layout(catalog, len(self._vocab))
        # Main segment: positions sorted by (start day, id), so that the date filter cuts a prefix.
        self._ids, self._start, self._min_edu = main["ids"], main["start"], main["min_edu"]
        self._Y, self._O, self._alive = main["Y"], main["O"], main["alive"]
        self._YT = _transpose(self._Y)
        self._ntiles, self._tile = _tiling(len(self._ids))
        self._ppad = self._ntiles * self._tile
        self._col_ids = np.full(self._ppad, NO_POSITION, np.int64)
        self._col_ids[: len(self._ids)] = self._ids
        self._by_id = np.argsort(self._ids)
        self._set_dead()
        # Per catalog item: the token counts of its name and their idf sum (the text norm of a query).
        self._item_tokens = {
            kind: _term_counts(getattr(catalog, f"{kind}_tokens"), self._vocab)[0]
            for kind in ("major", "skill", "cert")
        }
        self._idf_sum = {kind: m @ self._idf.astype(np.float64) for kind, m in self._item_tokens.items()}
        self._major_feat = self._major_features()
        edu = np.full((catalog.n_education_levels, self._ppad), -BIG, np.float32)  # padding never wins
        edu[:, : len(self._ids)] = self._edu_penalty(self._min_edu)
        self._edu_tiles = self._to_tiles(edu)
        self._fixed = self._fixed_tiles() if dense_items else None
        delta = delta or self._empty_segment(self._layout)
        self._d_ids, self._d_start, self._d_min_edu = delta["ids"], delta["start"], delta["min_edu"]
        self._d_Y, self._d_O = delta["Y"], delta["O"]
        self._d_YT = _transpose(self._d_Y)
        self._d_order = np.argsort(self._d_ids)

    @classmethod
    def build(
        cls,
        catalog: Catalog,
        positions: PositionArrays,
        weights: Weights | None = None,
        *,
        dense_items: bool = True,
    ) -> MatchIndex:
        """Index the positions (~3 s for 50,000 on one core).

        ``dense_items=False`` skips the dense item rows (~275 MiB at city scale): single queries then go
        token by token, a little slower, and :meth:`top_k_all` is refused. Use it in web workers.
        """
        weights = weights or Weights()
        positions.check(catalog)
        if len(positions) == 0:
            raise ValueError("no positions to index")
        positions = positions.take(np.lexsort((positions.ids, positions.start_day)))
        names = (catalog.major_tokens, catalog.skill_tokens, catalog.cert_tokens)
        vocab = np.unique(np.concatenate([r.values for r in names]))
        tf, dl = _term_counts(positions.tokens, vocab)
        df = np.bincount(tf.indices, minlength=len(vocab)).astype(np.float64)
        avgdl = max(float(dl.mean()), 1.0)
        Y, dense = _position_matrices(positions, tf, dl, catalog, weights, _idf(df, len(positions)), avgdl)
        return cls(
            catalog=catalog,
            weights=weights,
            stats={"vocab": vocab, "df": df, "n_docs": np.int64(len(positions)), "avgdl": np.float64(avgdl)},
            main={
                "ids": positions.ids,
                "start": positions.start_day,
                "min_edu": positions.min_edu,
                "Y": Y,
                "O": dense,
                "alive": np.ones(len(positions), bool),
            },
            delta=None,
            built_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            dense_items=dense_items,
        )

    # --- derived structures -----------------------------------------------------------------------------
    @staticmethod
    def _empty_segment(layout: _Layout) -> dict:
        return {
            "ids": np.zeros(0, np.int64),
            "start": np.zeros(0, np.int32),
            "min_edu": np.zeros(0, np.int32),
            "Y": _int32_indices(sp.csr_matrix((0, layout.n_sparse), dtype=np.float32)),
            "O": np.zeros((layout.n_dense, 0), np.float32),
        }

    def _set_dead(self) -> None:
        dead = np.flatnonzero(~self._alive)
        self._dead_by_tile = [
            dead[(dead >= t * self._tile) & (dead < (t + 1) * self._tile)] - t * self._tile
            for t in range(self._ntiles)
        ]

    def _to_tiles(self, m: np.ndarray) -> np.ndarray:
        """(rows, padded positions) -> contiguous (tiles, rows, tile)."""
        return np.ascontiguousarray(m.reshape(m.shape[0], self._ntiles, self._tile).transpose(1, 0, 2))

    def _edu_penalty(self, min_edu: np.ndarray) -> np.ndarray:
        """(education levels x positions): 0 where the level meets the position's minimum, else -BIG."""
        levels = np.arange(self.catalog.n_education_levels)[:, None]
        return np.where(levels >= min_edu[None, :], np.float32(0), -BIG).astype(np.float32)

    def _static_features(self) -> sp.csr_matrix:
        """The skill and certificate item rows in feature space: T_skill, C_skill, T_cert, C_cert.

        T rows hold the token counts of the item's name (scaled by the student's alpha when scored), C rows
        the item's weighted skill or certificate columns.
        """
        c, w, L = self.catalog, self.weights, self._layout
        n_s, n_c = c.n_skills, c.n_certs
        s, k = np.arange(n_s), np.arange(n_c)
        coo = _Coo()
        coo.add_set(self._item_tokens["skill"], L.start("text"), self._item_tokens["skill"].data)
        coo.add(n_s + s, L.start("req_skill") + s, w.req_skill)
        coo.add(n_s + s, L.start("bonus_skill") + s, w.bonus_skill)
        coo.add_set(self._item_tokens["cert"], L.start("text"), self._item_tokens["cert"].data, row0=2 * n_s)
        coo.add(2 * n_s + n_c + k, L.start("req_cert") + k, w.req_cert)
        coo.add(2 * n_s + n_c + k, L.start("bonus_cert") + k, w.bonus_cert)
        return coo.csr((2 * (n_s + n_c), L.n_sparse))

    def _major_features(self) -> sp.csr_matrix:
        """The major item rows in feature space: T_major (name tokens), then C_major (affinity columns)."""
        c, w, L = self.catalog, self.weights, self._layout
        m = np.arange(c.n_majors)
        coo = _Coo()
        coo.add_set(self._item_tokens["major"], L.start("text"), self._item_tokens["major"].data)
        row = c.n_majors + m
        coo.add(row, L.start("major") + m, w.major)
        has = c.major_family >= 0
        coo.add(row[has], L.start("major_family") + c.major_family[has], w.major_family)
        coo.add(row, L.start("major_class") + c.major_class, w.major_class)
        coo.add(row, L.start("major_category") + c.class_category[c.major_class], w.major_category)
        coo.add_set(c.major_links, L.start("chain_link"), w.chain_link, row0=c.n_majors)
        return coo.csr((2 * c.n_majors, L.n_sparse))

    def _fixed_tiles(self) -> np.ndarray:
        """Dense rows over the main positions, in tiles: T/C of every skill and certificate, then O."""
        n = len(self._ids)
        items = (self._static_features() @ self._YT).tocsc()  # one SpGEMM for every item
        n_items, n_dense = items.shape[0], self._layout.n_dense
        out = np.zeros((self._ntiles, n_items + n_dense, self._tile), np.float32)
        for t in range(self._ntiles):
            c0, c1 = t * self._tile, min(n, (t + 1) * self._tile)
            out[t, :n_items, : c1 - c0] = items[:, c0:c1].toarray()
            out[t, n_items:, : c1 - c0] = self._O[:, c0:c1]
        return out

    def _major_tiles(self, majors: np.ndarray) -> np.ndarray:
        """T and C rows of a few majors over the main positions, tiled: (tiles, 2 x len(majors), tile)."""
        feat = self._major_feat[np.concatenate([majors, self.catalog.n_majors + majors])]
        dense = np.zeros((2 * len(majors), self._ppad), np.float32)
        dense[:, : len(self._ids)] = (feat @ self._YT).toarray()
        return self._to_tiles(dense)

    # --- the student side -------------------------------------------------------------------------------
    def _alpha(self, b: _Block) -> np.ndarray:
        """w_text / Σ idf(query tokens) of each student: puts the text component in [0, w_text]."""
        n, idf = b.n, self._idf_sum
        norm = (
            np.bincount(b.skills[0], weights=idf["skill"][b.skills[1]], minlength=n)
            + np.bincount(b.certs[0], weights=idf["cert"][b.certs[1]], minlength=n)
            + idf["major"][b.major]
        )
        alpha = np.zeros(n)
        np.divide(self.weights.text, norm, out=alpha, where=norm > 0)
        return alpha.astype(np.float32)

    def _dense_terms(self, b: _Block):
        """The dense part of the student vectors: (component, student, row of O, weight) pieces."""
        w, D = self.weights, self._layout.dense
        at = np.arange(b.n)
        home, sal = b.county >= 0, b.salary >= 0
        yield "pref_chain", b.chains[0], D["pref_chain"][0] + b.chains[1], w.pref_chain
        yield "home_county", at[home], D["county"][0] + b.county[home], w.home_county
        yield "pref_county", b.counties[0], D["county"][0] + b.counties[1], w.pref_county
        yield "pref_type", b.types[0], D["pref_type"][0] + b.types[1], w.pref_type
        yield "salary", at[sal], D["salary"][0] + b.salary[sal], w.salary
        yield "stay", at[b.stay], np.full(int(b.stay.sum()), D["stay"][0]), w.stay

    def _item_coefficients(self, b: _Block, alpha: np.ndarray) -> sp.csr_matrix:
        """Each student's coefficients on the fixed rows: alpha on T, 1 on C of its items, weights on O."""
        n_s, n_c = self.catalog.n_skills, self.catalog.n_certs
        (rs, sk), (rc, ce) = b.skills, b.certs
        coo = _Coo()
        coo.add(rs, sk, alpha[rs])
        coo.add(rs, n_s + sk, 1.0)
        coo.add(rc, 2 * n_s + ce, alpha[rc])
        coo.add(rc, 2 * n_s + n_c + ce, 1.0)
        base = 2 * (n_s + n_c)
        for _name, r, o_row, weight in self._dense_terms(b):
            if weight:
                coo.add(r, base + o_row, weight)
        return coo.csr((b.n, base + self._layout.n_dense))

    def _student_vectors(self, b: _Block) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Token-level student vectors: X (students x sparse features) and XL (students x dense features)."""
        c, w, L = self.catalog, self.weights, self._layout
        alpha = self._alpha(b)
        at = np.arange(b.n)
        coo = _Coo()
        for kind, (r, items) in (("skill", b.skills), ("cert", b.certs), ("major", (at, b.major))):
            names = self._item_tokens[kind]  # the query: token counts of the names of the student's items
            which, sel = _take(names, items)
            coo.add(r[which], L.start("text") + names.indices[sel], names.data[sel] * alpha[r[which]])
        (rs, sk), (rc, ce) = b.skills, b.certs
        coo.add(rs, L.start("req_skill") + sk, w.req_skill)
        coo.add(rs, L.start("bonus_skill") + sk, w.bonus_skill)
        coo.add(rc, L.start("req_cert") + ce, w.req_cert)
        coo.add(rc, L.start("bonus_cert") + ce, w.bonus_cert)
        coo.add(at, L.start("major") + b.major, w.major)
        family = c.major_family[b.major]
        coo.add(at[family >= 0], L.start("major_family") + family[family >= 0], w.major_family)
        coo.add(at, L.start("major_class") + c.major_class[b.major], w.major_class)
        coo.add(at, L.start("major_category") + c.class_category[c.major_class[b.major]], w.major_category)
        which, sel = _take(c.major_links, b.major)
        coo.add(which, L.start("chain_link") + c.major_links.indices[sel], w.chain_link)
        dense = _Coo()
        for _name, r, o_row, weight in self._dense_terms(b):
            dense.add(r, o_row, weight)
        return coo.csr((b.n, L.n_sparse)), dense.csr((b.n, L.n_dense))

    # --- scoring ----------------------------------------------------------------------------------------
    def _score_tiles(self, b: _Block, out3: np.ndarray) -> None:
        """Scores of a block of students against the main segment, written over ``out3``."""
        alpha = self._alpha(b)
        coef = self._item_coefficients(b, alpha)
        majors, which = np.unique(b.major, return_inverse=True)
        major_rows = self._major_tiles(majors)
        major_coef = sp.csr_matrix(
            (
                np.stack([alpha, np.ones(b.n, np.float32)], axis=1).reshape(-1),
                np.stack([which, len(majors) + which], axis=1).reshape(-1).astype(np.int32),
                np.arange(0, 2 * b.n + 1, 2, dtype=np.int32),
            ),
            shape=(b.n, 2 * len(majors)),
        )
        cut = np.searchsorted(self._start, b.avail, side="left")  # positions starting too early: a prefix
        for t in range(self._ntiles):
            o = out3[t]
            np.take(self._edu_tiles[t], b.edu, axis=0, out=o, mode="clip")  # overwrites: 0 or -BIG
            _accumulate(coef, self._fixed[t], o)
            _accumulate(major_coef, major_rows[t], o)
            limit = np.clip(cut - t * self._tile, 0, self._tile)
            for r in np.flatnonzero(limit):
                o[r, : limit[r]] = -BIG
            if len(self._dead_by_tile[t]):
                o[:, self._dead_by_tile[t]] = -BIG

    def _score_tokens(self, b: _Block, vectors, segment: str) -> np.ndarray:
        """Scores against the main or delta segment token by token: (1, rows, padded positions).

        ``vectors``: the students' (X, XL) from :meth:`_student_vectors`.
        """
        if segment == "main":
            YT, dense, start, min_edu, width = self._YT, self._O, self._start, self._min_edu, self._ppad
        else:
            YT, dense, start, min_edu = self._d_YT, self._d_O, self._d_start, self._d_min_edu
            width = len(self._delta_cols())
        X, XL = vectors
        n = len(start)
        out = np.full((1, b.n, width), -BIG, np.float32)
        s = out[0, :, :n]
        s[:] = (X @ YT).toarray()
        s += XL @ dense
        s[min_edu[None, :] > b.edu[:, None]] = -BIG
        s[start[None, :] < b.avail[:, None]] = -BIG
        if segment == "main" and not self._alive.all():
            s[:, ~self._alive] = -BIG
        return out

    def _delta_cols(self) -> np.ndarray:
        """Ids of the delta positions, padded with NO_POSITION to a whole number of chunks."""
        cols = np.full(max(1, -(-len(self._d_ids) // _CHUNK)) * _CHUNK, NO_POSITION, np.int64)
        cols[: len(self._d_ids)] = self._d_ids
        return cols

    def _rank_block(self, st: StudentArrays, rows: np.ndarray, k: int, buf: np.ndarray | None):
        """Top-k of a block of students over the main segment, merged with the delta's."""
        b, min_score, vectors = _Block(st, rows), self.weights.min_score, None
        if self._fixed is not None:
            shape = (self._ntiles, b.n, self._tile)
            out3 = buf[:, : b.n] if buf is not None else np.empty(shape, np.float32)
            self._score_tiles(b, out3)
            result = _top_k(out3, k, self._col_ids, min_score)
        else:
            vectors = self._student_vectors(b)
            result = _top_k(self._score_tokens(b, vectors, "main"), k, self._col_ids, min_score)
        if len(self._d_ids):
            vectors = vectors or self._student_vectors(b)
            delta = _top_k(self._score_tokens(b, vectors, "delta"), k, self._delta_cols(), min_score)
            result = _merge(result, delta, k)
        return result

    def _rank(self, st: StudentArrays, rows: np.ndarray, k: int, block: int, threads: int, progress):
        """Rank rows in blocks of students sorted by major (few distinct majors per block)."""
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k <= 0:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        if block <= 0 or threads <= 0:
            raise ValueError("block and threads must be positive")
        ids = np.full((len(rows), k), NO_POSITION, np.int64)
        scores = np.full((len(rows), k), -np.inf, np.float32)
        order = np.argsort(st.major[rows], kind="stable")
        bounds = self._blocks(st.major[rows][order], block)
        local = threading.local()
        lock = threading.Lock()
        done = [0]

        def job(span: tuple[int, int]) -> None:
            at = order[span[0] : span[1]]
            if self._fixed is not None and len(bounds) > 1 and not hasattr(local, "buf"):
                # one buffer per thread, reused: a fresh 200 MiB array per block pays its page faults again
                local.buf = np.empty((self._ntiles, block, self._tile), np.float32)
            ids[at], scores[at] = self._rank_block(st, rows[at], k, getattr(local, "buf", None))
            if progress is not None:
                with lock:
                    done[0] += len(at)
                    progress(done[0], len(rows))

        if threads == 1 or len(bounds) == 1:
            for span in bounds:
                job(span)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(job, bounds))
        return ids, scores

    @staticmethod
    def _blocks(sorted_majors: np.ndarray, block: int, max_majors: int = 128) -> list[tuple[int, int]]:
        """Spans of at most ``block`` students and ``max_majors`` distinct majors (bounds the major rows)."""
        changes = np.flatnonzero(np.diff(sorted_majors)) + 1
        spans, i, n = [], 0, len(sorted_majors)
        while i < n:
            end = min(i + block, n)
            j = np.searchsorted(changes, i, side="right") + max_majors - 1
            if j < len(changes) and changes[j] < end:
                end = int(changes[j])
            spans.append((i, end))
            i = end
        return spans

    def _rows(self, students: StudentArrays, rows) -> np.ndarray:
        r = np.atleast_1d(np.asarray(rows))
        if r.ndim != 1 or (len(r) and r.dtype.kind not in "iu"):
            raise ValueError(f"student rows must be integers, got {rows!r}")
        bad = r[(r < 0) | (r >= len(students))]
        if len(bad):
            raise IndexError(f"unknown student row {bad[0]}: the students have {len(students)} rows")
        r = r.astype(np.int64)
        students.check(self.catalog, r)
        return r

    # --- queries ----------------------------------------------------------------------------------------
    def top_k(self, students: StudentArrays, rows, k: int = 20) -> tuple[np.ndarray, np.ndarray]:
        """The k best positions of a few students (``rows``: an index or indices into ``students``).

        Returns ``(ids, scores)``, both (len(rows), k), each row sorted by (-score, id). Positions that
        fail a hard filter or score below ``weights.min_score`` are left out; missing entries are
        ``NO_POSITION`` with score -inf.
        """
        rows = self._rows(students, rows)
        return self._rank(students, rows, k, block=1000, threads=1, progress=None)

    def top_k_all(
        self,
        students: StudentArrays,
        k: int = 20,
        *,
        block: int = 1000,
        threads: int = 1,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`top_k` for every student: (len(students), k) arrays, equal to top_k row by row.

        ``threads`` Python threads share the blocks (scipy and numpy release the GIL); each needs a
        ~200 MiB block buffer at city scale. ``progress(done, total)`` is called after each block, from the
        worker threads.
        """
        if self._fixed is None:
            raise ValueError("top_k_all needs the dense item rows: build or load with dense_items=True")
        students.check(self.catalog)
        return self._rank(students, np.arange(len(students)), k, block, threads, progress)

    def bm25_top_k(
        self, queries: Ragged | Sequence[Sequence[int]], k: int = 20
    ) -> tuple[np.ndarray, np.ndarray]:
        """Text relevance alone: raw Lucene BM25 of token-id queries, no filters (the baseline to beat).

        Only tokens of the catalog names count (other tokens cannot be in a student's query). Same result
        shapes and order as :meth:`top_k`; positions with score 0 are ranked too, as in bm25s.
        """
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k <= 0:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        queries = queries if isinstance(queries, Ragged) else Ragged.from_lists(queries)
        counts, _ = _term_counts(queries, self._vocab)
        n = len(self._ids)
        out = np.full((1, len(queries), self._ppad), -BIG, np.float32)
        rest = sp.csr_matrix((len(queries), self._layout.n_sparse - counts.shape[1]), dtype=np.float32)
        q = _int32_indices(sp.hstack([counts, rest], format="csr"))  # the text columns come first
        out[0, :, :n] = (q @ self._YT).toarray()
        out[0, :, :n][:, ~self._alive] = -BIG
        result = _top_k(out, k, self._col_ids, -np.inf)
        if len(self._d_ids):
            d_cols = self._delta_cols()
            d = np.full((1, len(queries), len(d_cols)), -BIG, np.float32)
            d[0, :, : len(self._d_ids)] = (q @ self._d_YT).toarray()
            result = _merge(result, _top_k(d, k, d_cols, -np.inf), k)
        return result

    def explain(self, students: StudentArrays, row: int, position_ids: Iterable[int]) -> list[Explanation]:
        """Why each position scores what it scores for student ``row`` (recomputed for these pairs only).

        Works for any indexed position, eligible or not (``hard_filters`` names what fails). Raises
        KeyError for an id that is not in the index.
        """
        (row,) = self._rows(students, [row])
        c, L, b = self.catalog, self._layout, _Block(students, np.array([row]))
        wanted = [int(p) for p in position_ids]
        Y, dense, start, min_edu = self._pairs(wanted)
        k = len(wanted)
        X, _ = self._student_vectors(b)
        x = X.toarray()[0].astype(np.float64)
        # each stored entry of Y, times the student's coefficient, summed per (position, component)
        entry_row = np.repeat(np.arange(k), np.diff(Y.indptr))
        starts = np.array([a for a, _ in L.sparse.values()])
        entry_comp = np.searchsorted(starts, Y.indices, side="right") - 1
        sums = np.bincount(
            entry_row * len(starts) + entry_comp,
            weights=Y.data.astype(np.float64) * x[Y.indices],
            minlength=k * len(starts),
        ).reshape(k, len(starts))
        comps = {name: sums[:, i] for i, name in enumerate(L.sparse)}
        for name, _r, o_row, weight in self._dense_terms(b):
            vec = np.zeros(L.n_dense)
            np.add.at(vec, o_row, weight)
            comps[name] = vec @ dense.astype(np.float64)
        major = int(b.major[0])
        family = c.major_family[major]
        level_cols = {
            "major": [L.start("major") + major],
            "family": [L.start("major_family") + family] if family >= 0 else [],
            "class": [L.start("major_class") + c.major_class[major]],
            "category": [L.start("major_category") + c.class_category[c.major_class[major]]],
            "link": (
                L.start("chain_link") + c.major_links.indices[_take(c.major_links, [major])[1]]
            ).tolist(),
        }
        has = {
            lv: np.bincount(entry_row[np.isin(Y.indices, cols)], minlength=k) > 0
            for lv, cols in level_cols.items()
        }
        owned = {"skill": set(b.skills[1].tolist()), "cert": set(b.certs[1].tolist())}
        out = []
        for i, pid in enumerate(wanted):
            cols = Y.indices[Y.indptr[i] : Y.indptr[i + 1]]

            def missing(name: str, kind: str, cols=cols) -> list[int]:
                a, z = L.sparse[name]
                return sorted(set((cols[(cols >= a) & (cols < z)] - a).tolist()) - owned[kind])

            components = {name: float(comps[name][i]) for name in COMPONENTS}
            failed = ("education",) * bool(min_edu[i] > b.edu[0]) + ("start_date",) * bool(
                start[i] < b.avail[0]
            )
            out.append(
                Explanation(
                    position_id=pid,
                    score=float(sum(components.values())),
                    components=components,
                    major_level=next((lv for lv in has if has[lv][i]), "none"),
                    missing_required_skills=missing("req_skill", "skill"),
                    missing_bonus_skills=missing("bonus_skill", "skill"),
                    missing_required_certs=missing("req_cert", "cert"),
                    missing_bonus_certs=missing("bonus_cert", "cert"),
                    hard_filters=failed,
                )
            )
        return out

    def score_pairs(self, students: StudentArrays, position_ids: Iterable[int], rows=None) -> np.ndarray:
        """Scores of the given positions for many students: (len(rows), len(position_ids)) float32.

        The reverse direction of :meth:`top_k` (students for a position, majors for an enterprise's
        positions): token by token, no dense item rows needed. ``rows`` index ``students`` (default all).
        A pair that fails a hard filter scores -inf; scores equal :meth:`explain`'s up to float32 rounding.
        Raises KeyError for an id that is not in the index.
        """
        if rows is None:
            students.check(self.catalog)
            rows = np.arange(len(students))
        else:
            rows = self._rows(students, rows)
        wanted = [int(p) for p in position_ids]
        out = np.full((len(rows), len(wanted)), -np.inf, np.float32)
        if not len(rows) or not wanted:
            return out
        Y, dense, start, min_edu = self._pairs(wanted)
        YT = _transpose(Y)
        for b0 in range(0, len(rows), 5000):
            b = _Block(students, rows[b0 : b0 + 5000])
            X, XL = self._student_vectors(b)
            s = (X @ YT).toarray().astype(np.float32) + (XL @ dense).astype(np.float32)
            s[min_edu[None, :] > b.edu[:, None]] = -np.inf
            s[start[None, :] < b.avail[:, None]] = -np.inf
            out[b0 : b0 + b.n] = s
        return out

    def _pairs(self, position_ids: list[int]):
        """Y rows, O columns, start days and minimum education of live positions (main or delta)."""
        ids = np.asarray(position_ids, np.int64)
        main = self._main_cols(ids)
        delta = np.full(len(ids), -1, np.int64)
        if len(self._d_ids):
            at = np.minimum(np.searchsorted(self._d_ids, ids, sorter=self._d_order), len(self._d_ids) - 1)
            hit = self._d_order[at]
            delta = np.where(self._d_ids[hit] == ids, hit, -1)
        unknown = ids[(main < 0) & (delta < 0)]
        if len(unknown):
            raise KeyError(f"position {unknown[0]} is not in the index")
        m, d = main >= 0, delta >= 0
        order = np.argsort(np.concatenate([np.flatnonzero(m), np.flatnonzero(d)]), kind="stable")
        Y = sp.vstack([self._Y[main[m]], self._d_Y[delta[d]]], format="csr")[order]
        dense = np.hstack([self._O[:, main[m]], self._d_O[:, delta[d]]])[:, order]
        start = np.concatenate([self._start[main[m]], self._d_start[delta[d]]])[order]
        min_edu = np.concatenate([self._min_edu[main[m]], self._d_min_edu[delta[d]]])[order]
        return Y, dense, start, min_edu

    def _main_cols(self, ids: np.ndarray) -> np.ndarray:
        """The main-segment column of each id, -1 where it is not a live main position."""
        at = np.minimum(np.searchsorted(self._ids, ids, sorter=self._by_id), len(self._ids) - 1)
        cols = self._by_id[at]
        return np.where((self._ids[cols] == ids) & self._alive[cols], cols, -1)

    # --- incremental updates ----------------------------------------------------------------------------
    def add_positions(self, positions: PositionArrays) -> None:
        """Add new positions, or replace indexed ones with the same ids, through the delta segment.

        Scored with the BM25 statistics of the build; visible to the next query.
        """
        positions.check(self.catalog)
        if not len(positions):
            return
        self.remove_positions(positions.ids)
        tf, dl = _term_counts(positions.tokens, self._vocab)
        Y, dense = _position_matrices(positions, tf, dl, self.catalog, self.weights, self._idf, self._avgdl)
        self._d_ids = np.concatenate([self._d_ids, positions.ids])
        self._d_start = np.concatenate([self._d_start, positions.start_day])
        self._d_min_edu = np.concatenate([self._d_min_edu, positions.min_edu])
        self._d_Y = _int32_indices(sp.vstack([self._d_Y, Y], format="csr"))
        self._d_O = np.hstack([self._d_O, dense])
        self._d_YT = _transpose(self._d_Y)
        self._d_order = np.argsort(self._d_ids)

    def remove_positions(self, ids: Iterable[int]) -> int:
        """Remove positions: tombstones in the main segment, deletion from the delta.

        Unknown ids are ignored; returns how many positions were removed.
        """
        ids = np.unique(np.asarray(list(ids), np.int64))
        if not len(ids):
            return 0
        cols = self._main_cols(ids)
        cols = cols[cols >= 0]
        self._alive[cols] = False
        self._set_dead()
        in_delta = np.isin(self._d_ids, ids)
        if in_delta.any():
            keep = ~in_delta
            self._d_ids, self._d_start = self._d_ids[keep], self._d_start[keep]
            self._d_min_edu, self._d_O = self._d_min_edu[keep], self._d_O[:, keep]
            self._d_Y = _int32_indices(self._d_Y[np.flatnonzero(keep)])
            self._d_YT = _transpose(self._d_Y)
            self._d_order = np.argsort(self._d_ids)
        return len(cols) + int(in_delta.sum())

    @property
    def delta_fraction(self) -> float:
        """(delta positions + tombstones) / main positions: rebuild when it grows (say past 0.05)."""
        return (len(self._d_ids) + int((~self._alive).sum())) / len(self._ids)

    @property
    def position_ids(self) -> np.ndarray:
        """Ids of every live position, sorted."""
        return np.sort(np.concatenate([self._ids[self._alive], self._d_ids]))

    def __len__(self) -> int:
        return int(self._alive.sum()) + len(self._d_ids)

    def __contains__(self, position_id) -> bool:
        """Whether a live position (main or delta) has this id."""
        ids = np.array([int(position_id)], np.int64)
        return bool(self._main_cols(ids)[0] >= 0 or np.isin(ids, self._d_ids)[0])

    @property
    def dense_items(self) -> bool:
        return self._fixed is not None

    # --- snapshots --------------------------------------------------------------------------------------
    @property
    def version(self) -> str:
        """Format, weights, catalog and build time: two indexes with one version rank alike."""
        return f"{FORMAT}+w{self.weights.fingerprint}+c{self.catalog.fingerprint}+{self.built_at}"

    def save(self, path: str | os.PathLike) -> Path:
        """Write the index to one .npz file, atomically (a temporary file renamed over ``path``).

        Holds the token-level matrices, the delta segment and the tombstones; the dense item rows are
        derived again on load (~0.6 s). About 80 MiB at city scale.
        """
        path = Path(path)
        arrays: dict[str, np.ndarray] = {
            "format": np.array(FORMAT),
            "version": np.array(self.version),
            "built_at": np.array(self.built_at),
            "weights": np.array(json.dumps(self.weights.to_mapping(), sort_keys=True)),
            "vocab": self._vocab,
            "df": self._df,
            "n_docs": np.array(self._n_docs),
            "avgdl": np.array(self._avgdl),
            "ids": self._ids,
            "start": self._start,
            "min_edu": self._min_edu,
            "alive": self._alive,
            "O": self._O,
            "d_ids": self._d_ids,
            "d_start": self._d_start,
            "d_min_edu": self._d_min_edu,
            "d_O": self._d_O,
        }
        for prefix, m in (("Y", self._Y), ("d_Y", self._d_Y)):
            arrays.update(
                {f"{prefix}_data": m.data, f"{prefix}_indices": m.indices, f"{prefix}_indptr": m.indptr}
            )
        arrays.update({f"catalog_{name}": value for name, value in self.catalog._arrays().items()})
        # A unique temporary name in the same folder: two processes saving at once never share a file.
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return path

    @classmethod
    def load(
        cls,
        path: str | os.PathLike,
        *,
        weights: Weights | None = None,
        catalog: Catalog | None = None,
        dense_items: bool = True,
    ) -> MatchIndex:
        """Read a snapshot written by :meth:`save`.

        Refuses (SnapshotError) a file of another format, or one built with other weights or another catalog
        than those given: its scores would not be comparable. Rebuild the index in that case.
        """
        try:
            z = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"cannot read matching snapshot {path}: {exc}") from exc
        with z:
            if "format" not in z.files:
                raise SnapshotError(f"{path} is not a matching-engine snapshot")
            found = str(z["format"])
            if found != FORMAT:
                raise SnapshotError(
                    f"snapshot {path} has format {found!r}; this engine reads {FORMAT!r}: rebuild the index"
                )
            a = {name: z[name] for name in z.files}
        stored = Weights.from_mapping(json.loads(str(a["weights"])))
        if weights is not None and weights.fingerprint != stored.fingerprint:
            raise SnapshotError(
                f"snapshot {path} was built with weights {stored.fingerprint}, not the current "
                f"{weights.fingerprint}: rebuild the index (version {a['version']})"
            )
        stored_catalog = Catalog._from_arrays({k[8:]: v for k, v in a.items() if k.startswith("catalog_")})
        if catalog is not None and catalog.fingerprint != stored_catalog.fingerprint:
            raise SnapshotError(
                f"snapshot {path} was built with catalog {stored_catalog.fingerprint}, not the current "
                f"{catalog.fingerprint}: rebuild the index (version {a['version']})"
            )
        layout = _Layout(stored_catalog, len(a["vocab"]))

        def csr(prefix: str, n_rows: int) -> sp.csr_matrix:
            parts = (a[f"{prefix}_data"], a[f"{prefix}_indices"], a[f"{prefix}_indptr"])
            return sp.csr_matrix(parts, shape=(n_rows, layout.n_sparse))

        return cls(
            catalog=stored_catalog,
            weights=stored,
            stats={"vocab": a["vocab"], "df": a["df"], "n_docs": a["n_docs"], "avgdl": a["avgdl"]},
            main={
                "ids": a["ids"],
                "start": a["start"],
                "min_edu": a["min_edu"],
                "Y": csr("Y", len(a["ids"])),
                "O": a["O"],
                "alive": a["alive"].copy(),
            },
            delta={
                "ids": a["d_ids"],
                "start": a["d_start"],
                "min_edu": a["d_min_edu"],
                "Y": csr("d_Y", len(a["d_ids"])),
                "O": a["d_O"],
            },
            built_at=str(a["built_at"]),
            dense_items=dense_items,
        )
