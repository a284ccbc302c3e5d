"""Login throttling and lockout (orgs.lockout on django-axes): per account, per client address, on the login
page, the admin login and the API token endpoint; audited; lifted by the unlock command or by time."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs import lockout

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-2026"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.XQT_LOGIN_FAILURES_PER_ADDRESS = 8
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def login(client, username, password, addr="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=addr)


def fail(client, username, times, addr="10.0.0.1"):
    return [login(client, username, "wrong-password", addr).status_code for _ in range(times)]


def test_five_failures_lock_the_account_with_a_chinese_message():
    UserFactory(username="alice")
    client = Client()
    assert fail(client, "alice", 4) == [200] * 4
    response = login(client, "alice", "wrong-password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多，请 15 分钟后再试。" in page
    assert 'value="alice"' in page  # the username stays in the form
    # the right password does not open a locked account, and says why
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "登录失败次数过多" in response.content.decode()


def test_the_account_lock_holds_from_another_address_and_other_accounts_are_free():
    UserFactory(username="bob")
    UserFactory(username="carol")
    fail(Client(), "bob", 5, addr="10.0.0.2")
    assert login(Client(), "bob", PASSWORD, addr="10.0.0.3").status_code == 429
    response = login(Client(), "carol", PASSWORD, addr="10.0.0.3")
    assert response.status_code == 302


def test_fewer_failures_then_success_start_again_from_zero():
    UserFactory(username="dave")
    client = Client()
    fail(client, "dave", 4)
    assert login(client, "dave", PASSWORD).status_code == 302
    client.logout()
    assert fail(client, "dave", 4) == [200] * 4
    assert login(client, "dave", PASSWORD).status_code == 302


def test_many_accounts_from_one_address_lock_the_address():
    """Password spraying: a few tries at many accounts. The address limit (8 here) is above the account
    limit, so a shared school address is not locked by a handful of typos."""
    for name in ("u1", "u2", "u3", "u4"):
        UserFactory(username=name)
    client = Client()
    statuses = [
        login(client, name, "wrong-password", "10.9.9.9").status_code for name in ("u1", "u2", "u3", "u4")
    ]
    statuses += [login(client, name, "wrong-password", "10.9.9.9").status_code for name in ("u1", "u2", "u3")]
    assert statuses == [200] * 7  # no account has reached 5, the address is at 7
    assert login(client, "u4", "wrong-password", "10.9.9.9").status_code == 429  # the 8th locks the address
    assert login(client, "u1", PASSWORD, "10.9.9.9").status_code == 429
    # the same account from another address is fine: only the address is locked
    assert login(Client(), "u1", PASSWORD, "10.1.1.1").status_code == 302


def test_lockout_ends_after_the_cool_off_time():
    UserFactory(username="erin")
    client = Client()
    fail(client, "erin", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert login(client, "erin", PASSWORD).status_code == 302


def test_the_message_counts_the_minutes_left():
    UserFactory(username="fay")
    fail(Client(), "fay", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=11, seconds=30))
    response = login(Client(), "fay", PASSWORD)
    assert "请 4 分钟后再试" in response.content.decode()


def test_attempts_during_the_lock_do_not_prolong_it():
    UserFactory(username="gus")
    client = Client()
    fail(client, "gus", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=10))
    fail(client, "gus", 3)
    assert "请 5 分钟后再试" in login(client, "gus", PASSWORD).content.decode()


def test_lockout_is_audited_once():
    user = UserFactory(username="hal")
    fail(Client(), "hal", 8)
    records = AuditLog.objects.filter(verb="login_lockout")
    assert records.count() == 1
    record = records.get()
    assert record.actor is None and record.object_id == str(user.pk)
    assert record.changes["ip_address"] == "10.0.0.1"
    assert record.changes["account_failures"] == 5


def test_unknown_usernames_are_locked_too():
    """No hint whether an account exists: an unknown name is locked just the same."""
    assert fail(Client(), "nobody", 5)[-1] == 429


def test_api_token_endpoint_is_locked_with_the_same_counter():
    UserFactory(username="ivy")
    client = APIClient()
    for _ in range(4):
        assert client.post("/api/v1/auth/token/", {"username": "ivy", "password": "x"}).status_code == 400
    response = client.post("/api/v1/auth/token/", {"username": "ivy", "password": "x"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["detail"]
    response = client.post("/api/v1/auth/token/", {"username": "ivy", "password": PASSWORD})
    assert response.status_code == 429
    # and the login page knows: the counter is shared
    assert login(Client(), "ivy", PASSWORD, addr="127.0.0.1").status_code == 429


def test_admin_login_is_locked_too():
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "root", "password": "nope"}, REMOTE_ADDR="10.0.0.5")
    response = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_unlock_command_lifts_the_lock_and_is_audited(capsys):
    UserFactory(username="jon")
    fail(Client(), "jon", 5)
    assert login(Client(), "jon", PASSWORD).status_code == 429
    call_command("unlock_login", "jon")
    assert "已解除锁定：jon" in capsys.readouterr().out
    assert login(Client(), "jon", PASSWORD).status_code == 302
    assert AuditLog.objects.filter(verb="login_unlock", object_repr="jon").exists()


def test_unlock_by_address():
    for name in ("k1", "k2"):
        UserFactory(username=name)
    for _ in range(4):
        login(Client(), "k1", "x", "10.7.7.7")
        login(Client(), "k2", "x", "10.7.7.7")
    assert login(Client(), "k1", PASSWORD, "10.7.7.7").status_code == 429
    lockout.login_unlock(actor=UserFactory(), ip_address="10.7.7.7")
    assert login(Client(), "k1", PASSWORD, "10.7.7.7").status_code == 302


def test_unlock_refuses_without_a_target():
    from django.core.management.base import CommandError

    with pytest.raises(ValueError, match="请指定"):
        lockout.login_unlock(actor=None)
    with pytest.raises(CommandError):
        call_command("unlock_login")


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.1"),  # no proxy configured: the header is ignored (a client could forge it)
        (1, "6.6.6.6, 2.2.2.2", "2.2.2.2"),  # one proxy: the address it saw, not what the client claimed
        (2, "6.6.6.6, 3.3.3.3, 10.1.1.1", "3.3.3.3"),
        (2, "4.4.4.4", "10.0.0.1"),  # fewer hops than proxies: fall back to the connection's address
    ],
)
def test_client_address_behind_proxies(settings, rf, count, forwarded, expected):
    settings.XQT_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert lockout.client_ip(request) == expected


def test_an_overlong_or_odd_username_is_refused_not_a_server_error():
    """The token endpoint takes a name of any length; axes' table holds 255 characters (PostgreSQL enforces
    it), so the name is cut to the longest possible username before it is recorded."""
    client = APIClient()
    for name in ("x" * 300, "名" * 200):
        response = client.post("/api/v1/auth/token/", {"username": name, "password": "x"})
        assert response.status_code == 400
    assert AccessAttempt.objects.filter(username="x" * 150).exists()


def test_username_is_cut_and_cleaned(rf):
    request = rf.post("/accounts/login/", {"username": "a" * 200})
    assert lockout.client_username(request) == "a" * 150
    assert lockout.client_username(request, {"username": "b\x00c"}) == "bc"
    assert lockout.client_username(request, {"password": "only"}) is None
