"""Bookings made at the same moment (PostgreSQL):

- two students booking the same slot: exactly one wins (the conditional UPDATE ``booked_by IS NULL``: the
  second waits on the first's row lock and then finds the slot taken), the other is refused “该时段已被预约”;
- one student booking two overlapping slots at two booths: exactly one wins (the student's registration row
  is locked first, so the second booking waits and then sees the first in its overlap check)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from xiaoqitong.core.models import AuditLog
from xiaoqitong.events.models import Slot
from xiaoqitong.events.services.slots import slot_book

from ..concurrency import committed_catalogs, parallel
from .factories import (
    EnterpriseRegistrationFactory,
    EventFactory,
    RegistrationFactory,
    SlotFactory,
    student_with_user,
)


@pytest.fixture
def _catalogs_types_and_rules(django_db_blocker):
    """Overrides the package's autouse fixture: this module runs outside a test transaction."""
    with committed_catalogs(django_db_blocker):
        yield


def registered_student(event):
    user, profile = student_with_user()
    return user, RegistrationFactory(event=event, student=profile)


@pytest.mark.postgres
def test_two_students_booking_one_slot_at_once_one_wins(_catalogs_types_and_rules, transactional_db):
    assert connection.vendor == "postgresql"
    event = EventFactory()
    booth = EnterpriseRegistrationFactory(event=event)
    students = [registered_student(event) for _n in range(2)]
    for n in range(4):
        slot = SlotFactory(booth=booth, starts_at=event.starts_at + dt.timedelta(minutes=20 * n))
        results = parallel(
            [lambda user=user, slot=slot: slot_book(actor=user, slot=slot) for user, _reg in students]
        )
        won = [r for r in results if isinstance(r, Slot)]
        lost = [r for r in results if isinstance(r, ValidationError)]
        assert len(won) == 1 and len(lost) == 1, results
        assert "该时段已被预约" in lost[0].messages[0]
        slot.refresh_from_db()
        assert slot.booked_by_id == won[0].booked_by_id
        assert slot.booked_by_id in {reg.pk for _user, reg in students}
        assert AuditLog.objects.filter(verb="slot_book", object_id=str(slot.pk)).count() == 1


@pytest.mark.postgres
def test_one_student_booking_two_overlapping_slots_at_once_one_wins(
    _catalogs_types_and_rules, transactional_db
):
    assert connection.vendor == "postgresql"
    event = EventFactory()
    booths = [EnterpriseRegistrationFactory(event=event) for _n in range(2)]
    user, registration = registered_student(event)
    for n in range(4):
        start = event.starts_at + dt.timedelta(minutes=30 * n)
        slots = [
            SlotFactory(booth=booths[0], starts_at=start),
            SlotFactory(
                booth=booths[1], starts_at=start + dt.timedelta(minutes=10)
            ),  # overlaps by 10 minutes
        ]
        results = parallel([lambda slot=slot: slot_book(actor=user, slot=slot) for slot in slots])
        won = [r for r in results if isinstance(r, Slot)]
        lost = [r for r in results if isinstance(r, ValidationError)]
        assert len(won) == 1 and len(lost) == 1, results
        assert "重叠" in lost[0].messages[0]
        booked = Slot.objects.filter(pk__in=[s.pk for s in slots], booked_by=registration)
        assert booked.count() == 1
