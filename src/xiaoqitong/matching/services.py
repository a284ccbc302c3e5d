"""The matching index: built, saved, loaded and kept current; and the invitations enterprises send.

* :func:`build_index` reads the catalogs and the open positions (``arrays.py``) and builds a
  :class:`~.engine.MatchIndex`; :func:`save_snapshot` writes it under ``VAR_DIR/matching/`` with a small
  JSON file beside it (the day its positions were selected, and when reading them began). The Celery task
  ``matching.refresh_index`` (``tasks.py``) builds and saves it at night and whenever many positions have
  changed since the saved one; ``xiaoqitong build_match_index`` does the same by hand.
* :func:`current_index` returns an index that is *current*, kept one per process: the saved snapshot when
  there is one for today (reloaded when a newer one is saved), else one built in memory; then, at every call,
  the positions changed since it was read (``updated_at``, with a margin of :data:`OVERLAP` for
  transactions that commit late) go through the engine's delta segment: new, changed, closed and expired
  positions show in the next query, without a rebuild. Deleted positions are dropped when results are read.
* :func:`current_students` does the same for the students who are looking (the reverse direction: students
  for a position): their arrays are kept per process and the students changed since are read again.

The weights are ``settings.XQT_MATCH_WEIGHTS`` (a mapping of :class:`~.engine.Weights` fields; defaults
when absent). Queries run under this module's lock (:func:`using_index`): the delta segment is changed in
place, so a query and an update must not overlap in a threaded server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core.models import AuditAction
from xiaoqitong.enterprises.choices import PositionStatus
from xiaoqitong.enterprises.models import Application, GraduateOutcome, Position
from xiaoqitong.enterprises.services import after_application_create, application_create
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.choices import Consent
from xiaoqitong.schools.models import Student
from xiaoqitong.schools.selectors import visible_to_enterprise

from .arrays import (
    CatalogData,
    build_catalog,
    matchable_students,
    open_positions_on,
    position_arrays,
    student_arrays,
)
from .choices import InvitationStatus
from .engine import MatchIndex, SnapshotError, StudentArrays, Weights
from .models import Invitation

logger = logging.getLogger(__name__)

SNAPSHOT_NAME = "positions.npz"
#: Changes are read again from this long before the last read: a transaction that set ``updated_at``
#: before the read but committed after it is not missed.
OVERLAP = dt.timedelta(seconds=60)
#: Past this fraction of changed positions (delta segment and tombstones) a rebuild is due.
REBUILD_FRACTION = 0.05


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
    recent: dict[int, dt.datetime]  # positions changed within OVERLAP before read_at, as read
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
    recent = _recent_positions(read_at)
    t0 = time.perf_counter()
    positions = position_arrays(data, on=on, progress=progress)
    timings["positions"] = time.perf_counter() - t0
    if not len(positions):
        raise NoPositionsError("no open position to index")
    t0 = time.perf_counter()
    index = MatchIndex.build(data.catalog, positions, match_weights(), dense_items=False)
    timings["index"] = time.perf_counter() - t0
    return BuiltIndex(index=index, data=data, on=on, read_at=read_at, recent=recent, timings=timings)


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
        "recent": {str(pk): at.isoformat() for pk, at in built.recent.items()},
        "positions": len(built.index),
    }
    _replace_atomically(
        _meta_path(path), lambda tmp: tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    )
    return path


def _recent_positions(since: dt.datetime) -> dict[int, dt.datetime]:
    """Positions changed from ``OVERLAP`` before ``since`` on: pk -> updated_at."""
    return dict(Position.objects.filter(updated_at__gte=since - OVERLAP).values_list("pk", "updated_at"))


def _new_changes(current: dict, seen: dict) -> list:
    """The keys of ``current`` (key -> updated_at) not in ``seen`` with the same time. Once they are
    applied, the caller makes ``current`` its ``seen``: what the next look, which starts later, needs."""
    return [key for key, at in current.items() if seen.get(key) != at]


def read_meta(path: str | os.PathLike | None = None) -> dict | None:
    """The JSON metadata of the saved snapshot (None when missing or unreadable)."""
    path = Path(path) if path is not None else default_snapshot_path()
    try:
        meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
        dt.datetime.fromisoformat(meta["read_at"])
        dt.date.fromisoformat(meta["on"])
        meta["recent"] = {int(pk): dt.datetime.fromisoformat(at) for pk, at in meta.get("recent", {}).items()}
        return meta
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_snapshot(
    data: CatalogData, *, path: str | os.PathLike | None = None, on: dt.date | None = None
) -> tuple[MatchIndex, dt.datetime, dict[int, dt.datetime], str] | None:
    """The saved index of the positions open on ``on`` (default today), when its catalog and weights are
    today's: ``(index, read_at, recent, stamp)``; None when it is missing, unreadable, for another day or
    another catalog. Positions changed since ``read_at`` are not in it (:func:`current_index` adds them)."""
    path = Path(path) if path is not None else default_snapshot_path()
    on = on or timezone.localdate()
    meta = read_meta(path)
    if meta is None or meta["on"] != on.isoformat():
        return None
    try:
        index = MatchIndex.load(path, weights=match_weights(), catalog=data.catalog, dense_items=False)
    except SnapshotError:
        return None
    if index.version != meta["version"]:
        return None  # the npz was replaced between reading the metadata and the arrays
    return index, dt.datetime.fromisoformat(meta["read_at"]), meta["recent"], _stamp(meta)


def _stamp(meta: dict | None) -> str:
    return "" if meta is None else f"{meta['version']}@{meta['read_at']}"


@dataclasses.dataclass
class _Memo:
    index: MatchIndex
    catalog: str  # catalog fingerprint
    weights: str  # weights fingerprint
    on: dt.date
    read_at: dt.datetime  # changes up to here are in the index
    seen: dict[int, dt.datetime]  # positions changed within OVERLAP before read_at, as applied
    stamp: str  # the saved snapshot's stamp when this index was made ("" when there was none)
    size: int = 0  # positions when it was made
    changed: set[int] = dataclasses.field(default_factory=set)  # positions changed since it was made
    rebuild_asked: bool = False


@dataclasses.dataclass
class _StudentMemo:
    arrays: StudentArrays
    catalog: str
    on: dt.date
    read_at: dt.datetime
    seen: dict[tuple[str, int], dt.datetime]  # students and outcomes changed within OVERLAP before read_at


_memo: _Memo | None = None
_students: _StudentMemo | None = None
_lock = threading.RLock()


def _apply_changes(memo: _Memo, data: CatalogData) -> int:
    """Put the positions changed since the memo's read in its index's delta segment; returns how many.
    What was seen and read is recorded only once the changes are in: a failure leaves them for next time."""
    now = timezone.now()
    current = _recent_positions(memo.read_at)
    changed = _new_changes(current, memo.seen)
    if changed:
        still_open = position_arrays(data, open_positions_on(memo.on).filter(pk__in=changed), on=memo.on)
        memo.index.remove_positions(changed)
        memo.index.add_positions(still_open)
        memo.changed.update(changed)
    memo.seen = current
    memo.read_at = now
    # the same measure as refresh_snapshot: distinct positions changed since the index was made
    if len(memo.changed) > REBUILD_FRACTION * max(memo.size, 1) and not memo.rebuild_asked:
        memo.rebuild_asked = True
        _rebuild_due.set()
    return len(changed)


#: Set under the lock when a rebuild is due; :func:`using_index` queues it once the lock is released.
_rebuild_due = threading.Event()


def _ask_for_rebuild() -> None:
    """Queue a rebuild of the saved snapshot (the worker's ``matching.refresh_index``); never fails a
    query."""
    try:
        from .tasks import refresh_index

        refresh_index.delay()
    except Exception:  # no broker: the delta keeps growing and the nightly build catches up
        logger.warning("could not queue matching.refresh_index", exc_info=True)


def current_index(data: CatalogData, *, on: dt.date | None = None) -> MatchIndex | None:
    """A current index of the open positions (None when there is none); see the module docstring. Call it,
    and query what it returns, inside :func:`using_index` when threads share the process."""
    global _memo
    on = on or timezone.localdate()
    weights = match_weights().fingerprint
    with _lock:
        memo = _memo
        stamp = _stamp(read_meta())
        if (
            memo is not None
            and memo.catalog == data.catalog.fingerprint
            and memo.weights == weights
            and memo.on == on
            and stamp == memo.stamp
        ):
            _apply_changes(memo, data)
            return memo.index
        loaded = load_snapshot(data, on=on)
        if loaded is None:
            try:
                built = build_index(on=on, data=data)
            except NoPositionsError:
                _memo = None
                return None
            # the stamp seen on disk (a refused snapshot's too): only a newer file makes it look again
            _memo = _Memo(
                built.index,
                data.catalog.fingerprint,
                weights,
                on,
                built.read_at,
                dict(built.recent),
                stamp=stamp,
                size=len(built.index),
            )
            return built.index
        index, read_at, recent, stamp = loaded
        _memo = _Memo(
            index, data.catalog.fingerprint, weights, on, read_at, dict(recent), stamp, size=len(index)
        )
        _apply_changes(_memo, data)
        return index


@contextmanager
def using_index() -> Iterator[None]:
    """Hold the index lock: around :func:`current_index` and the queries on what it returns. A rebuild
    found due is queued after the lock is released, when the surrounding transaction commits."""
    with _lock:
        yield
    if _rebuild_due.is_set():
        _rebuild_due.clear()
        transaction.on_commit(_ask_for_rebuild)


def current_students(data: CatalogData, *, on: dt.date | None = None) -> StudentArrays:
    """The arrays of every student who is looking (``arrays.matchable_students``), kept per process; students
    changed since the last read (their record, or a graduate outcome) are read again. Deleted students may
    stay until the next day: callers read the rows they show from the database."""
    global _students
    on = on or timezone.localdate()
    with _lock:
        memo = _students
        if memo is None or memo.catalog != data.catalog.fingerprint or memo.on != on:
            now = timezone.now()
            seen = _recent_students(now)
            _students = _StudentMemo(student_arrays(data, on=on), data.catalog.fingerprint, on, now, seen)
            return _students.arrays
        now = timezone.now()
        current = _recent_students(memo.read_at)
        changed = {pk for _kind, pk in _new_changes(current, memo.seen)}
        if changed:
            fresh = student_arrays(data, matchable_students().filter(pk__in=changed), on=on)
            keep = np.flatnonzero(~np.isin(memo.arrays.ids, list(changed)))
            memo.arrays = StudentArrays.concat([memo.arrays.take(keep), fresh])
        memo.seen = current
        memo.read_at = now
        return memo.arrays


def _recent_students(since: dt.datetime) -> dict[tuple[str, int], dt.datetime]:
    """Students, and graduate outcomes (by student), changed from ``OVERLAP`` before ``since`` on."""
    since = since - OVERLAP
    out = {
        ("s", pk): at
        for pk, at in Student.objects.filter(updated_at__gte=since).values_list("pk", "updated_at")
    }
    for pk, at in GraduateOutcome.objects.filter(updated_at__gte=since).values_list(
        "student_id", "updated_at"
    ):
        out[("o", pk)] = max(at, out.get(("o", pk), at))
    return out


def forget_index() -> None:
    """Drop this process's index and student arrays (tests; after changing the weights in a running
    process)."""
    global _memo, _students
    with _lock:
        _memo = None
        _students = None


def refresh_snapshot(*, force: bool = False, on: dt.date | None = None) -> dict:
    """Build and save the snapshot when it is due: missing, for another day or catalog, or with more than
    :data:`REBUILD_FRACTION` of its positions changed since. Returns what was done (the task's result)."""
    on = on or timezone.localdate()
    data = build_catalog()
    reason = "forced" if force else ""
    if not reason:
        loaded = load_snapshot(data, on=on)
        if loaded is None:
            reason = "missing"
        else:
            index, read_at, recent, _ = loaded
            changed = len(_new_changes(_recent_positions(read_at), recent))
            if changed > REBUILD_FRACTION * max(len(index), 1):
                reason = f"{changed} changed"
    if not reason:
        return {"built": False}
    try:
        built = build_index(on=on, data=data)
    except NoPositionsError:
        return {"built": False, "reason": "no open position"}
    save_snapshot(built)
    return {"built": True, "reason": reason, "positions": len(built.index), "seconds": built.timings}


# ----------------------------------------------------------------------------------------------------------
# Invitations
# ----------------------------------------------------------------------------------------------------------
def _denied() -> PermissionDenied:
    return PermissionDenied(_("您没有权限执行此操作。"))


def may_invite(user, position: Position) -> bool:
    """The HR of the position's enterprise, and platform administrators."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        getattr(user, "role", None) == Role.ENTERPRISE_HR
        and bool(user.enterprise_id)
        and user.enterprise_id == position.enterprise_id
    )


@transaction.atomic
def invitation_create(*, actor, position: Position, student: Student, message: str = "") -> Invitation:
    """Invite a student to apply for an open position: the enterprise's HR, a student it may see (consent or
    applicant) who is looking, once per position and student, not after the student applied."""
    position = Position.objects.select_related("enterprise").get(pk=position.pk)
    if not may_invite(actor, position):
        raise _denied()
    if position.status != PositionStatus.PUBLISHED or position.valid_until < timezone.localdate():
        raise ValidationError({"position": _("该岗位当前不在招聘中，不能发出邀请。")})
    visible = (
        visible_to_enterprise(Student.objects.all(), actor)
        if getattr(actor, "enterprise_id", None)
        else Student.objects.filter(consent__in=[Consent.DEIDENTIFIED, Consent.FULL])
    )
    if not visible.filter(pk=student.pk).exists():
        raise ValidationError({"student": _("该学生未向企业公开简历，不能邀请。")})
    if not matchable_students().filter(pk=student.pk).exists():
        raise ValidationError({"student": _("该学生目前不在求职，不能邀请。")})
    if Application.objects.filter(student=student, position=position).exists():
        raise ValidationError({"student": _("该学生已投递此岗位，无需邀请。")})
    if Invitation.objects.filter(student=student, position=position).exists():
        raise ValidationError({"student": _("已邀请过该学生投递此岗位，每个岗位只能邀请一次。")})
    invitation = Invitation(
        position=position,
        student=student,
        invited_by=actor if getattr(actor, "pk", None) else None,
        message=(message or "").strip(),
        score=pair_score(student, position),
    )
    invitation.full_clean()
    try:
        with transaction.atomic():
            invitation.save(force_insert=True)
    except IntegrityError as exc:  # the same invitation sent twice at the same moment
        raise ValidationError({"student": _("已邀请过该学生投递此岗位，每个岗位只能邀请一次。")}) from exc
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="invitation_create",
        instance=invitation,
        changes=audit.diff({}, audit.snapshot(invitation)),
    )
    return invitation


def pair_score(student: Student, position: Position) -> float | None:
    """The engine's score of one pair now (None when the position is not open or a hard filter fails)."""
    data = build_catalog()
    students = student_arrays(data, Student.objects.filter(pk=student.pk))
    with using_index():
        index = current_index(data)
        if index is None or position.pk not in index:
            return None
        score = float(index.score_pairs(students, [position.pk])[0, 0])
    return score if np.isfinite(score) else None


