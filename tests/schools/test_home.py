"""The school counters on each role's home page, counted within the role's scope."""

import pytest
from django.test import Client

from xiaoqitong.orgs.choices import Role

from ..orgs.factories import user_with_role
from .factories import SchoolMajorFactory, StudentFactory, TeacherFactory, student_account

pytestmark = pytest.mark.django_db

OURS = {
    "本校在校生",
    "本校教师",
    "“双师型”教师比例",
    "我的档案：已登记技能",
    "全市开设专业数（最新年度）",
    "全市在校生数（最新年度）",
}
EXPECTED = {
    Role.PLATFORM_ADMIN: {"全市开设专业数（最新年度）": 2, "全市在校生数（最新年度）": 230},
    Role.GOV_OFFICER: {"全市开设专业数（最新年度）": 2, "全市在校生数（最新年度）": 230},
    Role.RESEARCHER: {"全市开设专业数（最新年度）": 2, "全市在校生数（最新年度）": 230},
    Role.SCHOOL_ADMIN: {"本校在校生": 2, "本校教师": 3, "“双师型”教师比例": "50.0%"},
    Role.TEACHER: {"本校在校生": 2, "本校教师": 3},
    Role.STUDENT: {"我的档案：已登记技能": 0},
    Role.ENTERPRISE_HR: {},
    Role.ENTERPRISE_MENTOR: {},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_school_counters(role):
    user = user_with_role(role)
    # Two majors of the latest year (100 + 130 students) and an older one that does not count.
    SchoolMajorFactory(year=2025, students_enrolled=100, new_enrolment=30, expected_graduates=30)
    SchoolMajorFactory(year=2025, students_enrolled=130)
    SchoolMajorFactory(year=2023, students_enrolled=999)
    if user.school_id:
        StudentFactory(school_major__school=user.school, status="studying")
        StudentFactory(school_major__school=user.school, status="interning")
        StudentFactory(school_major__school=user.school, status="graduated")
        TeacherFactory(school=user.school, is_dual_qualified=True, dual_qualified_date="2022-01-01")
        TeacherFactory(school=user.school)
        TeacherFactory(school=user.school, employment="part_time")
        StudentFactory(status="studying")  # another school's
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    values = {str(c["label"]): c["value"] for c in response.context["counters"] if str(c["label"]) in OURS}
    assert values == EXPECTED[role]
    if role == Role.STUDENT:
        html = response.content.decode()
        assert "我的档案" in html


def test_my_profile_link():
    student = StudentFactory()
    user = student_account(student)
    client = Client()
    client.force_login(user)
    response = client.get("/schools/students/me/")
    assert response.status_code == 302 and response["Location"] == student.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200
    unlinked = user_with_role(Role.STUDENT)
    client.force_login(unlinked)
    response = client.get("/schools/students/me/", follow=True)
    assert "还没有关联学生档案" in response.content.decode()
