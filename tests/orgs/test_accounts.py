"""A person's own account: password change and API token are services too (audited), and token requests
are throttled against password guessing."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.views import TokenThrottle

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_password_change_is_audited_and_keeps_the_session(client):
    user = UserFactory(username="changer", is_superuser=True)
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "a-Long-pass-2026",
            "new_password1": "Another-long-2027",
            "new_password2": "Another-long-2027",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    user.refresh_from_db()
    assert user.check_password("Another-long-2027")
    entry = AuditLog.objects.get(verb="user_password_change")
    assert entry.actor == user and "Another" not in str(entry.changes)
    assert client.get("/").status_code == 200  # still logged in


def test_password_change_refuses_a_wrong_old_password(client):
    user = UserFactory(username="changer2")
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "Another-long-2027", "new_password2": "Another-long-2027"},
    )
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode() or "原密码" in response.content.decode()
    assert not AuditLog.objects.filter(verb="user_password_change").exists()


def test_token_issue_is_audited():
    UserFactory(username="tok")
    response = APIClient().post("/api/v1/auth/token/", {"username": "tok", "password": "a-Long-pass-2026"})
    assert response.status_code == 200 and len(response.data["token"]) == 40
    assert AuditLog.objects.filter(verb="token_issue", action="create").count() == 1


def test_token_requests_are_throttled(monkeypatch):
    monkeypatch.setattr(TokenThrottle, "rate", "3/min", raising=False)
    cache.clear()
    api = APIClient()
    codes = [
        api.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    cache.clear()
