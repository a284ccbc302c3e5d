"""Background work of cooperation: daily housekeeping of agreements."""

from celery import shared_task
from celery.schedules import crontab

from xiaoqitong.celery import app

from .services import agreements


@shared_task(name="cooperation.members_expire")
def members_expire() -> int:
    """Expire the places students did not confirm by their agreement's deadline (or whose agreement ended)."""
    return agreements.members_expire()


# At 00:30, after the day has turned (a deadline is the last day a student may still confirm).
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "cooperation.members_expire": {
        "task": "cooperation.members_expire",
        "schedule": crontab(hour=0, minute=30),
    },
}
