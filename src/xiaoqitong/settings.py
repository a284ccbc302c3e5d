"""Django settings. Every value comes from an environment variable with a safe default;
the README lists them all. Nothing here names a city: the deployment is data."""

import datetime
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("XQT_VAR_DIR", REPO_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("XQT_SECRET_KEY")
    if key:
        return key
    # A key generated once per installation and kept beside the data, so sessions survive restarts
    # without anyone having to invent a secret for a local or demo install.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("XQT_DEBUG")
DEMO_MODE = env_bool("XQT_DEMO_MODE")
DEMO_PASSWORD = "xqt-demo-2026"  # noqa: S105  (only accepted while DEMO_MODE is on; see orgs.auth)
ALLOWED_HOSTS = env_list("XQT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# Behind HTTPS (production): secure cookies, HSTS and redirects. Off by default for the local demo.
HTTPS = env_bool("XQT_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
# HSTS for the site's own subdomains too, and the "preload" flag (which only takes effect once the domain's
# owner submits it to the browsers' list); XQT_HSTS_PRELOAD=0 drops the flag (check --deploy then warns W021).
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("XQT_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# A session lasts at most XQT_SESSION_HOURS after login, and ends after XQT_IDLE_MINUTES without a request
# (core.security.IdleTimeoutMiddleware; 0 turns the idle limit off).
SESSION_COOKIE_AGE = int(float(os.environ.get("XQT_SESSION_HOURS", "8")) * 3600)
XQT_IDLE_MINUTES = int(os.environ.get("XQT_IDLE_MINUTES", "60"))
CSRF_FAILURE_VIEW = "xiaoqitong.core.security.csrf_failure"
CSRF_TRUSTED_ORIGINS = env_list("XQT_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "import_export",
    "django_htmx",
    "csp",
    "axes",
    "xiaoqitong.core",
    "xiaoqitong.reference",
    "xiaoqitong.orgs",
    "xiaoqitong.schools",
    "xiaoqitong.enterprises",
    "xiaoqitong.matching",
    "xiaoqitong.analytics",
    "xiaoqitong.cooperation",
    "xiaoqitong.quality",
    "xiaoqitong.events",
    "xiaoqitong.certification",
    "xiaoqitong.governance",
    "xiaoqitong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xiaoqitong.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xiaoqitong.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xiaoqitong.core.security.IdleTimeoutMiddleware",  # after auth and messages: logs out, says why
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into the login page
]

ROOT_URLCONF = "xiaoqitong.urls"
WSGI_APPLICATION = "xiaoqitong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xiaoqitong.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xiaoqitong.sqlite3'}"),
        conn_max_age=int(os.environ.get("XQT_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
    )
    # A transaction takes the write lock when it begins: two concurrent writers then wait for each other
    # (busy_timeout) instead of failing with "database is locked" when a reader upgrades to a writer.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
# The lockout backend comes first: it refuses a locked account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["xiaoqitong.orgs.auth.LockoutBackend", "xiaoqitong.orgs.auth.PlatformBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "xiaoqitong.orgs.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Login throttling (django-axes, see orgs.lockout): XQT_LOGIN_FAILURES failed logins of one account within
# XQT_LOCKOUT_MINUTES lock it for XQT_LOCKOUT_MINUTES; XQT_LOGIN_FAILURES_PER_ADDRESS failures from one client
# address (any accounts) lock the address. The address limit is higher because a school lab or an office sits
# behind one address. Behind a reverse proxy, XQT_PROXY_COUNT says how many set X-Forwarded-For.
AXES_FAILURE_LIMIT = int(os.environ.get("XQT_LOGIN_FAILURES", "5"))
XQT_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("XQT_LOGIN_FAILURES_PER_ADDRESS", "50"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("XQT_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "xiaoqitong.orgs.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "xiaoqitong.orgs.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "xiaoqitong.orgs.lockout.client_ip"
AXES_USERNAME_CALLABLE = "xiaoqitong.orgs.lockout.client_username"
XQT_PROXY_COUNT = int(os.environ.get("XQT_PROXY_COUNT", "0"))
AXES_RESET_ON_SUCCESS = True
# Attempts while locked do not prolong the lock: the person is told a time and it holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("XQT_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("XQT_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the source tree when collectstatic has not run
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Upload caps in MB (core/uploads.py): attachments, bulk-import tables, videos, and what a zip-based file
# (xlsx, docx, pptx, ods) may inflate to.
XQT_UPLOAD_MAX_MB = float(os.environ.get("XQT_UPLOAD_MAX_MB", "50"))
XQT_IMPORT_MAX_MB = float(os.environ.get("XQT_IMPORT_MAX_MB", "50"))
XQT_VIDEO_MAX_MB = float(os.environ.get("XQT_VIDEO_MAX_MB", "500"))
XQT_UNZIPPED_MAX_MB = float(os.environ.get("XQT_UNZIPPED_MAX_MB", "1024"))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Redis down must not take the site down: the cache answers "nothing cached" (core.cache), sessions live
    # in the database with Redis as their cache, and tasks that cannot be sent wait in the database
    # (core.jobs).
    CACHES = {
        "default": {
            "BACKEND": "xiaoqitong.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "results", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # the exchange tables: kombu's default is a "control" folder in the current directory
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{_broker_dir / 'results'}"
CELERY_TASK_ALWAYS_EAGER = env_bool("XQT_TASKS_EAGER")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Nothing waits for a task's return value (each task writes its outcome on its own rows, and every run is
# recorded by core.jobs); sending a task then needs only the broker, not the result store as well.
CELERY_TASK_IGNORE_RESULT = True
# A page that queues a task waits at most about a second for a broker that is down, then keeps the task in
# the database (core.jobs.dispatch) and answers.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.5,
}
# A run whose worker answers no ping and has shown no progress for this long is marked lost (core.jobs).
XQT_JOB_STALE_MINUTES = int(os.environ.get("XQT_JOB_STALE_MINUTES", "30"))

REST_FRAMEWORK = {
    # Token first: unauthenticated API calls then answer 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "xiaoqitong.orgs.auth.PlatformTokenAuthentication",
        "xiaoqitong.orgs.auth.PlatformSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["xiaoqitong.core.drf.PolicyPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "xiaoqitong.core.drf.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "xiaoqitong.core.drf.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("XQT_TOKEN_RATE", "20/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "校企通 API",
    "DESCRIPTION": "校企通 (XiaoQiTong) REST API, version 1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # ReDoc is not offered: its page loads web fonts from outside, and Swagger UI covers the need.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # `check --deploy` is about the deployment; the schema's naming warnings belong to the API's own tests
    # (tests/core/test_api_fuzz.py runs against the schema) and would otherwise drown the security checks.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# Content security policy (django-csp): scripts only from our own static files, no inline script, no eval.
# Styles keep 'unsafe-inline': templates carry style="" attributes and small <style> blocks, Bootstrap and
# ECharts set inline styles, and htmx adds its indicator style; inline styles cannot run code.
# img-src allows data: and blob: for ECharts' exported images and the check-in scanner's photo preview.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],  # the report file sets its own policy to sit in our report page
    }
}

DJANGO_TABLES2_TEMPLATE = "core/_table.html"
FILTERS_EMPTY_CHOICE_LABEL = _("全部")

# The organization whose name the shell shows (a deployment setting, not code).
XQT_SITE_NAME = os.environ.get("XQT_SITE_NAME", "校企通")
XQT_CITY_CODE = os.environ.get("XQT_CITY_CODE", "431000")
# Matching weights and thresholds over the documented defaults (matching.engine.Weights), as JSON, e.g.
# XQT_MATCH_WEIGHTS='{"text": 0.25, "stay": 0.07, "min_score": 0.1}'. A changed value rebuilds the index.
try:
    XQT_MATCH_WEIGHTS = json.loads(os.environ.get("XQT_MATCH_WEIGHTS") or "{}")
except ValueError as exc:
    raise ImproperlyConfigured(f"XQT_MATCH_WEIGHTS is not valid JSON: {exc}") from exc

# E-mail. Notifications always appear in the platform (the bell); they are also mailed, by the worker, to
# recipients with an address when a mail server is configured (XQT_EMAIL_HOST) or XQT_NOTIFY_EMAIL=1 says
# so (e.g. with XQT_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend to print them);
# XQT_NOTIFY_EMAIL=0 keeps them in the platform even with a server. None: follow XQT_EMAIL_HOST.
EMAIL_BACKEND = os.environ.get("XQT_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("XQT_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("XQT_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("XQT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("XQT_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("XQT_EMAIL_TLS")  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env_bool("XQT_EMAIL_SSL")  # implicit TLS, usually on port 465
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("XQT_EMAIL_FROM", f"{XQT_SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
XQT_NOTIFY_EMAIL = env_bool("XQT_NOTIFY_EMAIL") if os.environ.get("XQT_NOTIFY_EMAIL") else None
# The address people reach the site at, for the links in mails (no path, no trailing slash); by default the
# first of XQT_CSRF_TRUSTED_ORIGINS, which a deployment sets to that address anyway.
XQT_BASE_URL = os.environ.get("XQT_BASE_URL", (CSRF_TRUSTED_ORIGINS or [""])[0]).rstrip("/")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("XQT_EMAIL_TLS and XQT_EMAIL_SSL exclude each other: set one of them.")

# One line per record on the console, with the request id (core.logs); XQT_LOG_FORMAT=json for a collector.
LOG_FORMAT = os.environ.get("XQT_LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("XQT_LOG_FORMAT must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "xiaoqitong.core.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {"()": "xiaoqitong.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("XQT_LOG_LEVEL", "INFO")},
    # axes: the lockouts and failed logins (WARNING), not every successful login (its AccessLog keeps those).
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
