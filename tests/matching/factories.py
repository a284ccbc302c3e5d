"""Postings and students the matching tests share: a 数控 posting and student, a hotel posting."""

from xiaoqitong.enterprises.models import Position, PositionCertificate, PositionSkill
from xiaoqitong.reference.models import Certificate, Industry, Major, Region, Skill
from xiaoqitong.schools.models import Student, StudentSkill

from ..enterprises.factories import PublishedPositionFactory
from ..orgs.factories import EnterpriseFactory
from ..schools.factories import StudentFactory, major


def away() -> Region:
    """A county outside the city."""
    return Region.objects.filter(level="county").exclude(code__startswith="4310").order_by("code").first()


def skill(name: str) -> Skill:
    return Skill.objects.get(name=name)


def cnc_posting(**kwargs) -> Position:
    """A published 数控 posting wanting 数控技术应用 and PLC编程, with a bonus skill and certificate."""
    position = PublishedPositionFactory(**kwargs)
    position.majors.add(major())
    PositionSkill.objects.create(position=position, skill=skill("PLC编程"), required=True)
    PositionSkill.objects.create(position=position, skill=skill("数控车削编程"), required=False)
    PositionCertificate.objects.create(
        position=position, certificate=Certificate.objects.order_by("code").first(), required=False
    )
    return position


def hotel_posting(**kwargs) -> Position:
    """A published posting of a hotel (文旅 chain) wanting 旅游服务与管理 and 酒店前厅服务."""
    position = PublishedPositionFactory(
        enterprise=EnterpriseFactory(industry=Industry.objects.get(code="H6110")),  # 旅游饭店
        title="酒店前台接待员",
        description="负责酒店前厅接待、入住登记和客房预订，普通话标准，能适应倒班。",
        **kwargs,
    )
    position.majors.add(Major.objects.get(code="740101"))  # 旅游服务与管理
    PositionSkill.objects.create(position=position, skill=skill("酒店前厅服务"), required=True)
    PositionSkill.objects.create(position=position, skill=skill("客房服务"), required=False)
    return position


def cnc_student(**kwargs) -> Student:
    """A 数控技术应用 (中职) student with the skill PLC编程, available now (graduated, no outcome)."""
    kwargs.setdefault("status", "graduated")
    student = StudentFactory(**kwargs)
    StudentSkill.objects.create(student=student, skill=skill("PLC编程"))
    return student
