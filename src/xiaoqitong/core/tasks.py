"""Background work of the core: validating and committing bulk imports; mailing notifications and deleting
the old read ones."""

import logging
from datetime import timedelta

from celery import shared_task
from celery.schedules import crontab
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.celery import app

from . import audit, jobs, notifications, progress
from .context import set_request_id
from .imports import ImportFileError, read_table, resource_for, run_import
from .models import AuditAction, ImportJob, TaskRun
from .policy import policy_for

log = logging.getLogger(__name__)


def _progress(job: ImportJob):
    def update(processed: int) -> None:
        # inside the import's transaction: the database row shows it only at the end, the page reads this
        progress.report(job.progress_key, processed)
        jobs.heartbeat()

    return update


@shared_task(name="core.ping", ignore_result=False)  # the health check reads its answer
def ping(value: str = "pong") -> str:
    """A trivial task that proves a worker is consuming the broker (health checks, CI smoke test)."""
    return value


@shared_task(name="core.import_job_run")
def import_job_run(job_id: int, commit: bool = False) -> str:
    """Validate (``commit=False``) or commit an import job, keeping its status and progress current."""
    set_request_id(f"import-{job_id}-{'commit' if commit else 'check'}")
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    model = apps.get_model(job.target)
    if not policy_for(model).allows(job.created_by, "import"):  # the right may have gone since the upload
        _finish(
            job,
            ImportJob.Status.FAILED,
            errors=[{"row": "", "column": "", "message": _("您没有导入此类数据的权限。")}],
        )
        return ImportJob.Status.FAILED
    resource = resource_for(model)()
    resource.actor = job.created_by
    resource.progress = _progress(job)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING if commit else ImportJob.Status.VALIDATING, processed_rows=0
    )
    progress.report(job.progress_key, 0)
    try:
        data = read_table(job.file.path, job.original_name)
    except ImportFileError as exc:
        _finish(job, ImportJob.Status.INVALID, errors=[{"row": "", "column": "", "message": str(exc)}])
        return ImportJob.Status.INVALID
    if not len(data):  # headers only: an unfilled template
        message = _("文件只有列名，没有数据行：请从第二行起填写要导入的数据。")
        _finish(job, ImportJob.Status.INVALID, errors=[{"row": "", "column": "", "message": message}])
        return ImportJob.Status.INVALID
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(data))
    try:
        with transaction.atomic():
            errors, totals = run_import(resource, data, dry_run=not commit)
            if commit and not errors:
                audit.record(
                    actor=job.created_by,
                    action=AuditAction.IMPORT,
                    verb="import_job_commit",
                    model=model,
                    object_repr=_("导入 %(name)s") % {"name": job.original_name},
                    changes={"rows": len(data), **totals, "job": job.pk},
                )
    except Exception:  # a bug or a database failure: keep the job honest, nothing was committed
        log.exception("import job %s failed", job_id)
        message = _("导入失败，未写入任何数据。请联系平台管理员（任务编号 %(id)s）。") % {"id": job.pk}
        _finish(job, ImportJob.Status.FAILED, errors=[{"row": "", "column": "", "message": message}])
        return ImportJob.Status.FAILED
    if errors:
        status = ImportJob.Status.INVALID
    else:
        status = ImportJob.Status.DONE if commit else ImportJob.Status.VALID
    _finish(job, status, errors=errors, summary=totals, processed=len(data))
    return status


def _finish(job, status, *, errors=(), summary=None, processed=None) -> None:
    values = {"status": status, "errors": list(errors)[:2000], "finished_at": timezone.now()}
    if summary is not None:
        values["summary"] = summary
    if processed is not None:
        values["processed_rows"] = processed
    progress.clear(job.progress_key)
    if status != ImportJob.Status.VALID and job.file:
        # The upload may carry personal data (PIPL): keep it only while a confirmation still needs it.
        job.file.delete(save=False)
        values["file"] = ""
    ImportJob.objects.filter(pk=job.pk).update(**values)


@shared_task(name="core.notification_mail")
def notification_mail(user_ids: list[int], text: str, url: str = "", subject: str = "") -> int:
    """Mail a notification to those of ``user_ids`` who are still active and have an address, one message
    each (no one sees the others' addresses); the link is the notification's page, or the list of
    notifications. Returns how many were sent."""
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
    link = notifications.absolute_url(url or reverse("core:notification_list"))
    footer = _("此邮件由%(site)s自动发送，请勿直接回复。登录平台查看全部通知：%(link)s") % {
        "site": settings.XQT_SITE_NAME,
        "link": notifications.absolute_url(reverse("core:notification_list")),
    }
    body = f"{text}\n\n{link}\n\n--\n{footer}\n"
    subject = notifications.mail_subject(text, subject)
    messages = [(subject, body, None, [user.email]) for user in users.only("email")]
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@shared_task(name="core.notifications_delete_old")
def notifications_delete_old() -> int:
    """Delete read notifications older than ``notifications.KEEP_READ_DAYS`` days, and the records of
    background runs older than ``KEEP_RUNS_DAYS``."""
    TaskRun.objects.filter(started_at__lt=timezone.now() - timedelta(days=KEEP_RUNS_DAYS)).exclude(
        state=TaskRun.State.STARTED
    ).delete()
    return notifications.notifications_delete_old()


KEEP_RUNS_DAYS = 90


@shared_task(name="core.flush_pending")
def flush_pending() -> int:
    """Send the tasks kept while the broker was down (every minute)."""
    return jobs.flush_pending()


@shared_task(name="core.reap_lost")
def reap_lost() -> int:
    """Mark lost the runs whose worker died (every five minutes; also when a worker starts)."""
    return len(jobs.reap_lost())


@jobs.on_lost("core.import_job_run")
def _import_job_lost(run, reason: str) -> None:
    """An import whose worker died: nothing was written (its transaction died with the connection); the job
    says so and keeps its file, so that its submitter can run it again."""
    job_id = (run.args or [None])[0]
    message = _("后台进程在处理本文件时中断（%(reason)s），未写入任何数据。请点击“重新运行”。") % {
        "reason": reason
    }
    ImportJob.objects.filter(
        pk=job_id,
        status__in=[ImportJob.Status.PENDING, ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING],
    ).update(
        status=ImportJob.Status.FAILED,
        errors=[{"row": "", "column": "", "message": message}],
        finished_at=timezone.now(),
    )


# Every night at 03:10 (settings.CELERY_TIMEZONE), away from the other apps' housekeeping after midnight.
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "core.notifications_delete_old": {
        "task": "core.notifications_delete_old",
        "schedule": crontab(hour=3, minute=10),
    },
    "core.flush_pending": {"task": "core.flush_pending", "schedule": crontab(minute="*")},
    "core.reap_lost": {"task": "core.reap_lost", "schedule": crontab(minute="*/5")},
}
