"""The page shell: login, home, logout, static files served by the app, generic templates, no outside URLs."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from xiaoqitong.core.models import AuditLog, ImportJob

from ..orgs.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-2026"
SRC = Path(django_settings.BASE_DIR)
VENDOR_BUILT = SRC / "static" / "vendor" / ".built"
DEMO_ACCOUNTS = [
    "demo-admin",
    "demo-gov",
    "demo-hrss",
    "demo-ndrc",
    "demo-school",
    "demo-teacher",
    "demo-teacher2",
    "demo-enterprise",
    "demo-mentor",
    "demo-student",
    "demo-researcher",
]


@pytest.fixture
def admin_client():
    UserFactory(username="root", is_superuser=True, is_staff=True, display_name="平台管理员甲")
    client = Client()
    assert client.login(username="root", password=PASSWORD)
    return client


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


# --- login, home, logout ---------------------------------------------------------------------------------


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert "csrfmiddlewaretoken" in html
    assert "登录" in html
    assert 'lang="zh-hans"' in html


def test_login_page_shows_the_configured_site_name(client, settings):
    html = client.get(reverse("login")).content.decode()
    assert f"<title>登录 · {settings.XQT_SITE_NAME}</title>" in html
    assert "testserver" not in html


@pytest.mark.parametrize("demo_mode", [True, False])
def test_login_lists_demo_accounts_only_in_demo_mode(client, settings, demo_mode):
    settings.DEMO_MODE = demo_mode
    html = client.get(reverse("login")).content.decode()
    for username in DEMO_ACCOUNTS:
        assert (username in html) is demo_mode
    assert ("xqt-demo-2026" in html) is demo_mode
    assert ("演示模式" in html) is demo_mode


def test_login_error_is_shown_in_chinese(client):
    UserFactory(username="someone")
    response = client.post(reverse("login"), {"username": "someone", "password": "wrong"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert "请输入一个正确的" in response.content.decode()


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_renders_for_superuser(admin_client):
    response = admin_client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "您好，平台管理员甲" in html
    assert "平台管理员" in html
    # The shell: htmx with the CSRF token, the language switch, logout as a POST form.
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert f'action="{reverse("set_language")}"' in html
    assert f'<form method="post" action="{reverse("logout")}">' in html
    # The menu holds whatever the apps registered for a superuser (every entry visible to them).
    for _group, items in response.context["menu"]:
        for item in items:
            assert item["url"] in html


def test_home_shows_counters(admin_client, monkeypatch):
    from xiaoqitong.core import navigation

    monkeypatch.setattr(
        navigation,
        "_counters",
        [
            navigation.Counter(label="测试计数", count=lambda user: 12345, url_name="home", icon="people"),
            navigation.Counter(label="别的角色", count=lambda user: 1, roles={"student"}),
        ],
    )
    html = admin_client.get(reverse("home")).content.decode()
    assert "测试计数" in html and "12345" in html
    assert "别的角色" not in html


def test_demo_badge_only_in_demo_mode(admin_client, settings):
    settings.DEMO_MODE = False
    assert "xqt-demo-badge" not in admin_client.get(reverse("home")).content.decode()
    settings.DEMO_MODE = True
    assert "xqt-demo-badge" in admin_client.get(reverse("home")).content.decode()


def test_logout_by_post(admin_client):
    assert admin_client.get(reverse("logout")).status_code == 405  # never by a link
    response = admin_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert admin_client.get(reverse("home")).status_code == 302


def test_password_change_pages(admin_client):
    response = admin_client.get(reverse("password_change"))
    assert response.status_code == 200
    assert 'name="old_password"' in response.content.decode()
    response = admin_client.post(
        reverse("password_change"), {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    response = admin_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Another-pass-2027",
            "new_password2": "Another-pass-2027",
        },
    )
    assert response.status_code == 302
    assert admin_client.get(response["Location"]).status_code == 200


def test_messages_render_as_bootstrap_alerts(admin_client):
    school = SchoolFactory()
    response = admin_client.post(reverse("orgs:school_delete", args=[school.pk]), follow=True)
    html = response.content.decode()
    assert "alert alert-success" in html
    assert school.name in html


# --- error pages ---------------------------------------------------------------------------------------


def test_404_page_is_chinese_and_plain(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    main = html[html.index("<main") : html.index("</main>")]
    assert "no-such-page" not in main  # nothing from the request echoed back (only the language form's next)


def test_403_page_leaks_no_detail(client):
    UserFactory(username="student", role="student")
    client.login(username="student", password=PASSWORD)
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "没有权限" in html
    assert "只有平台管理员" not in html


def test_500_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "服务器出错" in html
    assert "Traceback" not in html


# --- static files served by the app itself -------------------------------------------------------------


def test_app_static_files_are_served(client):
    for path, marker in [
        ("/static/xqt/app.css", ".xqt-page-header"),
        ("/static/xqt/app.js", "markActiveMenu"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert marker in _body(response)


def _build_assets_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_assets", SRC.parent.parent / "scripts" / "build_assets.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vendor_files_the_templates_load_are_built_and_served(client):
    """Every vendor/ file a template names is copied by build_assets.py; once built, the app serves it."""
    built = {dst for files in _build_assets_module().FILES.values() for _src, dst in files}
    named = set()
    for path in _own_files("templates/**/*.html"):
        named |= set(
            re.findall(r"""{% static ['"]vendor/([^'"]+)['"] %}""", path.read_text(encoding="utf-8"))
        )
    assert named, "the templates load no vendor file?"
    assert named <= built, f"templates load vendor files that build_assets.py does not copy: {named - built}"
    if not VENDOR_BUILT.exists():  # `make test` does not build the assets (`make assets` / `make demo` do)
        return
    for name in sorted(built):
        response = client.get(f"/static/vendor/{name}")
        assert response.status_code == 200, name
        response.close()


def test_vendor_build_script_pins_what_package_json_pins():
    import json

    package = json.loads((SRC.parent.parent / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert package["bootstrap"] == "5.3.8"
    assert package["htmx.org"].startswith("2.0.")
    assert package["bootstrap-icons"].startswith("1.13.")
    assert re.fullmatch(r"(6\.\d+|5\.6)\.\d+", package["echarts"])
    if VENDOR_BUILT.exists():
        assert json.loads(VENDOR_BUILT.read_text(encoding="utf-8")) == package


_OUTSIDE = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["'])"""
    r"""(?:https?:)?//""",
    re.IGNORECASE,
)


