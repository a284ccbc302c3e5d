"""Factories and fixtures of the assessment and funding tests: the two lead departments (市教育局 of annex
task 7, 市财政局 of task 15, by their department codes, the fallback while the responsibility list holds no
party), their officers, schools with records behind every measure, and published assessments."""

import datetime as dt
from decimal import Decimal

import factory
import pytest
from factory.django import DjangoModelFactory

from tests.cooperation.factories import AgreementMemberFactory, PlacementFactory, PracticeBaseFactory
from tests.enterprises.factories import GraduateOutcomeFactory
from tests.orgs.factories import DepartmentFactory, SchoolFactory, user_with_role
from tests.schools.factories import SchoolMajorFactory, StudentFactory, TeacherFactory, TeacherPracticeFactory
from xiaoqitong.governance.models import Indicator
from xiaoqitong.orgs.choices import Role

YEAR = 2025


def department(code: str, name: str, short: str):
    from xiaoqitong.orgs.models import Department

    return Department.objects.filter(code=code).first() or DepartmentFactory(
        code=code, name=name, short_name=short, kind="government"
    )


def education():
    return department("CZ-JYJ", "郴州市教育局", "市教育局")


def finance():
    return department("CZ-CZJ", "郴州市财政局", "市财政局")


def officer(dept=None):
    return user_with_role(Role.GOV_OFFICER, department=dept or DepartmentFactory())


def assessor():
    """An officer of the lead department of annex task 7."""
    return officer(education())


def treasurer():
    """An officer of the lead department of annex task 15."""
    return officer(finance())


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"T-{n:03d}")
    name = factory.Sequence(lambda n: f"测试指标{n}")
    group = "校企合作"
    measure = "local_interns"
    weight = Decimal("10")
    floor = Decimal("0")
    full = Decimal("1")
    sort_order = factory.Sequence(lambda n: n)


def only_indicators(*specs: dict) -> list[Indicator]:
    """Deactivate the seeded indicators and make these ones (each a dict of fields)."""
    Indicator.objects.update(is_active=False)
    return [IndicatorFactory(**spec) for spec in specs]


def school_with_records(*, interns=10, local=6, employed=10, employed_local=5, students=100, bases=1):
    """A school with enough records for the measures: interns in the year (``local`` of them in the city),
    graduate outcomes of the year, a major of the year with ``students`` enrolled, ``bases`` integration
    bases, two teachers (one from an enterprise) and a practice record."""
    school = SchoolFactory()
    sm = SchoolMajorFactory(school=school, year=YEAR, students_enrolled=students, expected_graduates=10)
    for i in range(interns):
        placement = PlacementFactory(
            plan__school_major=sm,
            plan__period_start=dt.date(YEAR, 3, 1),
            plan__period_end=dt.date(YEAR, 6, 30),
        )
        type(placement).objects.filter(pk=placement.pk).update(in_city=i < local)
    for i in range(employed):
        GraduateOutcomeFactory(
            student=StudentFactory(school_major=sm, status="graduated"),
            year=YEAR,
            in_city=i < employed_local,
        )
    for _ in range(bases):
        PracticeBaseFactory(owner_school=school)
    TeacherFactory(school=school)
    return school, sm


@pytest.fixture(autouse=True)
def _seeded_funding_rules(reference_data, db):
    """The proposed coefficients of migration 0004, made for the catalog's categories (the catalogs of the
    test database are loaded after its migrations ran). Autouse where imported."""
    import importlib

    from django.apps import apps

    from xiaoqitong.governance.models import FundingRule

    if not FundingRule.objects.exists():
        importlib.import_module("xiaoqitong.governance.migrations.0004_assessment").seed(apps, None)


def publish(year: int = YEAR):
    from xiaoqitong.governance.services.assessment import assessment_compute, assessment_publish

    actor = assessor()
    assessment = assessment_compute(actor=actor, year=year)
    return assessment_publish(actor=actor, assessment=assessment)


__all__ = [
    "AgreementMemberFactory",
    "IndicatorFactory",
    "TeacherPracticeFactory",
    "_seeded_funding_rules",
    "assessor",
    "only_indicators",
    "publish",
    "school_with_records",
    "treasurer",
]
