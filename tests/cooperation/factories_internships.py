"""Factories and helpers of the internship tests: plans around today (the steps, logs and check-ins depend on
today's date), people of each role attached to the right organization, and a running placement with its
student account and both mentors."""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from xiaoqitong.cooperation.choices import LogStatus, PlacementStatus
from xiaoqitong.cooperation.models import InternshipLog, Placement
from xiaoqitong.cooperation.selectors import internships as selectors
from xiaoqitong.cooperation.services.internships import in_city
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import EnterpriseFactory, county, user_with_role
from ..schools.factories import StudentFactory, student_account
from .factories import InternshipPlanFactory, PlacementFactory


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def monday(day: dt.date | None = None) -> dt.date:
    return selectors.monday(day or today())


def out_of_city_enterprise(**kwargs):
    """An enterprise in 长沙市芙蓉区 (not in the city)."""
    return EnterpriseFactory(county=county("430102", "芙蓉区"), **kwargs)


def school_admin(school):
    return user_with_role(Role.SCHOOL_ADMIN, school=school)


def teacher(school):
    return user_with_role(Role.TEACHER, school=school)


def mentor(enterprise):
    return user_with_role(Role.ENTERPRISE_MENTOR, enterprise=enterprise)


def hr(enterprise):
    return user_with_role(Role.ENTERPRISE_HR, enterprise=enterprise)


class CurrentPlanFactory(InternshipPlanFactory):
    """A plan whose period runs from two months ago to four months on."""

    period_start = factory.LazyFunction(lambda: days(-60))
    period_end = factory.LazyFunction(lambda: days(120))


class CurrentPlacementFactory(PlacementFactory):
    plan = factory.SubFactory(CurrentPlanFactory)
    student = factory.SubFactory(StudentFactory, school_major=factory.SelfAttribute("..plan.school_major"))
    start_date = factory.LazyFunction(lambda: days(-30))
    end_date = factory.LazyFunction(lambda: days(60))
    in_city = factory.LazyAttribute(lambda o: in_city(o.enterprise))


def running_placement(**kwargs) -> Placement:
    """An ACTIVE placement in a city enterprise with a student account and both mentors."""
    placement = CurrentPlacementFactory(status=PlacementStatus.ACTIVE, **kwargs)
    student_account(placement.student)
    placement.school_mentor = teacher(placement.plan.school)
    placement.enterprise_mentor = mentor(placement.enterprise)
    placement.save(update_fields=["school_mentor", "enterprise_mentor"])
    return placement


class InternshipLogFactory(DjangoModelFactory):
    class Meta:
        model = InternshipLog

    placement = factory.SubFactory(CurrentPlacementFactory, status=PlacementStatus.ACTIVE)
    week_start = factory.LazyFunction(monday)
    content = "本周在车间学习数控车床的操作规程，完成了三个零件的加工。"
    hours = 40
    status = LogStatus.SUBMITTED
