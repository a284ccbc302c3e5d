"""Factories of the teachers' tests: training bases, 特岗 funding and technical-service income, and a helper
that staffs a school with teachers of given kinds (``schools.Teacher``)."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from xiaoqitong.quality.choices import TrainingBaseLevel
from xiaoqitong.quality.models import SpecialPostFunding, TeacherTrainingBase, TechServiceIncome
from xiaoqitong.schools.choices import Employment

from ..orgs.factories import SchoolFactory
from ..schools.factories import TeacherFactory

YEAR = 2025


class TeacherTrainingBaseFactory(DjangoModelFactory):
    class Meta:
        model = TeacherTrainingBase

    name = factory.Sequence(lambda n: f"“双师型”教师培训基地{n}")
    level = TrainingBaseLevel.PROVINCE
    host_school = factory.SubFactory(SchoolFactory)
    recognized_by = "湖南省教育厅"
    recognized_year = 2022


class SpecialPostFundingFactory(DjangoModelFactory):
    class Meta:
        model = SpecialPostFunding

    school = factory.SubFactory(SchoolFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    posts = 2
    amount = Decimal("140000.00")
    source = "市财政"


class TechServiceIncomeFactory(DjangoModelFactory):
    class Meta:
        model = TechServiceIncome

    school = factory.SubFactory(SchoolFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    income = Decimal("500000.00")
    surplus = Decimal("200000.00")
    paid_to_teachers = Decimal("120000.00")


def staff(school, *, full_time=0, dual=0, part_time=0, masters=()):
    """Give ``school`` teachers: ``full_time`` full-time ones of which ``dual`` are 双师型, ``part_time``
    part-time ones; ``masters`` sets the 教学名师 level of the first full-time teachers, in order."""
    teachers = []
    for n in range(full_time):
        extra = {"is_dual_qualified": True, "dual_qualified_date": "2023-09-01"} if n < dual else {}
        if n < len(masters):
            extra["master_level"] = masters[n]
        teachers.append(TeacherFactory(school=school, employment=Employment.FULL_TIME, **extra))
    for _n in range(part_time):
        teachers.append(TeacherFactory(school=school, employment=Employment.PART_TIME))
    return teachers
