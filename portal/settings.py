"""The one settings module. Every value comes from the environment; a bad value fails loudly.

See the settings table in README.md.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from portal.envvars import (
    env,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_networks,
    env_rate,
)
from portal.observability.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY, or DEBUG=1 for a development default."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "csp",
    "portal",
    "contracts_app",
    "integrations",
]

MIDDLEWARE = [
    # The request id (X-Request-ID, in every log line and answer), then the client's address
    # behind TRUSTED_PROXIES, then the request metrics (portal/observability/middleware.py).
    "portal.observability.middleware.RequestIdMiddleware",
    "portal.observability.middleware.ClientAddressMiddleware",
    "portal.observability.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every answer after static files (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Before anything that reads the request into a query (the session cookie, views): a NUL in
    # a path, query, header, cookie or body is a 404/400 (portal/nul_guard.py).
    "portal.nul_guard.NulGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Cache-Control: private, no-store (and Vary: Authorization) on personal answers.
    "portal.cache_headers.PrivateAnswersMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "csp.context_processors.nonce",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default (WAL, busy timeout, IMMEDIATE transactions so web, worker and beat can share
# one file); PostgreSQL or any other engine when DATABASE_URL is set.
SQLITE_PATH = VAR_DIR / "db.sqlite3"
_database_url = os.environ.get("DATABASE_URL", "")
if _database_url:
    _scheme = _database_url.split("://", 1)[0] if "://" in _database_url else ""
    if _scheme not in environ.Env.DB_SCHEMES:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a valid database URL: unknown scheme {_scheme!r} "
            "(use postgres://user@host:5432/name or sqlite:////absolute/path.sqlite3)."
        )
    try:
        _db = env.db_url("DATABASE_URL")
    except (ImproperlyConfigured, KeyError, ValueError) as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(SQLITE_PATH)}

if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
        }
    )
    # A file, not :memory:, so a live server and a worker process can see the test database.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    _db["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    _db["CONN_HEALTH_CHECKS"] = True

DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://.")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="caio"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Seconds the catalogue list keeps the count and facet counts of one filter set in the cache;
# any change to the catalogue drops them at once (integrations/catalogue/publishing.py). Needs a
# cache every process shares (Redis), so it is off (0) without REDIS_URL.
CATALOGUE_COUNTS_CACHE_SECONDS = env_int("CATALOGUE_COUNTS_CACHE_SECONDS", 60 if REDIS_URL else 0)

CELERY_BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR", VAR_DIR / "broker"))
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
FILESYSTEM_BROKER_FOLDERS = ("data_folder_in", "processed_folder", "control_folder")


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's filesystem transport, with every folder it writes under `folder`."""
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


CELERY_BROKER_TRANSPORT_OPTIONS: dict = (
    {"visibility_timeout": 3600} if REDIS_URL else filesystem_broker_options(CELERY_BROKER_DIR)
)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="caio")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection around EVERY task unless this is set (a
# new PostgreSQL session per task); with it, every N tasks. integrations.tasks still drops broken
# or CONN_MAX_AGE-expired connections after each task, as Django does after each request.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000, minimum=0)
CELERY_WORKER_DISABLE_RATE_LIMITS = True  # no task has a rate limit
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90, minimum=1)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- CAIO core ------------------------------------------------------------------------------
CAIO_CORE_URL = env.str("CAIO_CORE_URL", default="").rstrip("/")
if CAIO_CORE_URL and not CAIO_CORE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"CAIO_CORE_URL={CAIO_CORE_URL!r} must be an http(s) URL.")
CAIO_CORE_TOKEN = env.str("CAIO_CORE_TOKEN", default="")
# How the portal proves itself to the core: a bearer token (CAIO_CORE_TOKEN), or nothing for a
# core that needs none. A core URL without a token would fail every call with a 401.
CAIO_CORE_AUTH = env_choice("CAIO_CORE_AUTH", ("bearer", "none"), "bearer")
if CAIO_CORE_URL and CAIO_CORE_AUTH == "bearer" and not CAIO_CORE_TOKEN:
    raise ImproperlyConfigured(
        "CAIO_CORE_URL is set but CAIO_CORE_TOKEN is empty: the core would refuse every call. "
        "Set CAIO_CORE_TOKEN, or CAIO_CORE_AUTH=none for a core that needs no token."
    )
if CAIO_CORE_AUTH == "none" and CAIO_CORE_TOKEN:
    raise ImproperlyConfigured(
        "CAIO_CORE_TOKEN is set but CAIO_CORE_AUTH=none would not send it: unset one of them."
    )
CAIO_CORE_TIMEOUT = env.float("CAIO_CORE_TIMEOUT", default=10.0)
# The circuit breaker (integrations/pipeline/breaker.py): after this many timeouts or 5xx in a
# row, no worker calls the core for the cool-down; then one probe call decides.
CORE_BREAKER_THRESHOLD = env_int("CORE_BREAKER_THRESHOLD", 5, minimum=1)
CORE_BREAKER_COOLDOWN = env_float("CORE_BREAKER_COOLDOWN", 30.0, minimum=0.1)

