from django.conf import settings

from .navigation import menu_for


def shell(request):
    user = getattr(request, "user", None)
    return {
        "site_name": settings.XQT_SITE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "menu": menu_for(user) if user is not None and user.is_authenticated else [],
    }
