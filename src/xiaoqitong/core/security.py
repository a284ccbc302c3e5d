"""Web security pieces that know no domain: the idle-session limit and the CSRF refusal page.

The rest of the security settings (cookies, HSTS, the content security policy, login lockout) are plain
settings; see settings.py and orgs.lockout."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# The session key holding the time of the last request (seconds since the epoch).
LAST_SEEN_KEY = "_xqt_last_seen"
# The last-seen time is written at most once a minute: writing the session on every request would cost a
# database (or cache) write per page.
TOUCH_INTERVAL = 60


class IdleTimeoutMiddleware:
    """Log a signed-in person out after ``XQT_IDLE_MINUTES`` without a request (0: never).

    Sits after AuthenticationMiddleware and MessageMiddleware. The page then asks for the login as for any
    anonymous visitor, with a message saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.XQT_IDLE_MINUTES * 60
        user = getattr(request, "user", None)
        if limit > 0 and user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > limit:
                logout(request)  # flushes the session and makes request.user anonymous
                messages.info(
                    request,
                    _("您已 %(minutes)d 分钟没有操作，为保护账号安全已自动退出，请重新登录。")
                    % {"minutes": settings.XQT_IDLE_MINUTES},
                )
            elif last_seen is None or now - last_seen >= TOUCH_INTERVAL:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def stamp_session_at_login(sender, request, user, **kwargs):
    """``user_logged_in`` receiver (connected in orgs.auth, which every login loads): a new session starts
    with its last-seen time, so the first page after login does not write the session again."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


def csrf_failure(request, reason=""):
    """The refusal of a form or an API call without a valid CSRF token: in Chinese, in the site's shell
    (settings.CSRF_FAILURE_VIEW). The English ``reason`` stays in the log, not on the page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("CSRF 校验失败，请求被拒绝。请刷新页面后重试。")},
            status=403,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, "403_csrf.html", status=403)
