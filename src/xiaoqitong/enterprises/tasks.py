"""Background work of the demand side: postings expire by themselves at their valid-until date."""

from celery import shared_task
from celery.schedules import crontab

from xiaoqitong.celery import app

from . import services


@shared_task(name="enterprises.positions_expire")
def positions_expire() -> int:
    """Expire the postings whose valid-until date has passed (``services.positions_expire``)."""
    return services.positions_expire(actor=None)


# Every day shortly after midnight (settings.CELERY_TIMEZONE, the city's time): a posting valid until a day
# is open all that day. ``celery -A xiaoqitong beat`` runs the schedule (the worker of ``xiaoqitong demo``
# runs it embedded); deployments start beat beside their worker, or run ``xiaoqitong expire_positions``
# by cron.
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "enterprises.positions_expire": {
        "task": "enterprises.positions_expire",
        "schedule": crontab(hour=0, minute=5),
    },
}
