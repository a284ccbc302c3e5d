"""Student search (``?q=``): the indexed profile (major, skills with their synonyms, chains) ranked, and a
name or 学号 only for those who may see it."""

import pytest
from rest_framework.test import APIClient

from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Skill
from xiaoqitong.schools import services

from ..orgs.factories import user_with_role
from .factories import SchoolMajorFactory, major

pytestmark = pytest.mark.django_db


def make(admin, school_major, name, no, skills=(), consent="full"):
    data = {
        "school": school_major.school,
        "school_major": school_major,
        "student_no": no,
        "name": name,
        "grade": school_major.year,
        "consent": consent,
        "skill_levels": [(Skill.objects.get(name=s), "proficient") for s in skills],
    }
    return services.student_create(actor=admin, data=data)


def found(user, q):
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/schools/students/", {"q": q})
    assert response.status_code == 200, response.data
    return [r["id"] for r in response.data["results"]]


@pytest.fixture
def setup():
    sm = SchoolMajorFactory(major=major("660103"))  # 数控技术应用
    admin = user_with_role(Role.SCHOOL_ADMIN, school=sm.school)
    plc = make(admin, sm, "欧阳明轩", "2024XQ01", ["PLC编程"])
    robot = make(admin, sm, "司马静怡", "2024XQ02", ["工业机器人编程", "PLC编程"], consent="deidentified")
    hidden = make(admin, sm, "诸葛亮亮", "2024XQ03", ["PLC编程"], consent="none")
    return admin, plc, robot, hidden


def test_a_skill_is_found_by_its_synonym(setup):
    admin, plc, robot, hidden = setup
    assert set(found(admin, "可编程控制器")) == {plc.pk, robot.pk, hidden.pk}
    assert found(admin, "工业机器人编程") == [robot.pk]
    assert set(found(admin, "数控技术应用")) == {plc.pk, robot.pk, hidden.pk}  # the major
    assert found(admin, "焊接") == []


def test_the_school_finds_by_name_and_student_number(setup):
    admin, plc, robot, hidden = setup
    assert found(admin, "司马") == [robot.pk]
    assert found(admin, "2024XQ03") == [hidden.pk]
    assert set(found(admin, "2024XQ")) == {plc.pk, robot.pk, hidden.pk}


def test_enterprises_search_profiles_as_far_as_consent_allows(setup):
    _admin, plc, robot, _hidden = setup
    hr = user_with_role(Role.ENTERPRISE_HR)
    # the profile is found (de-identified too), a student who gave no consent is not
    assert set(found(hr, "PLC编程")) == {plc.pk, robot.pk}
    # names and numbers only of those who consented in full
    assert found(hr, "欧阳") == [plc.pk]
    assert found(hr, "司马") == []
    assert found(hr, "2024XQ02") == []


def test_changing_skills_reindexes_the_student(setup):
    admin, plc, _robot, _hidden = setup
    robot_skill = Skill.objects.get(name="工业机器人编程")
    services.student_update(actor=admin, instance=plc, data={"skill_levels": [(robot_skill, "basic")]})
    assert plc.pk in found(admin, "ABB机器人编程")
    assert plc.pk not in found(admin, "PLC编程")
