"""In-app notifications, copied by e-mail when the deployment has a mail server.

Services tell people about a change with :func:`notify`; the rows are written when the change commits
(nothing is announced for a change that rolled back) and the mails are sent by the worker. A person reads
their notifications at ``/core/notifications/`` (the bell in the navigation bar shows the unread count) or
through ``/api/v1/core/notifications/``, and marks them read there; the nightly clean-up deletes read
notifications after :data:`KEEP_READ_DAYS` days.

Marking one's own notifications read is personal bookkeeping, like reading mail: it writes no audit record.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Notification

log = logging.getLogger(__name__)

TEXT_LENGTH = Notification._meta.get_field("text").max_length
URL_LENGTH = Notification._meta.get_field("url").max_length
SUBJECT_LENGTH = 60
#: Read notifications older than this are deleted every night (unread ones stay until they are read).
KEEP_READ_DAYS = 180


def notify(users: Iterable[Any], text: str, url: str = "", *, email_subject: str | None = None) -> None:
    """Tell ``users`` (an iterable of Users, or one User; ``None`` and inactive users skipped, duplicates
    told once) ``text`` — already translated by the caller, made one line and cut to 300 characters — with
    an optional link ``url`` to a page of this site (a path such as ``/events/12/``; anything else raises
    ValueError).

    The rows are written when the surrounding transaction commits (at once outside a transaction); when
    e-mail is on (:func:`email_enabled`) the worker then mails recipients who have an address, with
    ``email_subject`` (default: the site name and the start of the text) and the link made absolute with
    ``settings.XQT_BASE_URL``."""
    if isinstance(users, models.Model):  # one person
        users = [users]
    recipients: dict[int, Any] = {}
    for user in users:
        if user is None or user.pk is None or not user.is_active:
            continue
        recipients.setdefault(user.pk, user)
    if not recipients:
        return
    text = _fit(" ".join(str(text).split()), TEXT_LENGTH)  # one line: it is also a mail subject's source
    url = str(url or "")
    if url and not is_local_path(url):
        raise ValueError(f"notify(url=…) takes a path of this site such as /events/12/, not {url!r}")
    if len(url) > URL_LENGTH:
        raise ValueError(f"notify(url=…) is longer than {URL_LENGTH} characters")
    subject = _fit(" ".join(str(email_subject).split()), 200) if email_subject else ""
    ids = list(recipients)
    mail_ids = [pk for pk, user in recipients.items() if getattr(user, "email", "")]

    def write() -> None:
        Notification.objects.bulk_create([Notification(user_id=pk, text=text, url=url) for pk in ids])
        if mail_ids and email_enabled():
            _queue_mail(mail_ids, text, url, subject)

    transaction.on_commit(write)


def email_enabled() -> bool:
    """Whether notifications are mailed: ``settings.XQT_NOTIFY_EMAIL`` when it is set (True/False), else
    whether a mail server is configured (``settings.EMAIL_HOST``)."""
    explicit = getattr(settings, "XQT_NOTIFY_EMAIL", None)
    if explicit is not None:
        return bool(explicit)
    return bool(getattr(settings, "EMAIL_HOST", ""))


def _queue_mail(user_ids: list[int], text: str, url: str, subject: str) -> None:
    from . import jobs
    from .tasks import notification_mail

    try:
        jobs.dispatch(notification_mail, user_ids, text, url, subject)  # kept and sent later if Redis is down
    except Exception:  # a failing mail server with eager tasks: the in-app rows are written anyway
        log.warning("could not send the e-mail copies of a notification", exc_info=True)


def _fit(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def is_local_path(url: str) -> bool:
    """Whether ``url`` is a path of this site (``/…``): no scheme, no host, not ``//host``."""
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


def absolute_url(path: str) -> str:
    """``path`` of this site as an address to put in a mail (``settings.XQT_BASE_URL`` + path)."""
    return f"{settings.XQT_BASE_URL.rstrip('/')}{path}"


def mail_subject(text: str, subject: str = "") -> str:
    return subject or f"[{settings.XQT_SITE_NAME}] {_fit(text, SUBJECT_LENGTH)}"


# --- reading and marking read (the page and the API) ------------------------------------------------------


def notifications_for(user):
    """The user's notifications, newest first (their own only: platform administrators included)."""
    return Notification.objects.restrict(user, "view").order_by("-created_at", "-id")


def unread_count(user) -> int:
    """How many of the user's notifications are unread: one query; none for an anonymous user."""
    if user is None or not user.is_authenticated:
        return 0
    return notifications_for(user).filter(read_at__isnull=True).count()


def unread_count_for_request(request) -> int:
    """:func:`unread_count` of the request's user, counted once per request (the navigation bar and the
    page may both ask)."""
    cached = getattr(request, "_xqt_unread_notifications", None)
    if cached is None:
        cached = unread_count(getattr(request, "user", None))
        request._xqt_unread_notifications = cached
    return cached


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (again: keeps the first reading time). Another
    person's notification is refused as if it did not exist."""
    updated = (
        Notification.objects.restrict(actor, "change")
        .filter(pk=notification.pk, read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    if not updated and not Notification.objects.restrict(actor, "change").filter(pk=notification.pk).exists():
        raise Notification.DoesNotExist
    notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; return how many were unread."""
    return (
        Notification.objects.restrict(actor, "change")
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def notifications_delete_old(*, days: int = KEEP_READ_DAYS) -> int:
    """Delete the read notifications created more than ``days`` days ago (the nightly task); return how
    many. Unread ones are kept whatever their age."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _by_model = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted
