"""Student accounts: the school administrator opens a student's login or resets its password; the initial
password is shown once and never stored in the clear or audited."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import User
from xiaoqitong.schools import services, views

from ..orgs.factories import user_with_role
from .factories import StudentFactory, student_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def student():
    return StudentFactory(student_no="2024XQ07", name="黄子涵")


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def logs_in(username, password) -> bool:
    return Client().login(username=username, password=password)


def test_the_school_opens_an_account_through_the_api_and_the_student_logs_in(student):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    response = api_for(admin).post(f"/api/v1/schools/students/{student.pk}/account/", {}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["username"] == "2024XQ07" and response.data["created"] is True
    password = response.data["password"]
    assert len(password) == 12 and logs_in("2024XQ07", password)
    student.refresh_from_db()
    user = student.user
    assert user.role == Role.STUDENT and user.school == student.school and user.display_name == "黄子涵"
    # the new account sees its own record
    mine = api_for(user).get("/api/v1/schools/students/").data
    assert [r["id"] for r in mine["results"]] == [student.pk]
    # audited without the password
    entries = AuditLog.objects.filter(verb__in=["user_create", "student_account_open"])
    assert entries.count() == 2
    assert all(password not in str(e.changes) for e in AuditLog.objects.all())


def test_a_second_call_resets_the_password(student):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    user, first, created = services.student_account_open(actor=admin, student=student)
    assert created
    response = api_for(admin).post(f"/api/v1/schools/students/{student.pk}/account/", {}, format="json")
    assert response.status_code == 200 and response.data["created"] is False
    second = response.data["password"]
    assert second != first and not logs_in(user.username, first) and logs_in(user.username, second)
    assert AuditLog.objects.filter(verb="student_account_reset", object_id=str(student.pk)).count() == 1


def test_a_taken_username_falls_back_to_the_school_code_or_is_refused(student):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    User.objects.create_user(username="2024XQ07", password="x-unused-123")
    user, _password, _created = services.student_account_open(actor=admin, student=student)
    assert user.username == f"{student.school.code}-2024XQ07"
    other = StudentFactory(school_major=student.school_major)
    response = api_for(admin).post(
        f"/api/v1/schools/students/{other.pk}/account/", {"username": "2024xq07"}, format="json"
    )
    assert response.status_code == 400
    assert "已被占用" in response.data["username"][0]
    other.refresh_from_db()
    assert other.user_id is None


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.ENTERPRISE_HR, Role.GOV_OFFICER])
def test_only_the_schools_administrator_may(student, role):
    student.consent = "full"
    student.save()
    if role == Role.STUDENT:
        user = student_account(student)
    elif role == Role.TEACHER:
        user = user_with_role(role, school=student.school)
    else:
        user = user_with_role(role)
    response = api_for(user).post(f"/api/v1/schools/students/{student.pk}/account/", {}, format="json")
    assert response.status_code in (403, 404)
    with pytest.raises(Exception, match="只有本校管理员"):
        services.student_account_open(actor=user, student=student)


def test_another_schools_administrator_may_not(student):
    other_admin = user_with_role(Role.SCHOOL_ADMIN)
    response = api_for(other_admin).post(f"/api/v1/schools/students/{student.pk}/account/", {}, format="json")
    assert response.status_code == 404
    assert not User.objects.filter(role=Role.STUDENT).exists()


def test_a_non_student_account_is_not_reset(student):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    teacher = user_with_role(Role.TEACHER, school=student.school)
    type(student).objects.filter(pk=student.pk).update(user=teacher)
    response = api_for(admin).post(f"/api/v1/schools/students/{student.pk}/account/", {}, format="json")
    assert response.status_code == 400 and "不是学生账号" in response.data["user"][0]


def test_the_page_shows_the_password_once(student):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    page = Client()
    page.force_login(admin)
    detail = page.get(views.StudentViews.url_for("detail", student)).content.decode()
    assert "开通学生账号" in detail and "重置学生密码" not in detail
    response = page.post(f"/schools/students/{student.pk}/account/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "已开通学生账号" in html and "2024XQ07" in html and "只显示这一次" in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    student.refresh_from_db()
    assert "重置学生密码" in page.get(views.StudentViews.url_for("detail", student)).content.decode()
    assert page.get(f"/schools/students/{student.pk}/account/").status_code == 405  # POST only
    teacher = user_with_role(Role.TEACHER, school=student.school)
    page.force_login(teacher)
    assert "开通学生账号" not in page.get(views.StudentViews.url_for("detail", student)).content.decode()
    assert page.post(f"/schools/students/{student.pk}/account/").status_code == 403
