"""Login throttling and lockout, on django-axes.

django-axes records failed logins (its AccessAttempt table) and refuses a locked account or address in its
authentication backend (orgs.auth.LockoutBackend), which sits before ours in AUTHENTICATION_BACKENDS; so the
login page, the admin login and the API token endpoint are all covered. This module adds what the platform
needs on top:

- two limits: XQT_LOGIN_FAILURES for one account, XQT_LOGIN_FAILURES_PER_ADDRESS (higher) for one client
  address across accounts, since a school's computer room or an office reaches us from one address;
- the refusal in Chinese with the minutes left, on the login page (and as JSON on the API);
- one audit record when an account or address gets locked, and one when the platform admin unlocks it
  (``xiaoqitong unlock_login``; the admin's "Access attempts" list can delete the records as well).
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.db.models import Max, Sum
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core.models import AuditAction


def client_ip(request) -> str | None:
    """The client's address (settings.AXES_CLIENT_IP_CALLABLE). Behind XQT_PROXY_COUNT reverse proxies, the
    address the outermost of them saw, from X-Forwarded-For; a client cannot forge that entry, only the ones
    to its left."""
    meta = request.META
    count = settings.XQT_PROXY_COUNT
    if count > 0:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return meta.get("REMOTE_ADDR")


def client_username(request, credentials=None) -> str | None:
    """The username an attempt names (settings.AXES_USERNAME_CALLABLE): axes' own rule (the credentials, else
    the posted form), cut to the longest username there can be. The API token endpoint takes a name of any
    length, and axes' table holds 255 characters: a longer one would fail on PostgreSQL."""
    if credentials:
        name = credentials.get("username")
    else:
        name = getattr(request, "data", request.POST).get("username")
    if not isinstance(name, str):
        return name
    return name.replace("\x00", "")[: get_user_model()._meta.get_field("username").max_length]


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a separate, higher limit per client address, and an audit record
    when a lock begins (settings.AXES_HANDLER)."""

    def _failures(self, request, credentials) -> tuple[int, int]:
        # One queryset per AXES_LOCKOUT_PARAMETERS entry, in order: ["username", "ip_address"].
        account, address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return account, address

    def get_failures(self, request, credentials=None) -> int:
        """The failure count that axes compares with AXES_FAILURE_LIMIT: the account's own count, or the
        address's count scaled so that it reaches the limit exactly when the address reaches
        XQT_LOGIN_FAILURES_PER_ADDRESS (floor(a * L / A) >= L  <=>  a >= A)."""
        account, address = self._failures(request, credentials)
        limit = settings.AXES_FAILURE_LIMIT
        return max(account, address * limit // max(settings.XQT_LOGIN_FAILURES_PER_ADDRESS, 1))

    def minutes_left(self, request, credentials=None) -> int:
        """Whole minutes (at least 1) until the lock on this request's account or address ends."""
        latest = None
        for attempts in self.get_user_attempts(request, credentials):
            time = attempts.aggregate(t=Max("attempt_time"))["t"]
            if time is not None and (latest is None or time > latest):
                latest = time
        if latest is None:
            return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
        left = (latest + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds()
        return max(1, math.ceil(left / 60))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        already_locked = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and request.axes_locked_out and not already_locked:
            account, address = self._failures(request, credentials)
            _record_lockout(
                username=get_client_username(request, credentials) or "",
                ip_address=request.axes_ip_address or "",
                account_failures=account,
                address_failures=address,
            )


def _record_lockout(*, username: str, ip_address: str, account_failures: int, address_failures: int) -> None:
    """The audit record of a lock that has just begun (the system is the actor; the account, if it exists,
    is the object)."""
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit.record(
        actor=None,
        action=AuditAction.OTHER,
        verb="login_lockout",
        instance=user,
        model=get_user_model(),
        object_repr=username or ip_address,
        changes={
            "username": username,
            "ip_address": ip_address,
            "account_failures": account_failures,
            "address_failures": address_failures,
        },
    )


def lockout_message(request, credentials=None) -> str:
    minutes = AxesProxyHandler.get_implementation().minutes_left(request, credentials)
    return _("登录失败次数过多，请 %(minutes)d 分钟后再试。") % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login attempt gets (settings.AXES_LOCKOUT_CALLABLE): the login page again, with
    the username kept and the reason in Chinese, status 429; JSON on the API."""
    message = lockout_message(request, credentials)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429, json_dumps_params={"ensure_ascii": False})
    username = get_client_username(request, credentials) or ""
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "lockout_message": message,
        "next": request.POST.get("next", "") or request.GET.get("next", ""),
    }
    response = TemplateResponse(request, "registration/login.html", context, status=429)
    return response.render()


@transaction.atomic
def login_unlock(*, actor, username: str = "", ip_address: str = "") -> int:
    """Lift the lock on an account (its failed logins from every address) or on a client address; the
    number of failure records removed. Recorded in the audit log with the admin as actor."""
    if not username and not ip_address:
        raise ValueError(_("请指定要解锁的用户名或客户端地址。"))
    removed = 0
    if username:
        removed += AxesProxyHandler.reset_attempts(username=username)
    if ip_address:
        removed += AxesProxyHandler.reset_attempts(ip_address=ip_address)
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit.record(
        actor=actor,
        action=AuditAction.OTHER,
        verb="login_unlock",
        instance=user,
        model=get_user_model(),
        object_repr=username or ip_address,
        changes={"username": username, "ip_address": ip_address, "removed": removed},
    )
    return removed
