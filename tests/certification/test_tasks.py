"""The daily task ``certification.tick``: registered with Celery and the beat schedule, and run (eagerly in
the tests) it opens the reviews falling due, expires the missed ones and sends the reminders of the day."""

import datetime as dt

import pytest
from celery.schedules import crontab

from xiaoqitong.celery import app
from xiaoqitong.certification import tasks
from xiaoqitong.certification.choices import CertificationStatus, ReviewStatus

from .factories import certified, media_root, set_today, texts  # noqa: F401  (media_root: a temporary MEDIA_ROOT)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_the_task_is_registered_and_scheduled_every_morning():
    assert "certification.tick" in app.tasks
    entry = app.conf.beat_schedule["certification.tick"]
    assert entry["task"] == "certification.tick"
    assert entry["schedule"] == crontab(hour=8, minute=20)


def test_the_task_runs_the_days_steps_on_todays_date(monkeypatch, django_capture_on_commit_callbacks):
    applicant, _lead, certification = certified(monkeypatch)
    set_today(monkeypatch, dt.date(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.certification_tick.delay().get()
    assert result == {"opened": 1, "expired": 0, "reminded": 0}
    review = certification.reviews.get()
    assert (review.status, review.due_date) == (ReviewStatus.OPEN, dt.date(2027, 3, 2))
    assert texts(applicant)[-1].startswith("产教融合型企业年度考核已开放")
    set_today(monkeypatch, dt.date(2027, 1, 31))
    assert tasks.certification_tick() == {"opened": 0, "expired": 0, "reminded": 1}
    assert tasks.certification_tick() == {"opened": 0, "expired": 0, "reminded": 0}  # once a day is enough
    set_today(monkeypatch, dt.date(2027, 3, 3))
    assert tasks.certification_tick.apply().get() == {"opened": 0, "expired": 1, "reminded": 0}
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.EXPIRED


def test_the_task_with_nothing_to_do():
    assert tasks.certification_tick() == {"opened": 0, "expired": 0, "reminded": 0}
