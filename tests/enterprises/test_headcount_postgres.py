"""Hires never exceed the headcount under concurrent offers: parallel API requests, each in its own thread
with its own database connection, against one position (PostgreSQL: real row locks)."""

import importlib

import pytest
from django.db import connection
from rest_framework.test import APIClient

from xiaoqitong.enterprises import services
from xiaoqitong.enterprises.models import Application
from xiaoqitong.orgs.choices import Role

from ..concurrency import SEEDS, parallel
from ..orgs.factories import user_with_role
from ..schools.factories import StudentFactory, student_account
from .factories import PublishedPositionFactory


@pytest.fixture
def _catalogs(reference_data):
    """Overrides the package's autouse fixture: this module runs outside a test transaction."""


@pytest.fixture
def restore_catalogs(django_db_blocker):
    """A transactional test ends with a flush of every table, the session's catalogs with them: load them
    again afterwards (set up before ``transactional_db``, so torn down after its flush). They are loaded
    first too where an earlier transactional test (tests/core/test_database.py) left them missing."""
    from django.apps import apps

    from xiaoqitong.reference.loader import load_all
    from xiaoqitong.reference.models import Major

    with django_db_blocker.unblock():
        if not Major.objects.exists():
            load_all()
    yield
    with django_db_blocker.unblock():
        load_all()
        for module in SEEDS:  # the rows the migrations seed went with the flush too
            importlib.import_module(module).seed(apps, None)


def offer(hr, pk, status="offered"):
    def call():
        client = APIClient()
        client.force_authenticate(hr)
        response = client.post(f"/api/v1/enterprises/applications/{pk}/advance/", {"to_status": status})
        return response.status_code, response.data

    return call


@pytest.mark.postgres
def test_concurrent_offers_never_exceed_the_headcount(restore_catalogs, transactional_db):
    assert connection.vendor == "postgresql"
    hr = user_with_role(Role.ENTERPRISE_HR)
    position = PublishedPositionFactory(enterprise=hr.enterprise, headcount=3)
    applications, students = [], []
    for _ in range(12):
        student = StudentFactory()
        user = student_account(student)
        applications.append(services.application_create(actor=user, position=position))
        students.append(user)

    results = parallel([offer(hr, a.pk) for a in applications])
    codes = sorted(code for code, _data in results)
    assert codes == [200] * 3 + [400] * 9, results
    refusals = [data for code, data in results if code == 400]
    assert all("名额已满" in str(data["to_status"][0]) for data in refusals)
    offered = Application.objects.filter(position=position, status="offered")
    assert offered.count() == 3

    # One offer is declined while the others are offered at the same moment: exactly one place is free.
    declined = offered.first()
    declining_user = students[[a.pk for a in applications].index(declined.pk)]
    waiting = [a for a in applications if not Application.objects.filter(pk=a.pk, status="offered").exists()]

    def withdraw():
        client = APIClient()
        client.force_authenticate(declining_user)
        return client.post(
            f"/api/v1/enterprises/applications/{declined.pk}/advance/", {"to_status": "withdrawn"}
        ).status_code

    results = parallel([withdraw, *(offer(hr, a.pk) for a in waiting)])
    assert results[0] == 200
    assert Application.objects.filter(position=position, status__in=["offered", "onboarded"]).count() <= 3
    accepted = sum(1 for code, _data in results[1:] if code == 200)
    assert accepted <= 1
    # Whatever the order, the freed place can be taken now and no more than that.
    remaining = [a for a in waiting if Application.objects.get(pk=a.pk).status != "offered"]
    results = parallel([offer(hr, a.pk) for a in remaining])
    assert sum(1 for code, _data in results if code == 200) == 1 - accepted
    assert Application.objects.filter(position=position, status__in=["offered", "onboarded"]).count() == 3
