from django.conf import settings

from .navigation import menu_for
from .notifications import unread_count_for_request


def shell(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        # the bell's number: counted only when a page shows it (a callable: an htmx fragment never asks),
        # once per request; nothing for anonymous visitors
        "notifications_unread": (lambda: unread_count_for_request(request)) if signed_in else 0,
        "site_name": settings.XQT_SITE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "demo_password": settings.DEMO_PASSWORD if settings.DEMO_MODE else "",
        "menu": menu_for(user) if user is not None and user.is_authenticated else [],
    }
