"""Factories of the bases tests: shared bases and bookings (times relative to now, so never in the past)."""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from xiaoqitong.cooperation.choices import BaseKind, BookingStatus
from xiaoqitong.cooperation.models import BaseBooking

from ..orgs.factories import SchoolFactory
from .factories import PracticeBaseFactory


def at(days: int = 2, hour: int = 9) -> dt.datetime:
    """A whole hour ``days`` from today (local time)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class SharedBaseFactory(PracticeBaseFactory):
    kind = BaseKind.COUNTY_SHARED
    shared = True
    capacity = 40


class BookingFactory(DjangoModelFactory):
    class Meta:
        model = BaseBooking

    base = factory.SubFactory(SharedBaseFactory)
    school = factory.SubFactory(SchoolFactory)
    start = factory.LazyFunction(lambda: at(2, 9))
    end = factory.LazyFunction(lambda: at(2, 12))
    headcount = 10
    purpose = "数控车工实训"
    status = BookingStatus.CONFIRMED
