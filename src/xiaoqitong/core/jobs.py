"""Background jobs that survive faults (issue 11).

- ``dispatch(task, *args)`` hands a task to the broker. When the broker does not answer (Redis down) the task
  is kept in the database (:class:`PendingTask`) instead of failing the page that asked for it, and
  ``flush_pending`` sends it once the broker is back: every minute from beat, and when a worker starts.
- Every run of a task by a worker is a :class:`TaskRun` row written by the worker's signals (started,
  finished, failed, with the worker's host and process), which the 后台任务 page lists.
- ``reap_lost`` finds the runs whose worker died while running them (killed, out of memory, machine gone):
  on the worker's own host a dead process id; elsewhere a worker that no longer answers and a heartbeat older
  than ``XQT_JOB_STALE_MINUTES``. It marks them lost with the reason and calls the task's ``on_lost``
  handler, which puts the domain object (an import job, a report) in a failed state that can be run again. A
  task's own transaction is rolled back by the database when its connection drops, so a lost run leaves no
  partial data.

Eager runs (tests, ``XQT_TASKS_EAGER``) are not background jobs and are not recorded.
"""

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta

from celery import current_task, signals
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as KombuOperationalError

from .context import get_request_id, set_request_id
from .models import PendingTask, TaskRun

log = logging.getLogger(__name__)

# Housekeeping that runs every few minutes: not worth a row per run.
UNTRACKED = {"core.ping", "core.flush_pending", "core.reap_lost"}
REQUEST_ID_HEADER = "xqt_request_id"
HEARTBEAT_EVERY = 10.0  # seconds between two heartbeat writes of one run

try:  # the Redis client's own errors, when a publish fails below kombu's retry
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency
    RedisError = OSError

BROKER_ERRORS = (KombuOperationalError, RedisError, OSError, TimeoutError)

_lost_handlers: dict[str, Callable[[TaskRun, str], None]] = {}


def on_lost(task_name: str):
    """Decorator: ``fn(run, reason)`` repairs the domain state of a run of ``task_name`` found lost."""

    def register(fn):
        _lost_handlers[task_name] = fn
        return fn

    return register


def _jsonable(args) -> list | None:
    """The task's arguments as stored on its run: small JSON values only (ids, flags), else nothing."""
    import json

    try:
        text = json.dumps(list(args or ()))
    except (TypeError, ValueError):
        return None
    return json.loads(text) if len(text) <= 1000 else None


# --- sending ----------------------------------------------------------------------------------------------
def dispatch(task, *args, **kwargs):
    """Send ``task(*args, **kwargs)`` to the workers; if the broker cannot take it, keep it to send later
    and return None. The caller's request id travels with the task, so its log lines and audit records carry
    it."""
    headers = {REQUEST_ID_HEADER: get_request_id()}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return task.apply_async(args, kwargs, headers=headers)
    try:
        return task.apply_async(args, kwargs, headers=headers)
    except BROKER_ERRORS as exc:
        PendingTask.objects.create(
            name=task.name,
            args=list(args),
            kwargs=kwargs,
            last_error=f"{exc.__class__.__name__}: {exc}"[:300],
            request_id=get_request_id(),
        )
        log.warning("broker unavailable, task %s kept to send later: %s", task.name, exc)
        return None


def dispatch_on_commit(task, *args, **kwargs) -> None:
    """``dispatch`` once the current transaction commits (the task must see the rows it was asked about)."""
    transaction.on_commit(lambda: dispatch(task, *args, **kwargs))


def flush_pending(limit: int = 500) -> int:
    """Send the kept tasks, oldest first; stop at the first that the broker still refuses. Returns how many
    were sent. Two flushes at once do not send a task twice (rows are locked and skipped)."""
    from xiaoqitong.celery import app

    sent = 0
    ids = list(PendingTask.objects.order_by("id").values_list("id", flat=True)[:limit])
    for pk in ids:
        with transaction.atomic():
            pending = PendingTask.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if pending is None:  # sent by another flush meanwhile
                continue
            task = app.tasks.get(pending.name)
            if task is None:
                log.error("kept task %s is unknown to this version: dropped", pending.name)
                pending.delete()
                continue
            try:
                task.apply_async(
                    pending.args, pending.kwargs, headers={REQUEST_ID_HEADER: pending.request_id}
                )
            except BROKER_ERRORS as exc:
                PendingTask.objects.filter(pk=pk).update(
                    attempts=pending.attempts + 1, last_error=f"{exc.__class__.__name__}: {exc}"[:300]
                )
                log.warning("broker still unavailable, %s kept tasks wait: %s", len(ids) - sent, exc)
                break
            pending.delete()
            sent += 1
    if sent:
        log.info("sent %s kept tasks", sent)
    return sent


