"""Factories of the subsidy tests: rates, and apprenticeship agreements with confirmed apprentices."""

import datetime as dt
import itertools
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from xiaoqitong.cooperation.choices import AgreementKind
from xiaoqitong.cooperation.models import SubsidyRate

from ..orgs.factories import DepartmentFactory
from .factories import ActiveAgreementFactory, AgreementMemberFactory


class SubsidyRateFactory(DjangoModelFactory):
    class Meta:
        model = SubsidyRate

    year = factory.Sequence(lambda n: 2000 + n % 100)
    kind = AgreementKind.MODERN_APPRENTICESHIP
    amount = Decimal("6000.00")
    reviewing_department = factory.SubFactory(DepartmentFactory)
    source = "郴人社发〔2026〕1号"


_numbers = itertools.count(1)


def apprenticeship(members: int = 2, **kwargs):
    """An active modern apprenticeship (2025-09-01..2027-06-30 unless given) with ``members`` confirmed
    apprentices."""
    kwargs.setdefault("kind", AgreementKind.MODERN_APPRENTICESHIP)
    kwargs.setdefault("start_date", dt.date(2025, 9, 1))
    kwargs.setdefault("end_date", dt.date(2027, 6, 30))
    kwargs.setdefault("title", f"现代学徒制班{next(_numbers)}")
    agreement = ActiveAgreementFactory(**kwargs)
    for _ in range(members):
        AgreementMemberFactory(agreement=agreement)
    return agreement


#: The day the claim tests see as today: after every year their agreements run, so all months are over.
AFTER_THE_PERIOD = dt.date(2028, 1, 1)


class Clock:
    """Stands in for ``django.utils.timezone`` in the subsidy selectors: ``localdate()`` is a fixed day."""

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


def set_today(monkeypatch, today: dt.date) -> None:
    """Move the subsidy selectors' clock (which months are over) to ``today``."""
    from xiaoqitong.cooperation.selectors import subsidies

    monkeypatch.setattr(subsidies, "timezone", Clock(today))
