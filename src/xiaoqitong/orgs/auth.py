"""Authentication: demo accounts work only while demo mode is on; locked accounts and addresses are refused
first (orgs.lockout); the session API refuses a missing CSRF token in Chinese."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from xiaoqitong.core.security import stamp_session_at_login

# Every login loads this module first (the backends of AUTHENTICATION_BACKENDS live here), so the receiver
# is connected before the first login of a process.
user_logged_in.connect(stamp_session_at_login, dispatch_uid="xqt-stamp-session-at-login")


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first in AUTHENTICATION_BACKENDS: refuses a locked account or address before any
    password is tried. A call without a request comes from code (a test's ``Client.login``, the shell), not
    from a person at a login form or the token endpoint, and is not counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PlatformBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_demo", False) and not settings.DEMO_MODE:
            return False
        return super().user_can_authenticate(user)


class PlatformTokenAuthentication(TokenAuthentication):
    """API tokens obey the same rule: a demo account's token stops working when demo mode is off."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if not PlatformBackend().user_can_authenticate(user):
            raise exceptions.AuthenticationFailed(_("账号已停用或演示模式已关闭。"))
        return user, token


class PlatformSessionAuthentication(SessionAuthentication):
    """DRF's session authentication with its CSRF refusal in Chinese (DRF's reason text is English)."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(_("CSRF 校验失败，请求被拒绝。请刷新页面后重试。")) from None


class PlatformSessionScheme(SessionScheme):
    """The OpenAPI description of the session authentication above (the cookie, as DRF's own)."""

    target_class = PlatformSessionAuthentication
