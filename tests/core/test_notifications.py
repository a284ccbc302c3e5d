"""Notifications: ``notify`` writes on commit and mails only when configured; each person sees and marks read
their own (page, API, the bell), platform administrators included; the nightly clean-up."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xiaoqitong.core import notifications, tasks
from xiaoqitong.core.models import AuditLog, Notification
from xiaoqitong.core.notifications import notify
from xiaoqitong.core.policy import policy_for
from xiaoqitong.core.testing import login_clients

from ..orgs.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

API = "/api/v1/core/notifications/"
LIST = "/core/notifications/"


@pytest.fixture(autouse=True)
def no_mail_server(settings):
    """Tests start without a mail server, whatever the environment running them says."""
    settings.EMAIL_HOST = ""
    settings.XQT_NOTIFY_EMAIL = None
    settings.XQT_BASE_URL = "https://xqt.example.gov.cn"


@pytest.fixture
def alice():
    return user_with_role("teacher", username="alice", email="alice@example.org")


@pytest.fixture
def bob():
    return user_with_role("student", username="bob", email="")


def send(users, text="您有一条新消息", url="", **kwargs):
    """``notify`` inside a committed transaction, as a service calls it."""
    with transaction.atomic():
        notify(users, text, url, **kwargs)


def make(user, n=1, *, read=False, url="/", text="通知{i}"):
    rows = Notification.objects.bulk_create(
        [
            Notification(user=user, text=text.format(i=i), url=url, read_at=timezone.now() if read else None)
            for i in range(n)
        ]
    )
    return rows[0] if n == 1 else rows


def notification_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "core_notification" in q["sql"]]


# --- notify -----------------------------------------------------------------------------------------------


def test_notify_writes_one_row_per_person_when_the_transaction_commits(
    alice, bob, django_capture_on_commit_callbacks
):
    inactive = UserFactory(role="student", is_active=False)
    audited = AuditLog.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        send([alice, bob, alice, None, inactive], "活动“春季双选会”已发布", "/events/12/")
        assert not Notification.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    rows = Notification.objects.order_by("user__username")
    assert [(r.user, r.text, r.url, r.read_at) for r in rows] == [
        (alice, "活动“春季双选会”已发布", "/events/12/", None),
        (bob, "活动“春季双选会”已发布", "/events/12/", None),
    ]
    assert AuditLog.objects.count() == audited  # the service that notifies writes the audit record


def test_nothing_is_notified_for_a_change_that_rolled_back(
    alice, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.org"

    class Refused(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Refused),
        transaction.atomic(),
    ):
        notify([alice], "报名已通过", "/events/1/")
        raise Refused
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_outside_a_transaction_notify_writes_at_once(alice):
    """Autocommit (a shell, a task without atomic): the rows are written before ``notify`` returns. The
    test's own transaction is hidden from ``on_commit`` to show it, and the write is caught rather than run
    (a real write would try to begin a transaction inside the test's)."""
    written = []
    with (
        mock.patch.object(connection, "in_atomic_block", False),
        mock.patch.object(connection, "get_autocommit", return_value=True),
        mock.patch.object(Notification.objects, "bulk_create", side_effect=written.extend),
    ):
        notify([alice], "立即写入")
        assert [(n.user_id, n.text) for n in written] == [(alice.pk, "立即写入")]


def test_notify_accepts_one_user_and_a_queryset(alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(alice, "一个人")
        send(type(alice).objects.filter(pk__in=[alice.pk, bob.pk]), "一组人")
    assert sorted(Notification.objects.values_list("user__username", "text")) == [
        ("alice", "一个人"),
        ("alice", "一组人"),
        ("bob", "一组人"),
    ]


def test_notify_with_nobody_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        send([None, UserFactory(is_active=False)])
    assert callbacks == []


def test_notify_makes_the_text_one_line_and_cuts_it(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send([alice], "第一行\n第二行  " + "长" * 400)
    text = Notification.objects.get().text
    assert len(text) == 300 and text.startswith("第一行 第二行 长") and text.endswith("…")


OUTSIDE = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "events/1/"]


@pytest.mark.parametrize("url", OUTSIDE)
def test_notify_refuses_a_link_outside_the_site(alice, url, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValueError, match="path of this site"),
    ):
        send([alice], "x", url)
    assert callbacks == []


# --- e-mail -----------------------------------------------------------------------------------------------


def test_no_mail_without_a_mail_server(alice, django_capture_on_commit_callbacks):
    assert not notifications.email_enabled()
    with django_capture_on_commit_callbacks(execute=True):
        send([alice], "只在平台里", "/events/3/")
    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_mail_to_recipients_with_an_address_when_a_server_is_configured(
    alice, bob, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.org"
    carol = user_with_role("school_admin", username="carol", email="carol@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        send([alice, bob, carol], "您的展位申请已通过，展位号 A-12", "/events/12/")
    assert Notification.objects.count() == 3  # bob has no address: in the platform only
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "carol@example.org"]
    message = mail.outbox[0]
    assert len(message.to) == 1 and not message.cc and not message.bcc  # nobody sees the others' address
    assert message.subject == f"[{settings.XQT_SITE_NAME}] 您的展位申请已通过，展位号 A-12"
    assert "您的展位申请已通过，展位号 A-12" in message.body
    assert "https://xqt.example.gov.cn/events/12/" in message.body
    assert "https://xqt.example.gov.cn/core/notifications/" in message.body
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_mail_subject_and_link_to_the_list(alice, settings, django_capture_on_commit_callbacks):
    settings.XQT_NOTIFY_EMAIL = True  # explicit: on without a host (e.g. the console backend)
    with django_capture_on_commit_callbacks(execute=True):
        send([alice], "没有链接的通知", email_subject="活动提醒")
    assert [m.subject for m in mail.outbox] == ["活动提醒"]
    assert "https://xqt.example.gov.cn/core/notifications/" in mail.outbox[0].body


def test_mail_can_be_switched_off_with_a_server(alice, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "smtp.example.org"
    settings.XQT_NOTIFY_EMAIL = False
    with django_capture_on_commit_callbacks(execute=True):
        send([alice])
    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_mail_skips_people_deactivated_before_it_is_sent(alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert tasks.notification_mail([alice.pk], "x") == 0
    assert mail.outbox == []


def test_a_failing_mail_queue_keeps_the_notification(alice, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "smtp.example.org"
    with (
        mock.patch.object(tasks.notification_mail, "delay", side_effect=ConnectionError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send([alice])
    assert Notification.objects.count() == 1


# --- scope ------------------------------------------------------------------------------------------------


def test_everyone_sees_only_their_own_platform_admins_too(alice, bob):
    admin = UserFactory(is_superuser=True, role="platform_admin")
    mine, theirs, admins = make(alice), make(bob), make(admin)
    assert list(Notification.objects.restrict(alice)) == [mine]
    assert list(Notification.objects.restrict(bob, "change")) == [theirs]
    assert list(Notification.objects.restrict(admin)) == [admins]
    policy = policy_for(Notification)
    for user in (alice, admin):
        for action in ("add", "delete", "import", "export"):
            assert not policy.allows(user, action)
    from django.contrib.auth.models import AnonymousUser

    assert not Notification.objects.restrict(AnonymousUser()).exists()


# --- the page ---------------------------------------------------------------------------------------------


def test_page_lists_own_notifications_newest_first_unread_highlighted(alice, bob):
    older = make(alice, text="较早的已读通知", read=True)
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    make(alice, text="最新的未读通知")
    make(bob, text="别人的通知")
    page, _api = login_clients(alice)
    html = page.get(reverse("core:notification_list")).content.decode()
    assert reverse("core:notification_list") == LIST
    assert "别人的通知" not in html
    assert html.index("最新的未读通知") < html.index("较早的已读通知")
    assert html.count("xqt-unread") == 1
    assert "1 条未读" in html and "全部标为已读" in html


def test_page_is_paginated_and_filters_unread(alice):
    make(alice, 25, read=True)
    make(alice, 1, text="唯一未读")
    page, _api = login_clients(alice)
    first = page.get(LIST).content.decode()
    assert first.count('class="list-group-item') == 20
    assert "?page=2" in first
    second = page.get(LIST + "?page=2").content.decode()
    assert second.count('class="list-group-item') == 6
    unread = page.get(LIST + "?unread=1").content.decode()
    assert unread.count('class="list-group-item') == 1 and "唯一未读" in unread


def test_platform_admin_page_shows_only_their_own(bob):
    admin = UserFactory(is_superuser=True, role="platform_admin")
    make(bob, text="学生的通知")
    make(admin, text="管理员的通知")
    page, _api = login_clients(admin)
    html = page.get(LIST).content.decode()
    assert "管理员的通知" in html and "学生的通知" not in html


def test_opening_marks_read_and_follows_the_link(alice):
    notification = make(alice, url="/events/12/?tab=booths")
    page, _api = login_clients(alice)
    response = page.get(reverse("core:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/events/12/?tab=booths"
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None
    page.get(reverse("core:notification_open", args=[notification.pk]))  # again: keeps the first reading
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_opening_without_a_link_lands_on_the_list(alice):
    notification = make(alice, url="")
    page, _api = login_clients(alice)
    response = page.get(reverse("core:notification_open", args=[notification.pk]))
    assert response["Location"] == LIST


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_opening_never_follows_a_link_outside_the_site(alice, url):
    notification = make(alice, url=url)  # written around notify(), which refuses such links
    page, _api = login_clients(alice)
    response = page.get(reverse("core:notification_open", args=[notification.pk]), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "该通知的链接不是本站地址" in response.content.decode()


def test_someone_elses_notification_answers_404(alice, bob):
    theirs = make(bob)
    admin = UserFactory(is_superuser=True, role="platform_admin")
    for user in (alice, admin):
        page, _api = login_clients(user)
        assert page.get(reverse("core:notification_open", args=[theirs.pk])).status_code == 404
        assert page.post(reverse("core:notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_and_all_read_on_the_page(alice, bob):
    one, _two, _three = make(alice, 3)
    other = make(bob)
    page, _api = login_clients(alice)
    assert page.get(reverse("core:notification_read", args=[one.pk])).status_code == 405  # POST only
    response = page.post(reverse("core:notification_read", args=[one.pk]), {"next": LIST + "?page=1"})
    assert response["Location"] == LIST + "?page=1"
    assert Notification.objects.filter(user=alice, read_at__isnull=True).count() == 2
    outside = {"next": "https://evil.example/"}
    response = page.post(reverse("core:notifications_read_all"), outside, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_list_page_query_count_does_not_grow_with_rows(alice):
    page, _api = login_clients(alice)
    make(alice, 1)
    with CaptureQueriesContext(connection) as few:
        assert page.get(LIST).status_code == 200
    make(alice, 19)
    with CaptureQueriesContext(connection) as many:
        assert page.get(LIST).status_code == 200
    assert len(many) == len(few)
    # the page's count, the page's rows, the bell's count (shared with the header's "N 条未读")
    assert len(notification_queries(many.captured_queries)) == 3


# --- the bell ---------------------------------------------------------------------------------------------


def test_bell_shows_the_unread_count_with_one_query(alice, bob):
    make(alice, 3)
    make(alice, 2, read=True)
    make(bob, 7)
    page, _api = login_clients(alice)
    with CaptureQueriesContext(connection) as queries:
        html = page.get(reverse("home")).content.decode()
    badge = re.search(r"xqt-bell-count[^>]*>([^<]*)<", html)
    assert badge and badge.group(1) == "3"
    assert "通知：3 条未读" in html
    assert len(notification_queries(queries.captured_queries)) == 1


def test_bell_without_unread_has_no_badge_and_caps_at_99(alice):
    page, _api = login_clients(alice)
    html = page.get(reverse("home")).content.decode()
    assert 'href="/core/notifications/"' in html and "xqt-bell-count" not in html
    make(alice, 120)
    html = page.get(reverse("home")).content.decode()
    assert re.search(r"xqt-bell-count[^>]*>99\+<", html)


def test_no_notification_query_for_anonymous_visitors(client):
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("login")).content.decode()
    assert notification_queries(queries.captured_queries) == []
    assert "xqt-bell" not in html


def test_htmx_fragments_do_not_count(alice):
    """A fragment does not show the bell, so it does not pay for its count."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = alice
    with CaptureQueriesContext(connection) as queries:
        render_to_string("core/_import_job_badge.html", {"job": None}, request=request)
    assert notification_queries(queries.captured_queries) == []


# --- the API ----------------------------------------------------------------------------------------------


def test_api_lists_own_only_newest_first(alice, bob):
    admin = UserFactory(is_superuser=True, role="platform_admin")
    old = make(alice, text="旧")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    new = make(alice, text="新", url="/events/5/")
    make(bob, text="别人的")
    make(admin, text="管理员的")
    _page, api = login_clients(alice)
    data = api.get(API).json()
    assert data["count"] == 2
    assert [r["id"] for r in data["results"]] == [new.pk, old.pk]
    assert data["results"][0] == {
        "id": new.pk,
        "text": "新",
        "url": "/events/5/",
        "is_read": False,
        "read_at": None,
        "created_at": data["results"][0]["created_at"],
    }
    _page, admin_api = login_clients(admin)
    assert [r["text"] for r in admin_api.get(API).json()["results"]] == ["管理员的"]


def test_api_filters_marks_read_and_counts(alice, bob):
    one, _two = make(alice, 2)
    make(alice, read=True)
    theirs = make(bob)
    _page, api = login_clients(alice)
    assert api.get(API + "unread-count/").json() == {"unread": 2}
    assert api.get(API + "?unread=true").json()["count"] == 2
    assert api.get(API + "?unread=false").json()["count"] == 1
    response = api.post(f"{API}{one.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert api.get(API + "unread-count/").json() == {"unread": 1}
    assert api.get(f"{API}{theirs.pk}/").status_code == 404
    assert api.post(f"{API}{theirs.pk}/read/").status_code == 404
    assert api.post(API + "read-all/").json() == {"marked": 1}
    assert api.get(API + "unread-count/").json() == {"unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_is_read_only_and_needs_login(alice):
    mine = make(alice)
    _page, api = login_clients(alice)
    assert api.post(API, {"text": "伪造"}, format="json").status_code == 405
    assert api.patch(f"{API}{mine.pk}/", {"text": "改"}, format="json").status_code == 405
    assert api.delete(f"{API}{mine.pk}/").status_code == 405
    from rest_framework.test import APIClient

    assert APIClient().get(API).status_code == 401


def test_api_list_query_count_does_not_grow_with_rows(alice):
    _page, api = login_clients(alice)
    make(alice, 1)
    with CaptureQueriesContext(connection) as few:
        assert api.get(API).status_code == 200
    make(alice, 30)
    with CaptureQueriesContext(connection) as many:
        assert api.get(API).status_code == 200
    assert len(many) == len(few) <= 3


# --- clean-up ---------------------------------------------------------------------------------------------


def test_cleanup_deletes_read_notifications_older_than_180_days(alice):
    now = timezone.now()
    old_read, old_unread, recent_read, edge = make(alice, 4)
    Notification.objects.filter(pk__in=[old_read.pk, recent_read.pk, edge.pk]).update(read_at=now)
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]).update(
        created_at=now - dt.timedelta(days=181)
    )
    Notification.objects.filter(pk=recent_read.pk).update(created_at=now - dt.timedelta(days=30))
    Notification.objects.filter(pk=edge.pk).update(created_at=now - dt.timedelta(days=179, hours=23))
    assert tasks.notifications_delete_old.delay().get() == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {old_unread.pk, recent_read.pk, edge.pk}


def test_cleanup_runs_nightly_from_beat():
    from xiaoqitong.celery import app

    entry = app.conf.beat_schedule["core.notifications_delete_old"]
    assert entry["task"] == "core.notifications_delete_old"
    assert entry["task"] in app.tasks