def _own_files(*patterns: str):
    for pattern in patterns:
        for path in SRC.rglob(pattern):
            if "vendor" in path.relative_to(SRC).parts:
                continue
            yield path


def test_no_template_or_stylesheet_loads_an_outside_url():
    offenders = []
    for path in _own_files("templates/**/*.html", "static/**/*.css", "static/**/*.js"):
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{line_number}: {line.strip()}")
    assert not offenders, "outside URLs (government intranets are offline):\n" + "\n".join(offenders)


def test_outside_url_scan_catches_what_it_should():
    assert _OUTSIDE.search('<script src="https://cdn.example.com/x.js">')
    assert _OUTSIDE.search("<link href='//cdn.example.com/x.css'>")
    assert _OUTSIDE.search("background: url(http://example.com/a.png)")
    assert not _OUTSIDE.search('<a href="/static/x.css">')
    assert not _OUTSIDE.search("url(\"data:image/svg+xml,%3csvg xmlns='http://www.w3.org/2000/svg'\")")


# --- generic model pages (with a real configuration: orgs.School) --------------------------------------


def test_object_list_full_page_and_htmx_partial(admin_client):
    SchoolFactory(name="郴州甲职业学校")
    SchoolFactory(name="郴州乙职业学校")
    url = reverse("orgs:school_list")
    html = admin_client.get(url).content.decode()
    assert "<html" in html and 'id="object-table"' in html
    assert 'hx-target="#object-table"' in html
    assert "新建" in html and "导入" in html
    assert "?export=xlsx" in html and "export=csv&amp;encoding=gbk" in html
    assert "共 2 条记录" in html

    response = admin_client.get(url, {"q": "甲"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table")
    partial = response.content.decode()
    assert "<html" not in partial
    assert partial.lstrip().startswith('<div id="object-table"')
    assert "郴州甲职业学校" in partial and "郴州乙职业学校" not in partial
    # export links keep the current filters
    assert "q=%E7%94%B2&amp;export=xlsx" in partial


def test_object_list_empty_state(admin_client):
    html = admin_client.get(reverse("orgs:school_list")).content.decode()
    assert "没有符合条件的记录" in html


def test_object_detail_form_delete_and_history_pages(admin_client):
    school = SchoolFactory(name="郴州丙职业学校")
    detail = admin_client.get(reverse("orgs:school_detail", args=[school.pk])).content.decode()
    assert "<dl" in detail and "郴州丙职业学校" in detail
    assert reverse("orgs:school_edit", args=[school.pk]) in detail
    assert reverse("orgs:school_delete", args=[school.pk]) in detail
    assert reverse("orgs:school_history", args=[school.pk]) in detail

    form = admin_client.get(reverse("orgs:school_edit", args=[school.pk])).content.decode()
    assert "form-control" in form and "保存" in form
    response = admin_client.post(reverse("orgs:school_add"), {"code": "x", "name": ""})
    assert response.status_code == 400
    invalid = response.content.decode()
    assert "请修正下面标出的问题后再提交。" in invalid
    assert "has-error" in invalid and "invalid-feedback" in invalid

    confirm = admin_client.get(reverse("orgs:school_delete", args=[school.pk])).content.decode()
    assert "确认删除" in confirm and 'method="post"' in confirm

    AuditLog.objects.create(
        actor_repr="root",
        action="update",
        verb="school_update",
        content_type_id=_ct(school),
        object_id=str(school.pk),
        changes={"name": ["旧名称", "新名称"]},
    )
    history = admin_client.get(reverse("orgs:school_history", args=[school.pk])).content.decode()
    assert "旧名称" in history and "新名称" in history and "school_update" in history


def _ct(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def test_import_page(admin_client):
    html = admin_client.get(reverse("orgs:school_import")).content.decode()
    assert "?template=xlsx" in html and "?template=csv" in html
    assert 'enctype="multipart/form-data"' in html
    assert "学校代码" in html  # one of the expected columns


def _job(user, **fields) -> ImportJob:
    return ImportJob.objects.create(
        created_by=user, target="orgs.School", original_name="学校.csv", file="imports/x.csv", **fields
    )


def test_import_job_polls_while_running(admin_client):
    from xiaoqitong.orgs.models import User

    root = User.objects.get(username="root")
    job = _job(root, status=ImportJob.Status.VALIDATING, total_rows=200, processed_rows=50)
    html = admin_client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and "25%" in html and "已处理 50 / 200 行" in html
    partial = admin_client.get(
        reverse("core:import_job", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and 'id="import-job-status"' in partial


def test_import_job_invalid_lists_every_error(admin_client):
    from xiaoqitong.orgs.models import User

    root = User.objects.get(username="root")
    errors = [
        {"row": 2, "column": "学校代码", "message": "不能为空"},
        {"row": 5, "column": "办学层次", "message": "无法识别"},
    ]
    job = _job(root, status=ImportJob.Status.INVALID, total_rows=9, processed_rows=9, errors=errors)
    html = admin_client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    assert "every 1s" not in html
    assert "不能为空" in html and "无法识别" in html and "办学层次" in html
    assert "确认导入" not in html


def test_import_job_valid_offers_confirmation_and_done_shows_totals(admin_client):
    from xiaoqitong.orgs.models import User

    root = User.objects.get(username="root")
    job = _job(
        root,
        status=ImportJob.Status.VALID,
        total_rows=3,
        processed_rows=3,
        summary={"new": 2, "update": 1, "skip": 0},
    )
    html = admin_client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    assert reverse("core:import_job_confirm", args=[job.pk]) in html and "确认导入" in html
    assert "新增 2 条，更新 1 条，跳过 0 条" in html
    job.status = ImportJob.Status.DONE
    job.save()
    html = admin_client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    assert "导入完成" in html and "确认导入" not in html


def test_audit_list_page(admin_client):
    AuditLog.objects.create(actor_repr="root", action="create", verb="school_create", object_repr="某学校")
    html = admin_client.get(reverse("core:audit_list")).content.decode()
    assert "审计日志" in html and "school_create" in html and "某学校" in html


def test_the_development_broker_keeps_everything_under_the_var_dir():
    """Without REDIS_URL the worker uses kombu's filesystem transport: none of its folders (the exchange
    tables included, which default to ``./control``) may land in the current directory."""
    if django_settings.CELERY_BROKER_URL.startswith("redis"):  # REDIS_URL set: nothing on disk
        assert not getattr(django_settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
        return
    var_dir = Path(django_settings.VAR_DIR).resolve()
    options = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS
    folders = {k: v for k, v in options.items() if k.endswith(("_folder", "_folder_in", "_folder_out"))}
    assert set(folders) == {"data_folder_in", "data_folder_out", "processed_folder", "control_folder"}
    for name, folder in folders.items():
        assert Path(folder).resolve().is_relative_to(var_dir), name
        assert Path(folder).is_dir(), name
