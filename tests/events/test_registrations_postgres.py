"""Registrations at the same moment (PostgreSQL: ``registration_create`` locks the event's row while it
counts the places, so the last place goes to one registrant only and never over ``capacity`` or ``booths``;
the same student twice at once makes one row)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from xiaoqitong.events.choices import ParticipantKind
from xiaoqitong.events.models import Registration
from xiaoqitong.events.services.registrations import registration_create
from xiaoqitong.orgs.choices import Role

from ..concurrency import committed_catalogs, parallel
from ..orgs.factories import user_with_role
from .factories import EventFactory, RegistrationFactory, student_with_user


@pytest.fixture
def _catalogs_types_and_rules(django_db_blocker):
    """Overrides the package's autouse fixture: this module runs outside a test transaction."""
    with committed_catalogs(django_db_blocker):
        yield


def _register(user, event):
    return lambda: registration_create(actor=user, event=event)


@pytest.mark.postgres
def test_the_last_student_place_goes_to_one(_catalogs_types_and_rules, transactional_db):
    assert connection.vendor == "postgresql"
    event = EventFactory(capacity=3)
    RegistrationFactory.create_batch(2, event=event)
    users = [student_with_user()[0] for _ in range(5)]
    results = parallel([_register(user, event) for user in users])
    won = [r for r in results if isinstance(r, Registration)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(refused) == 4, results
    assert all("学生名额已满：本活动限 3 人，已报名 3 人" in " ".join(r.messages) for r in refused)
    assert Registration.objects.filter(event=event, kind=ParticipantKind.STUDENT).count() == 3


@pytest.mark.postgres
def test_booths_never_overbooked(_catalogs_types_and_rules, transactional_db):
    event = EventFactory(booths=2)
    hrs = [user_with_role(Role.ENTERPRISE_HR) for _ in range(6)]
    results = parallel([_register(hr, event) for hr in hrs])
    assert sum(isinstance(r, Registration) for r in results) == 2, results
    assert Registration.objects.filter(event=event, kind=ParticipantKind.ENTERPRISE).count() == 2


@pytest.mark.postgres
def test_the_same_student_twice_at_once_makes_one_row(_catalogs_types_and_rules, transactional_db):
    event = EventFactory(capacity=None)
    user, _student = student_with_user()
    results = parallel([_register(user, event) for _ in range(3)])
    assert sum(isinstance(r, Registration) for r in results) == 1, results
    assert all("不能重复报名" in " ".join(r.messages) for r in results if isinstance(r, ValidationError))
    assert Registration.objects.filter(event=event).count() == 1
