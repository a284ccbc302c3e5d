"""Background work of matching: keep the saved index snapshot current."""

from celery import shared_task
from celery.schedules import crontab

from xiaoqitong.celery import app

from . import services


@shared_task(name="matching.refresh_index")
def refresh_index(force: bool = False) -> dict:
    """Build and save the index snapshot when it is due (``services.refresh_snapshot``): every web process
    then loads it, and keeps it current with the positions changed since (the delta segment)."""
    return services.refresh_snapshot(force=force)


# Shortly after the day's postings expired (enterprises.positions_expire at 00:05), a snapshot for the new
# day; every 10 minutes a check that rebuilds only when more than 5% of the positions changed since.
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "matching.refresh_index.nightly": {
        "task": "matching.refresh_index",
        "schedule": crontab(hour=0, minute=15),
        "kwargs": {"force": True},
    },
    "matching.refresh_index": {"task": "matching.refresh_index", "schedule": crontab(minute="*/10")},
}
