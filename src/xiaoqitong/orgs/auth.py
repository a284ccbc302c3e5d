"""Authentication: demo accounts work only while demo mode is on."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


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