PORTAL_REVIEW = env_choice("PORTAL_REVIEW", ("manual", "auto"), "manual")

# --- Registration pipeline (integrations/pipeline/submissions.py, docs/pipeline.md) ---------


PIPELINE_MAX_ATTEMPTS = env_int("PIPELINE_MAX_ATTEMPTS", 6, minimum=1)
PIPELINE_BACKOFF_BASE = env_float("PIPELINE_BACKOFF_BASE", 5.0, minimum=0.01)
PIPELINE_BACKOFF_MAX = env_float("PIPELINE_BACKOFF_MAX", 900.0, minimum=0.01)
# Backoffs up to this long ride on a Celery countdown; longer ones wait in the database for the
# sweeper. A countdown must end well inside Redis' visibility timeout or it is delivered twice.
PIPELINE_COUNTDOWN_MAX = env_float("PIPELINE_COUNTDOWN_MAX", 60.0)
# A claim's lease is short; the worker process holding the claim renews it every
# PIPELINE_HEARTBEAT_SECONDS while it works (integrations/pipeline/leases.py), so a killed worker's
# rows are taken back by the sweeper within a lease and a sweep interval (docs/pipeline.md).
PIPELINE_LEASE_SECONDS = env_float("PIPELINE_LEASE_SECONDS", 20.0, minimum=1.0)
PIPELINE_HEARTBEAT_SECONDS = env_float("PIPELINE_HEARTBEAT_SECONDS", 5.0, minimum=0.1)
# Each prefork worker process overlaps one registration's core call with recording the previous
# one and claiming the next (integrations/pipeline/worker.py). 0: a task does all three itself.
# On by default with Redis only: with the filesystem broker Celery runs its pool in synchronous
# mode, where the pool processes share one lock on their task queue and an idle process waits
# holding it. With the overlap a process spends the core call idle, and one killed then (SIGKILL,
# the OOM killer) would keep that lock forever and stall the pool.
PIPELINE_OVERLAP = env_bool("PIPELINE_OVERLAP", bool(REDIS_URL))
SWEEPER_GRACE_SECONDS = env_float("SWEEPER_GRACE_SECONDS", 60.0)
SWEEPER_INTERVAL_SECONDS = env_float("SWEEPER_INTERVAL_SECONDS", 10.0, minimum=1.0)
if PIPELINE_BACKOFF_MAX < PIPELINE_BACKOFF_BASE:
    raise ImproperlyConfigured("PIPELINE_BACKOFF_MAX must be at least PIPELINE_BACKOFF_BASE.")
if PIPELINE_LEASE_SECONDS < 3 * PIPELINE_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        f"PIPELINE_LEASE_SECONDS={PIPELINE_LEASE_SECONDS:g} must be at least 3 x "
        f"PIPELINE_HEARTBEAT_SECONDS={PIPELINE_HEARTBEAT_SECONDS:g}, so a live worker's lease "
        "survives two late renewals."
    )
_visibility = CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
if _visibility and PIPELINE_COUNTDOWN_MAX + CELERY_TASK_TIME_LIMIT >= _visibility:
    raise ImproperlyConfigured(
        f"PIPELINE_COUNTDOWN_MAX + CELERY_TASK_TIME_LIMIT must stay under Redis' visibility "
        f"timeout ({_visibility}s), or a delayed task is delivered twice."
    )
CELERY_BEAT_SCHEDULE = {
    "pipeline-sweep": {"task": "integrations.sweep", "schedule": SWEEPER_INTERVAL_SECONDS},
    # Beat's own heartbeat, for `manage.py portal_doctor` (portal/observability/doctor.py).
    "beat-tick": {"task": "portal.beat_tick", "schedule": SWEEPER_INTERVAL_SECONDS},
}
REQUIRE_SERVICES = env_bool("REQUIRE_SERVICES", False)

# --- Accounts and email ---------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
# Also per address across logins, with its own higher limit (portal/accounts/axes.py), so many
# usernames tried from one address are stopped too.
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
if AXES_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("AXES_ADDRESS_FAILURE_LIMIT must be at least AXES_FAILURE_LIMIT.")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "portal.accounts.axes.AddressLimitHandler"
# The client's address as the API's throttles see it (TRUSTED_PROXIES), not a forgeable header.
AXES_CLIENT_IP_CALLABLE = "portal.accounts.axes.client_ip_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no "AXES: BEGIN version ..." line before every command's output
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Lower-cased and stripped, so "Owner@Example.com " and "owner@example.com" count as one account.
# The sign-in and admin forms post the email as "username", and Django's failed-login signal
# carries it under that key too (axes would otherwise default to USERNAME_FIELD, "email").
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "portal.accounts.axes.username_from_credentials"
# Signed email-verification links expire after this many seconds (default three days).
EMAIL_VERIFICATION_MAX_AGE = env_int("EMAIL_VERIFICATION_MAX_AGE", 3 * 24 * 3600, minimum=60)

