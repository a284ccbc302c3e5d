"""Helpers of the responsibility-list tests: the city's departments (``load_departments``' file) and the
annex's tasks with their parties, officers of a department by its code, school staff, milestones written
through the services, a clock that moves, and upload helpers."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.orgs.factories import SchoolFactory, user_with_role
from xiaoqitong.orgs.choices import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
TODAY = dt.date(2026, 3, 2)


def pdf(name: str = "进展材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def exe_as_pdf(name: str = "进展材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXE, content_type="application/pdf")


def seed() -> None:
    """The departments and the annex (migration 0003's seed again: idempotent, also after a flush)."""
    from xiaoqitong.orgs.services import departments_load

    departments_load()
    importlib.import_module("xiaoqitong.governance.migrations.0003_tasks").seed(apps, None)


@pytest.fixture
def annex(reference_data, db):
    """The departments and the 15 tasks with their parties."""
    seed()
    from xiaoqitong.governance.models import Task

    return {t.number: t for t in Task.objects.all()}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def department(code: str):
    from xiaoqitong.orgs.models import Department

    return Department.objects.get(code=code)


def officer(code: str, **kwargs):
    return user_with_role(Role.GOV_OFFICER, department=department(code), **kwargs)


def school_admin(school=None):
    return user_with_role(Role.SCHOOL_ADMIN, school=school or SchoolFactory())


def milestone(task, lead, days: int = 30, **data):
    """A milestone of ``task`` added by ``lead`` (a lead party's officer), due ``days`` after today."""
    from xiaoqitong.governance.selectors.tasks import today
    from xiaoqitong.governance.services import tasks as services

    values = {
        "task": task,
        "title": f"节点{task.number}-{days}",
        "due_date": today() + dt.timedelta(days=days),
    } | data
    return services.milestone_create(actor=lead, data=values)


class Clock:
    """Stands in for ``django.utils.timezone`` in the selectors: ``localdate()`` is a day the test moves."""

    def __init__(self, today: dt.date):
        from django.utils import timezone

        self.today = today
        self._timezone = timezone

    def localdate(self, value=None, timezone=None):
        if value is None:
            return self.today
        return self._timezone.localdate(value, timezone)

    def __getattr__(self, name):
        return getattr(self._timezone, name)


def set_today(monkeypatch, today: dt.date = TODAY) -> Clock:
    from xiaoqitong.governance.policies import tasks as policies
    from xiaoqitong.governance.selectors import tasks as selectors

    clock = Clock(today)
    monkeypatch.setattr(selectors, "timezone", clock)
    monkeypatch.setattr(policies, "timezone", clock)
    return clock


def texts(user) -> list[str]:
    from xiaoqitong.core.models import Notification

    return list(Notification.objects.filter(user=user).order_by("id").values_list("text", flat=True))
