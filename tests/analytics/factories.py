"""Builders shared by the analytics tests: a small city with a surplus and a small-cell major, and one user
per role."""

from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Major, MajorClass

from ..enterprises.factories import GraduateOutcomeFactory, PublishedPositionFactory
from ..orgs.factories import SchoolFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory


def small_city(year: int, **school) -> dict:
    """A 中职 school running 数控技术应用 (40 graduates against 5 places: 过剩) and 纳税事务 (3 expected
    graduates with 3 recorded outcomes: cells under 5). Returns the school, both school majors."""
    school = SchoolFactory(school_type="secondary", **school)
    cnc = SchoolMajorFactory(
        school=school,
        major=Major.objects.get(code="660103"),
        year=year,
        students_enrolled=120,
        new_enrolment=40,
        expected_graduates=40,
    )
    tax = SchoolMajorFactory(
        school=school,
        major=Major.objects.get(code="730101"),
        year=year,
        students_enrolled=9,
        new_enrolment=3,
        expected_graduates=3,
    )
    for outcome in ("employed", "employed", "unemployed"):
        GraduateOutcomeFactory(
            student=StudentFactory(school_major=tax, status="graduated"), year=year, outcome=outcome
        )
    PublishedPositionFactory(headcount=5).majors.add(cnc.major)
    return {"school": school, "cnc": cnc, "tax": tax}


def city_with_shortage(year: int, **school) -> dict:
    """The small city, and 计算机类 short: 30 places against another school's 10 graduates; ``other`` is a
    third school with nothing."""
    made = small_city(year, **school)
    SchoolMajorFactory(
        school=SchoolFactory(school_type="secondary"),
        major=Major.objects.get(code="710201"),
        year=year,
        students_enrolled=30,
        expected_graduates=10,
    )
    PublishedPositionFactory(headcount=30).major_classes.add(MajorClass.objects.get(code="7102"))
    return {**made, "other": SchoolFactory()}


def users_by_role(school, **extra) -> dict:
    """One user per role; the school's roles at ``school``; ``extra`` adds or replaces entries."""
    return {
        "gov": user_with_role(Role.GOV_OFFICER),
        "admin": user_with_role(Role.PLATFORM_ADMIN),
        "researcher": user_with_role(Role.RESEARCHER),
        "school_admin": user_with_role(Role.SCHOOL_ADMIN, school=school),
        "teacher": user_with_role(Role.TEACHER, school=school),
        "hr": user_with_role(Role.ENTERPRISE_HR),
        "mentor": user_with_role(Role.ENTERPRISE_MENTOR),
        "student": user_with_role(Role.STUDENT, school=school),
        **extra,
    }


def users_with_other_school(city: dict) -> dict:
    """One user per role of ``city_with_shortage`` (no mentor), and an administrator of its other school."""
    users = users_by_role(
        city["school"], other_school=user_with_role(Role.SCHOOL_ADMIN, school=city["other"])
    )
    del users["mentor"]
    return users