# --- recording runs (worker side) -------------------------------------------------------------------------
def _tracked(task) -> bool:
    return task is not None and not task.request.is_eager and task.name not in UNTRACKED


@signals.task_prerun.connect
def _run_started(sender=None, task_id=None, task=None, args=None, **_kwargs):
    if not _tracked(task):
        return
    request_id = getattr(task.request, REQUEST_ID_HEADER, None) or (task.request.headers or {}).get(
        REQUEST_ID_HEADER
    )
    set_request_id(request_id or f"task-{task_id}")
    now = timezone.now()
    TaskRun.objects.update_or_create(
        task_id=task_id,
        defaults={
            "name": task.name,
            "args": _jsonable(args),
            "state": TaskRun.State.STARTED,
            "worker": task.request.hostname or "",
            "pid": os.getpid(),
            "request_id": request_id or "",
            "started_at": now,
            "heartbeat_at": now,
            "finished_at": None,
            "error": "",
        },
    )


@signals.task_postrun.connect
def _run_finished(sender=None, task_id=None, task=None, retval=None, state=None, **_kwargs):
    if not _tracked(task):
        return
    values = {"finished_at": timezone.now(), "heartbeat_at": timezone.now()}
    if state == "SUCCESS":
        values["state"] = TaskRun.State.SUCCESS
        if isinstance(retval, str | int | float):
            values["result"] = str(retval)[:200]
    else:
        values["state"] = TaskRun.State.FAILURE
    # a run already marked lost (a stale heartbeat) that finishes after all: its end wins
    TaskRun.objects.filter(task_id=task_id).update(**values)


@signals.task_failure.connect
def _run_failed(sender=None, task_id=None, exception=None, einfo=None, **_kwargs):
    if sender is None or sender.name in UNTRACKED or sender.request.is_eager:
        return
    text = f"{exception.__class__.__name__}: {exception}"
    if einfo is not None:
        text += "\n\n" + str(einfo.traceback)[-4000:]
    TaskRun.objects.filter(task_id=task_id).update(
        state=TaskRun.State.FAILURE, error=text, finished_at=timezone.now()
    )


_last_beat: dict[str, float] = {}


def heartbeat() -> None:
    """Called from a long task's progress: the run is alive (at most one write every 10 seconds)."""
    task = current_task
    if task is None or not _tracked(task) or not task.request.id:
        return
    now = time.monotonic()
    if now - _last_beat.get(task.request.id, 0.0) < HEARTBEAT_EVERY:
        return
    _last_beat[task.request.id] = now
    TaskRun.objects.filter(task_id=task.request.id).update(heartbeat_at=timezone.now())


# --- finding lost runs ------------------------------------------------------------------------------------
def _host_of(worker: str) -> str:
    return worker.rpartition("@")[2]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    return True


def _answering(workers: set[str]) -> set[str]:
    """The workers among ``workers`` that answer a ping (all of them when the broker is down: then none is
    judged)."""
    from xiaoqitong.celery import app

    if not workers:
        return set()
    try:
        replies = app.control.ping(destination=sorted(workers), timeout=2.0) or []
    except BROKER_ERRORS:
        return set(workers)  # cannot tell: treat as alive
    return {name for reply in replies for name in reply}


def reap_lost(*, now=None) -> list[TaskRun]:
    """Mark lost the running runs whose worker died, with the reason; call their tasks' ``on_lost``."""
    from xiaoqitong.celery import app

    app.loader.import_default_modules()  # every app's tasks module, and so its on_lost handlers
    now = now or timezone.now()
    here = {socket.gethostname(), socket.getfqdn()}
    stale = now - timedelta(minutes=settings.XQT_JOB_STALE_MINUTES)
    running = list(TaskRun.objects.filter(state=TaskRun.State.STARTED))
    elsewhere = {
        run.worker
        for run in running
        if _host_of(run.worker) not in here and (run.heartbeat_at or run.started_at) < stale
    }
    answering = _answering(elsewhere)
    lost = []
    for run in running:
        if _host_of(run.worker) in here:
            if not run.pid or _alive(run.pid):
                continue
            reason = _("后台进程（%(worker)s，进程号 %(pid)s）在运行中终止") % {
                "worker": run.worker,
                "pid": run.pid,
            }
        elif (
            run.worker in elsewhere
            and run.worker not in answering
            and (run.heartbeat_at or run.started_at) < stale
        ):
            reason = _("后台进程 %(worker)s 已无响应，%(minutes)s 分钟没有进展") % {
                "worker": run.worker,
                "minutes": settings.XQT_JOB_STALE_MINUTES,
            }
        else:
            continue
        changed = TaskRun.objects.filter(pk=run.pk, state=TaskRun.State.STARTED).update(
            state=TaskRun.State.LOST, finished_at=now, error=reason
        )
        if not changed:
            continue
        run.state, run.error, run.finished_at = TaskRun.State.LOST, reason, now
        log.error("task run %s (%s) lost: %s", run.task_id, run.name, reason)
        handler = _lost_handlers.get(run.name)
        if handler is not None:
            try:
                handler(run, reason)
            except Exception:
                log.exception("on_lost handler of %s failed", run.name)
        lost.append(run)
    return lost


