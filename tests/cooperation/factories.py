"""Factories shared by the cooperation tests (each area may add its own in ``factories_<area>.py``)."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from xiaoqitong.cooperation.choices import AgreementKind, AgreementStatus, BaseKind, MemberStatus
from xiaoqitong.cooperation.models import (
    Agreement,
    AgreementMember,
    InternshipPlan,
    Placement,
    PracticeBase,
)

from ..orgs.factories import EnterpriseFactory, county
from ..schools.factories import SchoolMajorFactory, StudentFactory


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement

    kind = AgreementKind.ORDER_CLASS
    title = factory.Sequence(lambda n: f"订单班{n}")
    school_major = factory.SubFactory(SchoolMajorFactory)
    school = factory.SelfAttribute("school_major.school")
    enterprise = factory.SubFactory(EnterpriseFactory)
    cohort = 2024
    planned_headcount = 30
    start_date = dt.date(2024, 9, 1)
    end_date = dt.date(2027, 6, 30)
    confirm_deadline = dt.date(2024, 10, 31)
    status = AgreementStatus.DRAFT


class ActiveAgreementFactory(AgreementFactory):
    status = AgreementStatus.ACTIVE


class AgreementMemberFactory(DjangoModelFactory):
    class Meta:
        model = AgreementMember

    agreement = factory.SubFactory(ActiveAgreementFactory)
    student = factory.SubFactory(
        StudentFactory,
        school_major=factory.SelfAttribute("..agreement.school_major"),
    )
    status = MemberStatus.CONFIRMED


class PracticeBaseFactory(DjangoModelFactory):
    class Meta:
        model = PracticeBase

    code = factory.Sequence(lambda n: f"JD{n:05d}")
    name = factory.Sequence(lambda n: f"实训基地{n}")
    kind = BaseKind.INTEGRATION
    owner_school = factory.SubFactory("tests.orgs.factories.SchoolFactory")
    county = factory.LazyFunction(county)
    capacity = 40


class InternshipPlanFactory(DjangoModelFactory):
    class Meta:
        model = InternshipPlan

    school_major = factory.SubFactory(SchoolMajorFactory)
    school = factory.SelfAttribute("school_major.school")
    cohort = 2024
    title = factory.Sequence(lambda n: f"2026 年顶岗实习{n}")
    period_start = dt.date(2026, 3, 1)
    period_end = dt.date(2026, 6, 30)
    planned_interns = 10
    planned_local = 8


class PlacementFactory(DjangoModelFactory):
    class Meta:
        model = Placement

    plan = factory.SubFactory(InternshipPlanFactory)
    student = factory.SubFactory(StudentFactory, school_major=factory.SelfAttribute("..plan.school_major"))
    enterprise = factory.SubFactory(EnterpriseFactory)
    start_date = factory.SelfAttribute("plan.period_start")
    end_date = factory.SelfAttribute("plan.period_end")
