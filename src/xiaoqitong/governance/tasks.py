"""Background work of governance: the daily tick of the responsibility list (reminders before milestones
fall due, overdue warnings) and the build of an annual quality report (HTML, PDF, xlsx, with progress)."""

from celery import shared_task
from celery.schedules import crontab

from xiaoqitong.celery import app


@shared_task(name="governance.tick")
def governance_tick() -> dict:
    from .services.tasks import tasks_tick

    return tasks_tick()


@shared_task(name="governance.report_build")
def report_build(report_id: int) -> None:
    from .services.reports import report_build as build

    build(report_id=report_id)


# Every morning at 08:30 (settings.CELERY_TIMEZONE), after the certification tick.
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "governance.tick": {"task": "governance.tick", "schedule": crontab(hour=8, minute=30)},
}
