"""Two bookings of the last places of a base made at the same moment: exactly one succeeds (PostgreSQL: the
base's row lock in ``booking_create`` makes the second wait for the first and see its booking)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from xiaoqitong.cooperation.models import BaseBooking
from xiaoqitong.cooperation.services import bases as services
from xiaoqitong.orgs.choices import Role

from ..concurrency import committed_catalogs, parallel
from ..orgs.factories import user_with_role
from .factories_bases import BookingFactory, SharedBaseFactory, at


@pytest.fixture
def _catalogs_and_rules(django_db_blocker):
    """Overrides the package's autouse fixture: this module runs outside a test transaction."""
    with committed_catalogs(django_db_blocker, seeds=("xiaoqitong.cooperation.migrations.0002_seed_rules",)):
        yield


@pytest.mark.postgres
def test_two_bookings_of_the_last_places_at_once_only_one_succeeds(_catalogs_and_rules, transactional_db):
    assert connection.vendor == "postgresql"
    base = SharedBaseFactory(capacity=10)
    BookingFactory(base=base, start=at(3, 8), end=at(3, 18), headcount=7)
    bookers = [user_with_role(Role.TEACHER), user_with_role(Role.ENTERPRISE_HR)]

    def booking(user):
        return lambda: services.booking_create(
            actor=user, base=base, start=at(3, 9), end=at(3, 12), headcount=3, purpose="实训"
        )

    for _round in range(3):
        results = parallel([booking(user) for user in bookers])
        made = [r for r in results if isinstance(r, BaseBooking)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(made) == 1 and len(refused) == 1, results
        assert "最多只剩 0 个名额" in refused[0].message_dict["headcount"][0]
        assert BaseBooking.objects.filter(base=base, status="confirmed").count() == 2
        # free the places again for the next round
        BaseBooking.objects.filter(pk=made[0].pk).update(status="cancelled")
