"""End to end with the test client (issue 7, “Done when”): a school administrator sets up a dual-mentor plan
on its page; the teacher finds it under “待评分”, grades theory on the plan's grid and is refused practice;
the technician grades practice and is refused theory; the student sees both parts and the combined grade
under “我的成绩”."""

import pytest
from django.test import Client
from django.urls import reverse

from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.models import AssessmentPlan, Grade

from ..orgs.factories import EnterpriseFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory, student_account

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_teacher_grades_theory_mentor_grades_practice_and_the_student_sees_the_combined_grade():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    major = SchoolMajorFactory(school=admin.school, year=2024)
    enterprise = EnterpriseFactory()
    teacher = user_with_role(Role.TEACHER, school=admin.school, username="demo-teacher")
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=enterprise, username="demo-mentor")
    student = StudentFactory(school_major=major, name="李明")
    classmate = StudentFactory(school_major=major)
    student_user = student_account(student)

    response = client_for(admin).post(
        reverse("quality:assessmentplan_add"),
        {
            "school_major": major.pk,
            "cohort": 2024,
            "course": "数控车削编程与加工",
            "term": "2025-2026 学年第二学期",
            "enterprise": enterprise.credit_code,
            "theory_weight": 40,
            "practice_weight": 60,
            "pass_score": 60,
            "teacher_usernames": "demo-teacher",
            "mentor_usernames": "demo-mentor",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = AssessmentPlan.objects.get()
    assert plan.school == admin.school
    grade_url = reverse("quality:assessmentplan_grade", args=[plan.pk])

    # The teacher: “待评分” lists the plan; the grid offers theory only; practice is refused (R5).
    page = client_for(teacher)
    body = page.get(reverse("quality:assessment_to_grade")).content.decode()
    assert plan.course in body
    body = page.get(plan.get_absolute_url()).content.decode()
    assert 'data-grade-form="theory"' in body and 'data-grade-form="practice"' not in body
    response = page.post(
        grade_url,
        {"student": student.pk, "part": "theory", "score": "80", "comment": "概念清楚"},
        follow=True,
    )
    assert "已保存李明的成绩" in response.content.decode()
    response = page.post(grade_url, {"student": student.pk, "part": "practice", "score": "99"}, follow=True)
    body = response.content.decode()
    assert "理论教学由专业教师考核、实践操作由职业技师考核（R5）" in body
    assert list(Grade.objects.values_list("part", "score")) == [("theory", 80)]

    # The technician: practice is theirs, theory is refused; the combined grade appears.
    page = client_for(mentor)
    body = page.get(plan.get_absolute_url()).content.decode()
    assert 'data-grade-form="practice"' in body and 'data-grade-form="theory"' not in body
    response = page.post(grade_url, {"student": student.pk, "part": "theory", "score": "10"}, follow=True)
    assert "R5" in response.content.decode()
    response = page.post(
        grade_url,
        {"student": student.pk, "part": "practice", "score": "90", "comment": "操作规范"},
        HTTP_HX_REQUEST="true",
    )
    row = response.content.decode()
    assert "86.0" in row and "及格" in row  # 80 × 40% + 90 × 60%
    assert Grade.objects.get(part="theory").score == 80

    # The student: both parts, the combined grade and who gave which score; not the classmate's.
    page = client_for(student_user)
    home = page.get(reverse("home")).content.decode()
    assert reverse("quality:assessment_my_grades") in home
    body = page.get(reverse("quality:assessment_my_grades")).content.decode()
    assert plan.course in body and "86.0" in body and "及格" in body
    assert "demo-teacher" in body and "demo-mentor" in body and "操作规范" in body
    body = page.get(plan.get_absolute_url()).content.decode()
    assert student.student_no in body and classmate.student_no not in body
