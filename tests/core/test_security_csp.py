"""The content security policy: every page carries a strict one (scripts from our own files only, no
inline script, no eval), and no template needs more (no inline handler, no inline <script> with code)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.orgs.factories import UserFactory

pytestmark = pytest.mark.django_db

SRC = Path(settings.BASE_DIR)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def test_pages_carry_a_strict_policy(client):
    client.force_login(UserFactory(is_superuser=True))
    for path in ("/", "/orgs/schools/", "/accounts/password/", "/api/v1/docs/"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert not any("unsafe" in source for source in policy["script-src"] + policy["default-src"])


def test_anonymous_and_error_pages_carry_it_too(client):
    assert "script-src 'self'" in client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in client.get("/no-such-page/")["Content-Security-Policy"]


def test_api_docs_need_no_inline_script(client):
    """Swagger UI's start-up script comes from a URL of ours (the split view), not from the page."""
    client.force_login(UserFactory(is_superuser=True))
    page = client.get("/api/v1/docs/").content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", page) == []
    script = (
        re.search(r'<script src="(/api/v1/docs/\?[^"]*script[^"]*)"', page).group(1).replace("&amp;", "&")
    )
    response = client.get(script)
    assert response.status_code == 200 and "javascript" in response["Content-Type"]


def template_files():
    return sorted(p for p in SRC.rglob("templates/**/*.html"))


INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
HTMX_ON = re.compile(r"\shx-on[:-]", re.IGNORECASE)
JS_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)
# A <script> element with a body: allowed only for data (json_script writes type="application/json").
SCRIPT_BODY = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>\s*[^<\s]", re.IGNORECASE
)


def test_templates_have_no_inline_script():
    files = template_files()
    assert len(files) > 100
    offenders = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_HANDLER, HTMX_ON, JS_URL, SCRIPT_BODY):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(SRC)}:{line}: {match.group(0).strip()}")
    assert offenders == []


@pytest.mark.parametrize(
    "snippet",
    [
        '<select onchange="this.form.submit()">',
        "<form ONSUBMIT='return confirm(1)'>",
        '<div hx-on:click="x()">',
        '<a href="javascript:void(0)">',
        "<script>alert(1)</script>",
        '<script type="text/javascript">\n  go();</script>',
    ],
)
def test_the_template_scan_catches_inline_script(snippet):
    assert any(p.search(snippet) for p in (INLINE_HANDLER, HTMX_ON, JS_URL, SCRIPT_BODY))


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/xqt/app.js"></script>',
        '<script id="opts" type="application/json">{"a": 1}</script>',
        '<button data-xqt-confirm="确定？">',
        '<input data-onchange="x">',
    ],
)
def test_the_template_scan_lets_data_and_files_pass(snippet):
    assert not any(p.search(snippet) for p in (INLINE_HANDLER, HTMX_ON, JS_URL, SCRIPT_BODY))


def test_htmx_may_not_eval(client):
    """htmx features that evaluate code (hx-on, js: values, event filters) are off, as the policy wants."""
    page = client.get("/accounts/login/").content.decode()
    assert '<meta name="htmx-config" content=\'{"allowEval": false}\'>' in page
