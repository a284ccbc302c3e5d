from django.conf import settings

from .navigation import menu_for


def shell(request):
    user = getattr(request, "user", None)
    return {
        "site_name": settings.XQT_SITE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "demo_password": settings.DEMO_PASSWORD if settings.DEMO_MODE else "",
        "menu": menu_for(user) if user is not None and user.is_authenticated else [],
    }
