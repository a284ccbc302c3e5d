"""Building, saving and querying the matching index from the database (first, simple version).

* :func:`build_index` reads the catalogs and the open positions (``arrays.py``) and builds a
  :class:`~.engine.MatchIndex`; :func:`save_snapshot` writes it under ``VAR_DIR/matching/`` with a small
  JSON file beside it (the day its positions were selected, and when reading them began).
* :func:`current_index` returns an index that is *current*: same catalog and weights, built for today, and
  no position changed (``updated_at``) since its positions were read. It keeps one in memory per process,
  loads the saved snapshot when that is current, and otherwise builds one in memory (without saving it: the
  ``build_match_index`` command and, later, a Celery task write snapshots).
* :func:`recommend_positions` ranks the open positions for one student, with explanations.

The weights are ``settings.XQT_MATCH_WEIGHTS`` (a mapping of :class:`~.engine.Weights` fields; defaults
when absent). Incremental updates (the engine's delta segment) come later: for now any changed position
makes the index stale, and the next query rebuilds it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from xiaoqitong.enterprises.models import Position
from xiaoqitong.schools.models import Student

from .arrays import CatalogData, build_catalog, open_positions_on, position_arrays, student_arrays
from .engine import NO_POSITION, Explanation, MatchIndex, SnapshotError, Weights

SNAPSHOT_NAME = "positions.npz"


class NoPositionsError(ValueError):
    """There is no open position to index."""


def snapshot_dir() -> Path:
    return Path(settings.VAR_DIR) / "matching"


def default_snapshot_path() -> Path:
    return snapshot_dir() / SNAPSHOT_NAME


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def match_weights() -> Weights:
    """The component weights: ``settings.XQT_MATCH_WEIGHTS`` over the documented defaults."""
    return Weights.from_mapping(getattr(settings, "XQT_MATCH_WEIGHTS", None) or {})


@dataclasses.dataclass
class BuiltIndex:
    index: MatchIndex
    data: CatalogData
    on: dt.date  # the day the positions were open on
    read_at: dt.datetime  # when reading the positions began: later changes are not in the index
    timings: dict[str, float]  # seconds per step: catalog (when read here), positions, index


def build_index(
    *,
    on: dt.date | None = None,
    data: CatalogData | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuiltIndex:
    """Build the index of the positions open on ``on`` (default today). Raises NoPositionsError when there
    are none. Built without the dense item rows (``dense_items=False``): they serve only bulk ranking."""
    on = on or timezone.localdate()
    timings = {}
    if data is None:
        t0 = time.perf_counter()
        data = build_catalog()
        timings["catalog"] = time.perf_counter() - t0
    read_at = timezone.now()
    t0 = time.perf_counter()
    positions = position_arrays(data, on=on, progress=progress)
    timings["positions"] = time.perf_counter() - t0
    if not len(positions):
        raise NoPositionsError("no open position to index")
    t0 = time.perf_counter()
    index = MatchIndex.build(data.catalog, positions, match_weights(), dense_items=False)
    timings["index"] = time.perf_counter() - t0
    return BuiltIndex(index=index, data=data, on=on, read_at=read_at, timings=timings)


def _replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a uniquely named temporary file in the same folder, then rename it over ``path``:
    concurrent writers never mix their bytes, and readers see the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the snapshot is no secret
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_snapshot(built: BuiltIndex, path: str | os.PathLike | None = None) -> Path:
    """Save the index (and its JSON metadata) to ``path``, default ``VAR_DIR/matching/positions.npz``."""
    path = Path(path) if path is not None else default_snapshot_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace_atomically(path, built.index.save)
    meta = {
        "version": built.index.version,
        "on": built.on.isoformat(),
        "read_at": built.read_at.isoformat(),
        "positions": len(built.index),
    }
    _replace_atomically(
        _meta_path(path), lambda tmp: tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    )
    return path


def _changed_since(moment: dt.datetime) -> bool:
    return Position.objects.filter(updated_at__gte=moment).exists()


def load_snapshot(
    data: CatalogData, *, path: str | os.PathLike | None = None, on: dt.date | None = None
) -> tuple[MatchIndex, dt.datetime] | None:
    """The saved index and when its positions were read, if it is current (see the module docstring);
    None when it is missing, unreadable or stale."""
    path = Path(path) if path is not None else default_snapshot_path()
    on = on or timezone.localdate()
    try:
        meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
        read_at = dt.datetime.fromisoformat(meta["read_at"])
        if meta["on"] != on.isoformat():
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        index = MatchIndex.load(path, weights=match_weights(), catalog=data.catalog, dense_items=False)
    except SnapshotError:
        return None
    if index.version != meta["version"] or _changed_since(read_at):
        return None
    return index, read_at


@dataclasses.dataclass
class _Memo:
    index: MatchIndex
    catalog: str  # catalog fingerprint
    weights: str  # weights fingerprint
    on: dt.date
    read_at: dt.datetime


_memo: _Memo | None = None
_lock = threading.Lock()


def current_index(data: CatalogData, *, on: dt.date | None = None) -> MatchIndex | None:
    """A current index of the open positions (None when there is none): this process's, the saved
    snapshot, or a new one built in memory, in that order."""
    global _memo
    on = on or timezone.localdate()
    weights = match_weights().fingerprint
    with _lock:
        memo = _memo
        if (
            memo is not None
            and memo.catalog == data.catalog.fingerprint
            and memo.weights == weights
            and memo.on == on
            and not _changed_since(memo.read_at)
        ):
            return memo.index
        loaded = load_snapshot(data, on=on)
        if loaded is None:
            try:
                built = build_index(on=on, data=data)
            except NoPositionsError:
                _memo = None
                return None
            loaded = built.index, built.read_at
        index, read_at = loaded
        _memo = _Memo(index, data.catalog.fingerprint, weights, on, read_at)
        return index


def forget_index() -> None:
    """Drop this process's index (tests; after changing the weights in a running process)."""
    global _memo
    with _lock:
        _memo = None