try:
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
except Exception as exc:  # noqa: BLE001 - django-environ raises several types for a bad URL
    raise ImproperlyConfigured(f"EMAIL_URL is not a valid email URL: {exc}") from None
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CAIO Developer Portal <noreply@caio.local>")
# Seconds before an SMTP connection gives up, so a hung mail server cannot hang a sign-up.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)

# Live validation in the editor: at most this many checks per window (seconds) per session.
EDITOR_VALIDATE_RATE = (
    env_int("EDITOR_VALIDATE_LIMIT", 30, minimum=1),
    env_int("EDITOR_VALIDATE_WINDOW", 10, minimum=1),
)

# --- HTTPS behind a proxy (docs/operations.md "Settings for production") ---------------------
# Off by default so tests and a local run speak plain HTTP; .env.example turns them all on.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The health checks of compose, CI and a load balancer speak plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The header in which the TLS-ending proxy says the client's scheme, e.g. X-Forwarded-Proto.
# Empty: no proxy is trusted, and a client-written header cannot make a request "secure".
PROXY_SSL_HEADER = env.str("PROXY_SSL_HEADER", default="").strip()
if PROXY_SSL_HEADER:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", PROXY_SSL_HEADER):
        raise ImproperlyConfigured(
            f"PROXY_SSL_HEADER={PROXY_SSL_HEADER!r} is not a header name like X-Forwarded-Proto."
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + PROXY_SSL_HEADER.upper().replace("-", "_"), "https")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A CSRF failure: JSON in the API's error shape under /api/, Django's page elsewhere.
CSRF_FAILURE_VIEW = "portal.views.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- The SDK's wheel, served at /sdk/ (portal/views/sdk.py) ---------------------------------
# `make install` builds it here from sdk/; the portal only reads the folder, never builds.
SDK_WHEEL_DIR = Path(os.environ.get("SDK_WHEEL_DIR", VAR_DIR / "sdk"))

# --- Content-Security-Policy (django-csp; docs/architecture.md, "Content-Security-Policy") ----
# Scripts and styles only from the portal's own files: no inline script without the request's
# nonce ({{ CSP_NONCE }}), no eval, no style="" attributes. Swagger UI and ReDoc add what they
# need on their own views only (integrations/api/views/schema.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# 1 where `collectstatic` has run (the Docker image does it at build time): whitenoise serves the
# gathered files compressed (brotli, gzip) under content-hashed names, cached for a year.
# 0 (the default): served from the source folders as they are; a checkout needs no collectstatic.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", False)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Source maps (14 MB of the API docs' bundles) are fetched only by developer tools: compressing
# them would double collectstatic's time for nothing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "integrations.api.errors.api_exception_handler",
    # Throttles count in the cache (Redis when REDIS_URL is set). Integration endpoints add a
    # ScopedRateThrottle with the scopes below (integrations/api/views/integration.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # 0: throttle by REMOTE_ADDR, which portal.observability.middleware.ClientAddressMiddleware
    # sets to the client's address behind TRUSTED_PROXIES (DRF's default, None, would trust a
    # client-written X-Forwarded-For).
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_RATE_ANON", "300/min"),
        "user": env_rate("API_RATE_USER", "1200/min"),
        "contract-validate": env_rate("API_RATE_VALIDATE", "60/min"),
        "contract-upload": env_rate("API_RATE_UPLOAD", "30/min"),
        "service-register": env_rate("API_RATE_REGISTER", "30/min"),
        "service-operation": env_rate("API_RATE_OPERATION", "30/min"),
        "service-discover": env_rate("API_RATE_DISCOVER", "120/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "integrations.api.schema.ApiAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CAIO Developer Portal API",
    "DESCRIPTION": "Validate, register and discover AI service contracts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several answers have a `status`: each choice set keeps a stable component name.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": ["active", "deprecated"],  # a listed service (ServiceSummarySerializer)
        "OperationKindEnum": "integrations.models.OperationKind",
        "OperationStatusEnum": "integrations.models.OperationStatus",
    },
    # The bearer security scheme comes from portal.authentication.BearerTokenScheme.
}

# --- Logs, metrics, proxies (portal/observability/, docs/operations.md) -------------------
LOG_FORMAT = env_choice("LOG_FORMAT", ("text", "json"), "text")
LOG_LEVEL = env_choice("LOG_LEVEL", ("debug", "info", "warning", "error", "critical"), "info").upper()
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)


if os.environ.get("API_NUM_PROXIES", "0").strip() not in ("", "0"):
    raise ImproperlyConfigured("API_NUM_PROXIES is replaced by TRUSTED_PROXIES: list the "
                               "proxies' addresses or networks (e.g. TRUSTED_PROXIES=10.0.0.0/8).")
# The reverse proxies in front of the portal. X-Forwarded-For is believed only from these, so
# throttling, the sign-in lockout and /metrics see the real client and nobody can forge it.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", "")
# /metrics answers these client addresses, or a request with "Authorization: Bearer METRICS_TOKEN".
METRICS_ALLOWED_IPS = env_networks("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters (or empty: no token).")
