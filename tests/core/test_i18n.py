"""简体中文 by default; English through the language switch (locale/en, compiled by `make messages`)."""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ..orgs.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCALE = Path(django_settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"


@pytest.fixture(scope="module", autouse=True)
def compiled_messages():
    """`make test` compiles the catalogs first; a bare pytest run compiles them here when they are stale."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        if shutil.which("msgfmt") is None:
            pytest.fail("locale/en is not compiled and msgfmt (Debian's gettext) is missing: make messages")
        call_command("compilemessages", locale=["en"], verbosity=0)
        translation.trans_real._translations = {}  # drop catalogs loaded before the compile
        translation.trans_real._default = None


def _english(client: Client) -> Client:
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    return client


def test_login_page_is_chinese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in html
    assert "用户名" in html and "密码" in html
    assert "Username" not in html


def test_login_page_in_english(client):
    html = _english(client).get(reverse("login")).content.decode()
    assert 'lang="en"' in html
    assert "Username" in html and "Password" in html and "Log in" in html
    assert "用户名" not in html


def test_home_page_in_english_and_back_to_chinese(client):
    UserFactory(username="root", is_superuser=True, display_name="Root")
    assert client.login(username="root", password="a-Long-pass-2026")
    assert "您好，Root" in client.get(reverse("home")).content.decode()

    html = _english(client).get(reverse("home")).content.decode()
    assert "Hello, Root" in html
    assert "Log out" in html and "Change password" in html and "Platform administrator" in html
    assert "退出登录" not in html

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "退出登录" in client.get(reverse("home")).content.decode()


def test_browser_language_alone_does_not_switch_to_english(client):
    """A Chinese browser gets Chinese."""
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "用户名" in html


def test_every_msgid_has_an_english_translation():
    text = PO.read_text(encoding="utf-8")
    entries = [e for e in re.split(r"\n\s*\n", text) if "msgid" in e]
    untranslated = []
    for entry in entries[1:]:  # the first is the header
        if "#, fuzzy" in entry:
            untranslated.append(entry)
            continue
        strings = re.findall(r'^msgstr(?:\[\d+\])? "(.*)"((?:\n".*")*)', entry, re.MULTILINE)
        if any(not (first or rest.strip()) for first, rest in strings):
            untranslated.append(entry)
    shown = "\n\n".join(untranslated[:20])
    assert not untranslated, f"{len(untranslated)} untranslated or fuzzy entries in locale/en:\n\n{shown}"
