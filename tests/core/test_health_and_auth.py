import pytest
from django.test import Client
from rest_framework.test import APIClient

from ..orgs.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert "broker" in body


def test_token_endpoint_and_token_auth():
    UserFactory(username="api-user", is_superuser=True)
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "api-user", "password": "a-Long-pass-2026"}
    )
    assert response.status_code == 200
    token = response.data["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/orgs/schools/").status_code == 200


def test_wrong_password_is_refused():
    UserFactory(username="api-user2")
    response = APIClient().post("/api/v1/auth/token/", {"username": "api-user2", "password": "wrong"})
    assert response.status_code == 400


@pytest.mark.parametrize("demo_mode", [True, False])
def test_demo_accounts_only_in_demo_mode(settings, demo_mode):
    settings.DEMO_MODE = demo_mode
    user = UserFactory(username="demo-x", is_demo=True, is_superuser=True)
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    assert Client().login(username="demo-x", password=settings.DEMO_PASSWORD) is demo_mode
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "demo-x", "password": settings.DEMO_PASSWORD}
    )
    assert response.status_code == (200 if demo_mode else 400)


def test_demo_token_stops_working_when_demo_mode_ends(settings):
    from rest_framework.authtoken.models import Token

    settings.DEMO_MODE = True
    user = UserFactory(username="demo-y", is_demo=True, is_superuser=True)
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/orgs/schools/").status_code == 200
    settings.DEMO_MODE = False
    assert client.get("/api/v1/orgs/schools/").status_code == 401


def test_schema_and_docs_served_offline(client):
    UserFactory(username="docs", is_superuser=True)
    client.login(username="docs", password="a-Long-pass-2026")
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/orgs/schools/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    import re

    outside = re.findall(rb"(?:src|href)=[\"'](?:https?:)?//[^\"']+", docs.content)
    assert outside == []


def test_schema_needs_login():
    assert APIClient().get("/api/v1/schema/").status_code in (401, 403)


@pytest.mark.django_db
def test_api_errors_outside_views_are_json(client, rf):
    """A path no route matches, or a crash outside DRF, answers JSON under /api/ and a page elsewhere."""
    from django.http import Http404

    from xiaoqitong.core import pages

    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert "未找到" in response.json()["detail"]
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]
    crash = pages.server_error(rf.get("/api/v1/schools/students/"))
    assert crash.status_code == 500 and crash["Content-Type"] == "application/json"
    assert "服务器内部错误" in crash.content.decode()
    assert "text/html" in pages.server_error(rf.get("/schools/students/"))["Content-Type"]
    assert pages.page_not_found(rf.get("/orgs/x/"), Http404()).status_code == 404
