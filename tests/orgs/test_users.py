"""Accounts: the role decides the Django rights, and passwords pass the validators, whichever door the write
comes through (page, API, Django admin)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs import services
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import User
from xiaoqitong.orgs.validators import MinimumLengthValidator

from .factories import DepartmentFactory, SchoolFactory, UserFactory, county

pytestmark = pytest.mark.django_db

STRONG = "Chenzhou-campus-2026"


def has_chinese(text) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


@pytest.fixture
def root():
    return UserFactory(username="root", role=Role.PLATFORM_ADMIN, is_superuser=True, is_staff=True)


@pytest.fixture
def api(root):
    client = APIClient()
    client.force_authenticate(root)
    return client


@pytest.fixture
def page(root):
    client = Client()
    client.force_login(root)
    return client


def can_list_users(user) -> bool:
    client = APIClient()
    client.force_authenticate(user)
    return client.get("/api/v1/orgs/users/").status_code == 200


# --- the role decides superuser -------------------------------------------------------------------------


def test_platform_admin_created_through_the_api_can_list_users(api):
    response = api.post(
        "/api/v1/orgs/users/",
        {"username": "newadmin", "role": "platform_admin", "password": STRONG},
        format="json",
    )
    assert response.status_code == 201, response.data
    user = User.objects.get(username="newadmin")
    assert user.is_superuser and user.is_staff
    assert can_list_users(user)


def test_platform_admin_created_through_the_page_can_list_users(page):
    response = page.post(
        "/orgs/users/add/",
        {"username": "pageadmin", "role": "platform_admin", "password": STRONG, "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="pageadmin")
    assert user.is_superuser and user.is_staff
    assert can_list_users(user)


def test_leaving_platform_admin_removes_superuser(api):
    user = services.user_create(
        actor=None, data={"username": "former", "role": Role.PLATFORM_ADMIN, "password": STRONG}
    )
    assert user.is_superuser
    department = DepartmentFactory()
    response = api.patch(
        f"/api/v1/orgs/users/{user.pk}/",
        {"role": "gov_officer", "department": department.pk},
        format="json",
    )
    assert response.status_code == 200, response.data
    user.refresh_from_db()
    assert not user.is_superuser and not user.is_staff
    assert not can_list_users(user)
    entry = AuditLog.objects.filter(object_id=str(user.pk), action="update").latest("pk")
    assert entry.changes["is_superuser"] == [True, False]


def test_other_roles_never_become_superusers(api):
    county()
    school = SchoolFactory()
    response = api.post(
        "/api/v1/orgs/users/",
        {"username": "t1", "role": "teacher", "school": school.pk, "password": STRONG, "is_superuser": True},
        format="json",
    )
    assert response.status_code == 201, response.data
    user = User.objects.get(username="t1")
    assert not user.is_superuser and not user.is_staff


def test_a_superuser_must_be_a_platform_admin():
    county()
    user = User(username="odd", role=Role.TEACHER, school=SchoolFactory(), is_superuser=True)
    user.set_password(STRONG)
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "role" in exc.value.message_dict and has_chinese(exc.value.message_dict["role"])
    user.is_superuser = False
    user.full_clean()


def test_create_superuser_makes_a_platform_admin():
    user = User.objects.create_superuser("boss", "boss@example.invalid", STRONG)
    assert user.role == Role.PLATFORM_ADMIN
    user.full_clean()


# --- passwords ------------------------------------------------------------------------------------------


def test_api_refuses_a_weak_password(api):
    response = api.post(
        "/api/v1/orgs/users/", {"username": "weak", "role": "platform_admin", "password": "1"}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.data
    assert all(has_chinese(message) for message in response.data["password"]), response.data
    assert not User.objects.filter(username="weak").exists()

    user = services.user_create(
        actor=None, data={"username": "keeps", "role": Role.PLATFORM_ADMIN, "password": STRONG}
    )
    response = api.patch(f"/api/v1/orgs/users/{user.pk}/", {"password": "12345678"}, format="json")
    assert response.status_code == 400 and "password" in response.data
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_page_refuses_a_weak_password_in_chinese(page):
    response = page.post(
        "/orgs/users/add/", {"username": "weakpage", "role": "platform_admin", "password": "1"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["password"]
    assert errors and all(has_chinese(message) for message in errors), errors
    assert not User.objects.filter(username="weakpage").exists()


def test_service_refuses_a_password_like_the_username():
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=None,
            data={
                "username": "zhangsan-chenzhou",
                "role": Role.PLATFORM_ADMIN,
                "password": "zhangsan-chenzhou",
            },
        )
    assert "password" in exc.value.message_dict
    assert not User.objects.filter(username="zhang-chenzhou").exists()


def test_length_rule_speaks_chinese():
    """settings.AUTH_PASSWORD_VALIDATORS should name this validator: Django 5.2's own length message has no
    zh-hans translation."""
    with pytest.raises(ValidationError) as exc:
        MinimumLengthValidator(min_length=10).validate("short")
    assert exc.value.messages == ["密码太短，至少需要 10 个字符。"]
    assert has_chinese(MinimumLengthValidator(min_length=10).get_help_text())


def test_no_password_gives_an_unusable_one():
    user = services.user_create(actor=None, data={"username": "sso", "role": Role.PLATFORM_ADMIN})
    assert not user.has_usable_password()


# --- the Django admin goes through the same services ----------------------------------------------------


def test_admin_add_and_change_go_through_the_services(page):
    county()
    school = SchoolFactory()
    form = {
        "username": "admin-made",
        "usable_password": "true",
        "password1": "1",
        "password2": "1",
        "role": "platform_admin",
    }
    assert page.get("/admin/orgs/user/add/").status_code == 200
    response = page.post("/admin/orgs/user/add/", form)
    assert response.status_code == 200  # the form again, with the password errors
    assert not User.objects.filter(username="admin-made").exists()

    response = page.post("/admin/orgs/user/add/", form | {"password1": STRONG, "password2": STRONG})
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="admin-made")
    assert user.is_superuser and user.is_staff and user.check_password(STRONG)
    assert AuditLog.objects.filter(object_id=str(user.pk), action="create", verb="user_create").count() == 1
    assert page.get(f"/admin/orgs/user/{user.pk}/change/").status_code == 200

    response = page.post(
        f"/admin/orgs/user/{user.pk}/change/",
        {
            "username": "admin-made",
            "role": "teacher",
            "school": school.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.role == Role.TEACHER and user.school == school
    assert not user.is_superuser and not user.is_staff
    entry = AuditLog.objects.get(object_id=str(user.pk), action="update", verb="user_update")
    assert entry.changes["is_superuser"] == [True, False]
