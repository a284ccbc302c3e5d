"""Background work of analytics: recompute this school year's snapshots every night."""

from celery import shared_task
from celery.schedules import crontab

from xiaoqitong.celery import app

from . import services


@shared_task(name="analytics.snapshots_refresh")
def snapshots_refresh(year: int | None = None) -> dict | list[dict]:
    """Recompute every snapshot of ``year``; by default of the current school year and the one before (late
    records of last year, and the comparisons every page makes with it)."""
    if year is not None:
        return services.snapshots_refresh(year=year)
    current = services.current_year()
    return [services.snapshots_refresh(year=y) for y in (current - 1, current)]


# At 01:00, after the day's postings expired (00:05) and the matching index was rebuilt (00:15).
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "analytics.snapshots_refresh": {
        "task": "analytics.snapshots_refresh",
        "schedule": crontab(hour=1, minute=0),
    },
}
