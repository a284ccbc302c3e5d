"""Factories of the social-training tests: programmes (a school's by default), sessions, roster rows (a valid
ID number's hash from ``schools.validators.make_id_card``) and roster files."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from xiaoqitong.quality.choices import TrainingKind
from xiaoqitong.quality.models import TrainingParticipant, TrainingProgramme, TrainingSession
from xiaoqitong.schools.validators import id_card_hash, make_id_card

from ..orgs.factories import SchoolFactory

YEAR = 2025


def id_card(serial: int) -> str:
    """A valid 18-digit ID number (region 431002, born 1990-01-01 plus ``serial`` days)."""
    return make_id_card("431002", dt.date(1990, 1, 1) + dt.timedelta(days=serial // 1000), serial)


class TrainingProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = TrainingProgramme

    code = factory.Sequence(lambda n: f"PX-T-{n:05d}")
    title = factory.Sequence(lambda n: f"电工职业技能培训{n}")
    kind = TrainingKind.SUBSIDISED
    year = YEAR
    provider_school = factory.SubFactory(SchoolFactory)


class TrainingSessionFactory(DjangoModelFactory):
    class Meta:
        model = TrainingSession

    programme = factory.SubFactory(TrainingProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    start_date = dt.date(YEAR, 5, 1)
    end_date = dt.date(YEAR, 5, 10)
    hours = 40
    reported_person_times = 0


class TrainingParticipantFactory(DjangoModelFactory):
    class Meta:
        model = TrainingParticipant

    session = factory.SubFactory(TrainingSessionFactory)
    name = factory.Sequence(lambda n: f"学员{n}")
    id_card_hash = factory.Sequence(lambda n: id_card_hash(id_card(n)))
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    completed = True


def roster_rows(session: TrainingSession, count: int, start: int = 0) -> list[dict]:
    """``count`` valid roster rows of ``session`` (Chinese headers, as the import reads them)."""
    return [
        {
            "项目编号": session.programme.code,
            "期次": str(session.number),
            "姓名": f"学员{start + n}",
            "身份证号": id_card(5000 + start + n),
            "手机号": f"1390000{start + n:04d}",
            "结业": "是" if n % 3 else "否",
        }
        for n in range(count)
    ]
