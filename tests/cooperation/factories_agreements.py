"""Factories and helpers of the agreement tests: a running agreement with open confirmation, its two sides,
and students eligible for it (its school, major and cohort)."""

import datetime as dt

import factory
from django.utils import timezone

from xiaoqitong.cooperation.choices import AgreementStatus
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import user_with_role
from ..schools.factories import StudentFactory, student_account
from .factories import AgreementFactory


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


class OpenAgreementFactory(AgreementFactory):
    """A draft whose students may still confirm (deadline in a month, term of three years)."""

    # Lazy: relative to the day each agreement is built, not the day the module was imported.
    start_date = factory.LazyFunction(lambda: in_days(-30))
    end_date = factory.LazyFunction(lambda: in_days(3 * 365))
    confirm_deadline = factory.LazyFunction(lambda: in_days(30))


class RunningAgreementFactory(OpenAgreementFactory):
    status = AgreementStatus.ACTIVE


def sides(agreement):
    """The school's administrator and the enterprise's HR of an agreement."""
    return (
        user_with_role(Role.SCHOOL_ADMIN, school=agreement.school),
        user_with_role(Role.ENTERPRISE_HR, enterprise=agreement.enterprise),
    )


def eligible_student(agreement, *, account: bool = False, **kwargs):
    """A student of the agreement's school major and cohort (with a student account when asked)."""
    kwargs.setdefault("grade", agreement.cohort)
    student = StudentFactory(school_major=agreement.school_major, **kwargs)
    if account:
        student_account(student)
    return student