def recommend_positions(
    student: Student, k: int = 20, *, on: dt.date | None = None
) -> list[tuple[Position, float, Explanation]]:
    """The ``k`` best open positions for ``student``: ``(position, score, explanation)``, best first.

    The score is the sum of the weighted components (a match fraction with the default weights, which sum
    to 1). In the returned explanations the ``missing_*`` lists hold **primary keys** of Skill and
    Certificate (the engine's dense ids mapped back), sorted.
    """
    on = on or timezone.localdate()
    data = build_catalog()
    index = current_index(data, on=on)
    if index is None:
        return []
    students = student_arrays(data, Student.objects.filter(pk=student.pk), on=on)
    if not len(students):
        return []
    ids, scores = index.top_k(students, [0], k=k)
    ranked = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != NO_POSITION]
    if not ranked:
        return []
    explanations = index.explain(students, 0, [pk for pk, _ in ranked])
    positions = open_positions_on(on).select_related("enterprise", "county").in_bulk([pk for pk, _ in ranked])
    out = []
    for (pk, score), explanation in zip(ranked, explanations, strict=True):
        if pk in positions:  # closed since the index was built
            out.append((positions[pk], score, _with_keys(explanation, data)))
    return out


def _with_keys(explanation: Explanation, data: CatalogData) -> Explanation:
    """The explanation with its missing skills and certificates as primary keys."""

    def skills(ids):
        return sorted(data.skills.keys_of(ids))

    def certs(ids):
        return sorted(data.certificates.keys_of(ids))

    return dataclasses.replace(
        explanation,
        missing_required_skills=skills(explanation.missing_required_skills),
        missing_bonus_skills=skills(explanation.missing_bonus_skills),
        missing_required_certs=certs(explanation.missing_required_certs),
        missing_bonus_certs=certs(explanation.missing_bonus_certs),
    )
