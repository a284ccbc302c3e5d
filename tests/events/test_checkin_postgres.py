"""Two officers scanning the same pass at the same moment (PostgreSQL: the registration's row lock in
``registration_check_in`` makes the second wait for the first and find it checked in): one check-in, one
audit record, and the second answer is “already”, not an error."""

import pytest
from django.db import connection

from xiaoqitong.core.testing import audit_count
from xiaoqitong.events.models import Registration
from xiaoqitong.events.services.checkin import registration_check_in
from xiaoqitong.orgs.choices import Role

from ..concurrency import committed_catalogs, parallel
from ..orgs.factories import user_with_role
from .factories import RegistrationFactory, TodayEventFactory


@pytest.fixture
def _catalogs_types_and_rules(django_db_blocker):
    """Overrides the package's autouse fixture: this module runs outside a test transaction."""
    with committed_catalogs(django_db_blocker):
        yield


@pytest.mark.postgres
def test_two_scans_at_once_check_in_once(_catalogs_types_and_rules, transactional_db):
    assert connection.vendor == "postgresql"
    event = TodayEventFactory()
    officers = [user_with_role(Role.GOV_OFFICER, department=event.organizer) for _ in range(2)]
    for _round in range(3):
        registration = RegistrationFactory(event=event)

        def scan(officer, registration=registration):
            return lambda: registration_check_in(actor=officer, registration=registration)

        results = parallel([scan(officer) for officer in officers])
        assert all(isinstance(r, tuple) for r in results), results
        assert sorted(first for _reg, first in results) == [False, True]
        times = {reg.checked_in_at for reg, _first in results}
        assert len(times) == 1  # the second answer reports the first check-in
        registration.refresh_from_db()
        assert registration.checked_in_by in officers
        assert audit_count(Registration, registration.pk) == 1
