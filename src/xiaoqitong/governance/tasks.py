"""Background work of governance: the daily tick of the responsibility list (reminders before milestones
fall due, overdue warnings) and the build of an annual quality report (HTML, PDF, xlsx, with progress)."""

from celery import shared_task
from celery.schedules import crontab

from xiaoqitong.celery import app
from xiaoqitong.core import jobs


@shared_task(name="governance.tick")
def governance_tick() -> dict:
    from .services.tasks import tasks_tick

    return tasks_tick()


@shared_task(name="governance.report_build")
def report_build(report_id: int) -> None:
    from .services.reports import report_build as build

    build(report_id=report_id)


@jobs.on_lost("governance.report_build")
def _report_lost(run, reason: str) -> None:
    """A build whose worker died: the version says failed (with the reason) instead of running for ever and
    blocking the next request; 重新生成 builds it again."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .choices import ReportStatus
    from .models import QualityReport

    QualityReport.objects.filter(
        pk=(run.args or [None])[0], status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]
    ).update(
        status=ReportStatus.FAILED,
        error=_("后台进程在生成时中断（%(reason)s）。请重新生成。") % {"reason": reason},
        finished_at=timezone.now(),
    )


# Every morning at 08:30 (settings.CELERY_TIMEZONE), after the certification tick.
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "governance.tick": {"task": "governance.tick", "schedule": crontab(hour=8, minute=30)},
}
