"""Background work of certification: the daily tick (open the reviews falling due, expire the missed ones,
send the reminders)."""

from celery import shared_task
from celery.schedules import crontab

from xiaoqitong.celery import app

from .services import reviews


@shared_task(name="certification.tick")
def certification_tick() -> dict:
    return reviews.certification_tick()


# Every morning at 08:20 (settings.CELERY_TIMEZONE), before the events reminders.
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "certification.tick": {"task": "certification.tick", "schedule": crontab(hour=8, minute=20)},
}
