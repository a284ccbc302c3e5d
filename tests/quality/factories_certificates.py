"""Factories of the certificates tests: exam centres and sessions, certificate awards (a 1+X certificate of
the catalog by default), competitions and competition awards."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from xiaoqitong.quality.choices import CompetitionLevel, Prize
from xiaoqitong.quality.models import CertificateAward, Competition, CompetitionAward, ExamCentre, ExamSession
from xiaoqitong.reference.models import Certificate

from ..orgs.factories import SchoolFactory
from ..schools.factories import StudentFactory

ONE_X = "1X-001-J"  # Web前端开发（初级）, a 1+X certificate of the shipped catalog
ONE_X_OTHER = "1X-001-Z"
SKILL_LEVEL = "SL-001-J"  # 电工（初级）, a 职业技能等级证书 (not 1+X)


def certificate(code: str = ONE_X) -> Certificate:
    return Certificate.objects.get(code=code)


class ExamCentreFactory(DjangoModelFactory):
    class Meta:
        model = ExamCentre

    code = factory.Sequence(lambda n: f"KD-{n:04d}")
    name = factory.Sequence(lambda n: f"郴州职业技能证书考点{n}")
    school = factory.SubFactory(SchoolFactory)
    approved_by = "湖南省教育厅"
    capacity = 0


class ExamSessionFactory(DjangoModelFactory):
    class Meta:
        model = ExamSession

    centre = factory.SubFactory(ExamCentreFactory)
    certificate = factory.LazyFunction(certificate)
    date = factory.Sequence(lambda n: dt.date(2025, 1, 1) + dt.timedelta(days=n))
    candidates = 40
    passed = 30


class CertificateAwardFactory(DjangoModelFactory):
    class Meta:
        model = CertificateAward

    student = factory.SubFactory(StudentFactory)
    certificate = factory.LazyFunction(certificate)
    number = factory.Sequence(lambda n: f"ZS2025{n:06d}")
    awarded_on = dt.date(2025, 6, 1)
    issuer = "测试评价组织"


class CompetitionFactory(DjangoModelFactory):
    class Meta:
        model = Competition

    name = factory.Sequence(lambda n: f"郴州市职业院校技能大赛{n}")
    level = CompetitionLevel.CITY
    year = 2025
    organizer = "郴州市教育局"


class CompetitionAwardFactory(DjangoModelFactory):
    class Meta:
        model = CompetitionAward

    competition = factory.SubFactory(CompetitionFactory)
    student = factory.SubFactory(StudentFactory)
    school = factory.SelfAttribute("student.school")
    event = "数控车加工技术"
    prize = Prize.FIRST
