"""Session expiry: at most XQT_SESSION_HOURS after login, and after XQT_IDLE_MINUTES without a request
(core.security.IdleTimeoutMiddleware), which writes the session at most once a minute."""

import pytest
from django.conf import settings

from tests.orgs.factories import UserFactory
from xiaoqitong.core import security

pytestmark = pytest.mark.django_db

PAGE = "/accounts/password/"


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1_800_000_000}
    monkeypatch.setattr(security.time, "time", lambda: now["t"])
    return now


def test_the_session_cookie_lasts_eight_hours(client):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    UserFactory(username="cookie")
    client.post("/accounts/login/", {"username": "cookie", "password": "a-Long-pass-2026"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 8 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert client.session.get_expiry_age() == 8 * 3600


def test_an_idle_session_ends(client, clock, settings):
    settings.XQT_IDLE_MINUTES = 60
    client.force_login(UserFactory())
    assert client.get(PAGE).status_code == 200
    clock["t"] += 59 * 60
    assert client.get(PAGE).status_code == 200  # 59 minutes: still in
    clock["t"] += 61 * 60
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "您已 60 分钟没有操作" in page


def test_activity_keeps_the_session_and_is_written_once_a_minute(client, clock, settings):
    settings.XQT_IDLE_MINUTES = 60
    client.force_login(UserFactory())
    client.get(PAGE)
    first = client.session[security.LAST_SEEN_KEY]
    clock["t"] += 30
    client.get(PAGE)
    assert client.session[security.LAST_SEEN_KEY] == first  # not rewritten within the minute
    for _ in range(5):  # a request every 50 minutes keeps it alive
        clock["t"] += 50 * 60
        assert client.get(PAGE).status_code == 200
    assert client.session[security.LAST_SEEN_KEY] == clock["t"]


def test_idle_limit_zero_turns_it_off(client, clock, settings):
    settings.XQT_IDLE_MINUTES = 0
    client.force_login(UserFactory())
    client.get(PAGE)
    clock["t"] += 7 * 3600
    assert client.get(PAGE).status_code == 200


def test_anonymous_requests_write_no_session(client, clock):
    client.get("/accounts/login/")
    assert security.LAST_SEEN_KEY not in client.session


def test_the_first_page_after_login_writes_no_session(client, clock):
    """Login stamps the session, so list pages' query counts do not change with the first request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory())
    assert client.session[security.LAST_SEEN_KEY] == clock["t"]
    with CaptureQueriesContext(connection) as first:
        client.get(PAGE)
    with CaptureQueriesContext(connection) as second:
        client.get(PAGE)
    assert len(first) == len(second)
    assert not [q for q in first.captured_queries if "UPDATE" in q["sql"] and "django_session" in q["sql"]]
