"""Production mode (XQT_HTTPS=1, a real secret key, DEBUG off): `xiaoqitong check --deploy` reports no issue,
cookies are Secure, HSTS is sent, plain HTTP is redirected. Settings are read once at start-up, so these run
the project in a subprocess with the production environment."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.test import override_settings

from tests.orgs.factories import UserFactory

PRODUCTION = {
    "XQT_HTTPS": "1",
    "XQT_SECRET_KEY": "k7#Qv9!mZ2@pL4$wX8^rT1&yN6*cB3(hJ5)dF0_gS-eU+aO=iK~" + "x" * 10,
    "XQT_DEBUG": "0",
    "XQT_ALLOWED_HOSTS": "example",
}


def run(args, tmp_path, extra=None):
    env = {**os.environ, **PRODUCTION, **(extra or {})}
    env["DJANGO_SETTINGS_MODULE"] = "xiaoqitong.settings"  # the real settings, not the test ones
    env["XQT_VAR_DIR"] = str(tmp_path)
    return subprocess.run(  # noqa: S603  (our own interpreter and arguments)
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = run(["-m", "xiaoqitong", "check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_flags_a_development_setup(tmp_path):
    """The same command in the default (development) environment does complain: the check is real."""
    result = run(
        ["-m", "xiaoqitong", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        {"XQT_HTTPS": "0", "XQT_DEBUG": "1"},
    )
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016", "security.W018"):
        assert code in result.stderr + result.stdout


PROBE = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client

    plain = Client().get("/accounts/login/", HTTP_HOST="example")
    secure = Client().get("/accounts/login/", HTTP_HOST="example", secure=True)
    behind_proxy = Client().get("/accounts/login/", HTTP_HOST="example", HTTP_X_FORWARDED_PROTO="https")
    csrf = secure.cookies["csrftoken"]
    print(json.dumps({
        "plain": [plain.status_code, plain.get("Location")],
        "secure": secure.status_code,
        "proxy": behind_proxy.status_code,
        "hsts": secure.get("Strict-Transport-Security"),
        "csp": secure.get("Content-Security-Policy"),
        "csrf_cookie": {"secure": csrf["secure"], "samesite": csrf["samesite"]},
        "session": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                    settings.SESSION_COOKIE_SAMESITE, settings.SESSION_COOKIE_AGE],
    }))
    """
)


def test_production_mode_redirects_to_https_and_sends_secure_cookies_and_hsts(tmp_path):
    result = run(["-c", PROBE], tmp_path, {"XQT_SESSION_HOURS": "4"})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://example/accounts/login/"]
    assert seen["secure"] == 200 and seen["proxy"] == 200  # X-Forwarded-Proto from the proxy counts
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in seen["csp"]
    assert seen["csrf_cookie"] == {"secure": True, "samesite": "Lax"}
    assert seen["session"] == [True, True, "Lax", 4 * 3600]


@pytest.mark.django_db
@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_the_session_cookie_after_login_is_secure_httponly_and_lax(client):
    """The flags as production sets them (above) on the cookie a real login issues."""
    UserFactory(username="secure-cookie")
    response = client.post(
        "/accounts/login/", {"username": "secure-cookie", "password": "a-Long-pass-2026"}, secure=True
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
