"""Background work of events: the daily reminder of commitments due soon or overdue."""

from celery import shared_task
from celery.schedules import crontab

from xiaoqitong.celery import app

from .services import dialogues


@shared_task(name="events.commitments_remind")
def commitments_remind() -> int:
    """Tell each owner organization of its open commitments due within a week or overdue; returns how many
    notifications were queued."""
    return dialogues.commitments_remind()


# Every morning at 08:30 (settings.CELERY_TIMEZONE), when people start work and read their notifications.
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "events.commitments_remind": {
        "task": "events.commitments_remind",
        "schedule": crontab(hour=8, minute=30),
    },
}
