"""CSRF: a form or a session-authenticated API call without the token is refused, in Chinese; with the token
it goes through; token-authenticated API calls need none (no cookie is involved)."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.orgs.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = {
    "old_password": "a-Long-pass-2026",
    "new_password1": "Another-long-2027",
    "new_password2": "Another-long-2027",
}


def test_a_form_without_the_token_is_refused_with_a_chinese_page():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/accounts/password/", NEW)
    assert response.status_code == 403
    page = response.content.decode()
    assert "安全校验（CSRF）没有通过" in page and "CSRF token" not in page
    user.refresh_from_db()
    assert user.check_password("a-Long-pass-2026")


def test_a_form_with_the_token_goes_through():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/accounts/password/")
    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/password/", {**NEW, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_the_login_form_needs_the_token_too():
    UserFactory(username="csrf-login")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "csrf-login", "password": "a-Long-pass-2026"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_session_api_call_without_the_token_is_refused_in_chinese():
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_superuser=True))
    assert client.get("/api/v1/orgs/schools/").status_code == 200  # reading needs no token
    response = client.post("/api/v1/orgs/schools/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF 校验失败" in response.json()["detail"]


def test_session_api_call_with_the_token_passes_the_check():
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_superuser=True))
    client.get("/accounts/password/")  # any page sets the cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/orgs/schools/", {}, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 400  # past the CSRF check: now the data is judged


def test_token_authenticated_api_needs_no_csrf_token():
    user = UserFactory(is_superuser=True)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert client.post("/api/v1/orgs/schools/", {}, format="json").status_code == 400


def test_csrf_failure_outside_drf_under_api_answers_json(rf):
    import json

    from xiaoqitong.core.security import csrf_failure

    response = csrf_failure(rf.post("/api/v1/anything/"))
    assert response.status_code == 403 and "CSRF 校验失败" in json.loads(response.content)["detail"]