@signals.worker_ready.connect
def _worker_ready(sender=None, **_kwargs):
    """A worker that starts (again) first settles what the dead ones left: lost runs, then kept tasks."""
    try:
        reap_lost()
        flush_pending()
    except Exception:  # never keep a worker from starting
        log.exception("settling lost runs and kept tasks at worker start failed")


# --- what the 后台任务 page shows ------------------------------------------------------------------------
# Task names are stable strings (they travel through the broker); the labels are the page's words for them.
LABELS = {
    "analytics.snapshots_refresh": gettext_lazy("分析快照刷新"),
    "certification.tick": gettext_lazy("产教融合型企业到期提醒"),
    "cooperation.members_expire": gettext_lazy("合作成员到期处理"),
    "core.import_job_run": gettext_lazy("批量导入"),
    "core.notification_mail": gettext_lazy("通知邮件"),
    "core.notifications_delete_old": gettext_lazy("清理旧通知"),
    "enterprises.positions_expire": gettext_lazy("岗位到期处理"),
    "events.commitments_remind": gettext_lazy("签约履约提醒"),
    "governance.report_build": gettext_lazy("质量年度报告生成"),
    "governance.tick": gettext_lazy("任务清单到期提醒"),
    "matching.refresh_index": gettext_lazy("匹配索引更新"),
}
# The page of the object a run worked on, from its first argument.
OBJECT_URLS = {
    "core.import_job_run": "core:import_job",
    "governance.report_build": "governance:qualityreport_detail",
}


def label(name: str) -> str:
    return str(LABELS.get(name, name))


def task_names() -> list[str]:
    from xiaoqitong.celery import app

    return sorted(n for n in app.tasks if not n.startswith("celery.") and n not in UNTRACKED)


def object_url(run: TaskRun) -> str:
    from django.urls import NoReverseMatch, reverse

    url_name = OBJECT_URLS.get(run.name)
    if not url_name or not run.args:
        return ""
    try:
        return reverse(url_name, kwargs={"pk": run.args[0]})
    except NoReverseMatch:
        return ""


def can_rerun(run: TaskRun) -> bool:
    """Failed or lost runs of housekeeping tasks, with their arguments kept. An import or a report is run
    again from its own page (its state must be reset with it)."""
    return (
        run.state in {TaskRun.State.FAILURE, TaskRun.State.LOST}
        and run.args is not None
        and run.name not in OBJECT_URLS
    )


def runs_dataset(queryset):
    import tablib

    data = tablib.Dataset(
        headers=[
            str(_("任务编号")),
            str(_("任务")),
            str(_("状态")),
            str(_("参数")),
            str(_("后台进程")),
            str(_("开始时间")),
            str(_("结束时间")),
            str(_("用时（秒）")),
            str(_("结果")),
            str(_("错误")),
            str(_("请求编号")),
        ]
    )
    for run in queryset:
        duration = run.duration
        data.append(
            [
                run.task_id,
                label(run.name),
                run.get_state_display(),
                "" if run.args is None else str(run.args),
                f"{run.worker} ({run.pid})" if run.pid else run.worker,
                timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M:%S"),
                timezone.localtime(run.finished_at).strftime("%Y-%m-%d %H:%M:%S") if run.finished_at else "",
                round(duration.total_seconds(), 1) if duration is not None else "",
                run.result,
                run.error.split("\n", 1)[0],
                run.request_id,
            ]
        )
    return data


def rerun(run: TaskRun):
    """Send a failed or lost run's task again with the same arguments (the 后台任务 page's 重新运行)."""
    from xiaoqitong.celery import app

    app.loader.import_default_modules()
    task = app.tasks.get(run.name)
    if task is None or run.args is None:
        return None
    return dispatch(task, *run.args)
