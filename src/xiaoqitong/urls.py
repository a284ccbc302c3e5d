from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .core import pages
from .orgs import views as org_views

# App name -> API router; each app's api.py owns its router.
API_APPS = [
    "core",
    "reference",
    "orgs",
    "schools",
    "enterprises",
    "matching",
    "analytics",
    "cooperation",
    "quality",
    "events",
    "certification",
    "governance",
]

admin.site.site_header = f"{settings.XQT_SITE_NAME} 管理后台"
admin.site.site_title = settings.XQT_SITE_NAME


def _api_patterns():
    from importlib import import_module

    return [
        path(f"{name}/", include(import_module(f"xiaoqitong.{name}.api").router.urls)) for name in API_APPS
    ]


urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, extra_context={"site_name": settings.XQT_SITE_NAME}
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", org_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("core/", include("xiaoqitong.core.urls")),
    path("reference/", include("xiaoqitong.reference.urls")),
    path("orgs/", include("xiaoqitong.orgs.urls")),
    path("schools/", include("xiaoqitong.schools.urls")),
    path("enterprises/", include("xiaoqitong.enterprises.urls")),
    path("matching/", include("xiaoqitong.matching.urls")),
    path("analytics/", include("xiaoqitong.analytics.urls")),
    path("cooperation/", include("xiaoqitong.cooperation.urls")),
    path("quality/", include("xiaoqitong.quality.urls")),
    path("events/", include("xiaoqitong.events.urls")),
    path("certification/", include("xiaoqitong.certification.urls")),
    path("governance/", include("xiaoqitong.governance.urls")),
    path("public/certified/", include("xiaoqitong.certification.public_urls")),  # no login: the public list
    path("public/data/", include("xiaoqitong.analytics.public_urls")),  # no login: published tables only
    path("api/v1/auth/token/", org_views.ObtainTokenView.as_view(), name="api_token"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up script as a file: the content security policy allows no
    # inline script.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/v1/", include(_api_patterns())),
]

handler404 = "xiaoqitong.core.pages.page_not_found"
handler500 = "xiaoqitong.core.pages.server_error"