@after_application_create
def close_invitation_on_application(application: Application, actor=None) -> int:
    """A student who applies to a position it was invited to (from the position's page) has accepted the
    invitation: it is marked so and linked to the application (run by ``enterprises.services``)."""
    waiting = Invitation.objects.select_for_update().filter(
        position_id=application.position_id, student_id=application.student_id, status=InvitationStatus.SENT
    )
    done = 0
    for invitation in waiting:
        before = audit.snapshot(invitation)
        invitation.status = InvitationStatus.ACCEPTED
        invitation.application = application
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["status", "application", "responded_at", "updated_at"])
        _record(actor, invitation, "invitation_accept", before)
        done += 1
    return done


def _locked_invitation(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("position", "student").get(pk=invitation.pk)


def _record(actor, invitation: Invitation, verb: str, before: dict) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb=verb,
        instance=invitation,
        changes=audit.diff(before, audit.snapshot(invitation)),
    )


@transaction.atomic
def invitation_respond(*, actor, invitation: Invitation, accept: bool, note: str = "") -> Invitation:
    """The invited student accepts (and so applies, with ``note``) or declines an invitation still waiting.
    Accepting is refused as applying would be (position closed or full)."""
    invitation = _locked_invitation(invitation)
    student = invitation.student
    if not (getattr(actor, "role", None) == Role.STUDENT and student.user_id == actor.pk):
        raise _denied()
    if invitation.status != InvitationStatus.SENT:
        raise ValidationError(
            _("该邀请已是“%(status)s”状态，不能再回复。") % {"status": invitation.get_status_display()}
        )
    if accept:
        # applying accepts the waiting invitation (close_invitation_on_application, with its audit record)
        application_create(actor=actor, position=invitation.position, student=student, note=note)
        invitation.refresh_from_db()
        return invitation
    before = audit.snapshot(invitation)
    invitation.status = InvitationStatus.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at", "updated_at"])
    _record(actor, invitation, "invitation_decline", before)
    return invitation


@transaction.atomic
def invitation_withdraw(*, actor, invitation: Invitation) -> Invitation:
    """The enterprise withdraws an invitation the student has not answered."""
    invitation = _locked_invitation(invitation)
    if not may_invite(actor, invitation.position):
        raise _denied()
    if invitation.status != InvitationStatus.SENT:
        raise ValidationError(
            _("该邀请已是“%(status)s”状态，不能撤回。") % {"status": invitation.get_status_display()}
        )
    before = audit.snapshot(invitation)
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at", "updated_at"])
    _record(actor, invitation, "invitation_withdraw", before)
    return invitation
