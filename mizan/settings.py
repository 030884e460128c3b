"""Mizan settings: one module, every deployment value read from the environment.

MIZAN_ENV=production turns on the hardened defaults that `check --deploy` expects; the
embedded default (SQLite, database task queue, console e-mail) needs no server at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mizan.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# Under pytest (which sets PYTEST_VERSION before pytest-django imports these settings) the default
# is "test": tasks run in-process at enqueue (ImmediateBackend), e-mail goes to the locmem outbox.
MIZAN_ENV = env_choice(
    "MIZAN_ENV", ["development", "production", "test"], "test" if "PYTEST_VERSION" in os.environ else "development"
)
PRODUCTION = MIZAN_ENV == "production"

DEBUG = env_bool("DEBUG", default=MIZAN_ENV == "development")
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-" + "x" * 40)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "mizan.core",
    "mizan.crm",
    "mizan.ledger",
    "mizan.billing",
    "mizan.sales",
    "mizan.api",
    "mizan.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mizan.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mizan.core.middleware.UserLanguageMiddleware",
    "mizan.core.middleware.OrganizationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mizan.urls"
WSGI_APPLICATION = "mizan.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:sign_in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:sign_in"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mizan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mizan.core.context_processors.shell",
            ],
            "builtins": ["mizan.core.templatetags.mizan_format"],
        },
    }
]


# --- Database -----------------------------------------------------------------------------
# SQLite is tuned for one web process and one worker writing at once: WAL lets readers go on
# while a writer commits, IMMEDIATE transactions take the write lock up front (no deadlock on
# lock upgrade), and the busy timeout makes a second writer wait instead of failing.
SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "var" / "mizan.sqlite3")))
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("Use SQLITE_PATH (not DATABASE_URL) for SQLite.")
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": env_str("SQLITE_TEST_PATH", "") or None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
# Tests keep a per-process cache even when REDIS_URL is set (CI sets it for the tests marked
# `redis`, which connect to it themselves): a shared Redis cache would leak state such as API
# throttle counters between xdist workers and between runs.
if REDIS_URL and MIZAN_ENV != "test":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


# --- Background tasks -----------------------------------------------------------------------
# Tests (MIZAN_ENV=test) run tasks in-process, at enqueue time, unless TASK_BACKEND says otherwise.
_DEFAULT_TASK_BACKEND = "immediate" if MIZAN_ENV == "test" else ("rq" if REDIS_URL else "database")
TASK_BACKEND = env_choice("TASK_BACKEND", ["database", "rq", "immediate"], _DEFAULT_TASK_BACKEND)
if TASK_BACKEND == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("TASK_BACKEND=rq needs REDIS_URL.")
_TASK_BACKEND_PATHS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKEND_PATHS[TASK_BACKEND], "QUEUES": ["default"]}}
if TASK_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
# Lease on running work: a task whose heartbeat is older than this is presumed dead and re-queued
# (the heartbeat renews it every third of it). Tests shorten it to a couple of seconds.
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 60, minimum=2)
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5, minimum=1)


# --- Authentication and security -----------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 30, minimum=60)
INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=300)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline scripts or styles: every script is a static file, so 'self' is all we allow.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


# --- Languages and formats ---------------------------------------------------------------------
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "mizan" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_NAME = "mizan_language"


# --- Static and media files ------------------------------------------------------------------
# Front-end packages are installed by npm (package-lock.json) and served from node_modules
# through collectstatic + WhiteNoise: no CDN, works offline.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    (prefix, NODE_MODULES / path)
    for prefix, path in [
        ("vendor/bootstrap", "bootstrap/dist"),
        ("vendor/bootstrap-icons", "bootstrap-icons/font"),
        ("vendor/htmx", "htmx.org/dist"),
        ("vendor/sortablejs", "sortablejs"),
        ("vendor/chartjs", "chart.js/dist"),
    ]
    if (NODE_MODULES / path).exists()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))


# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    {
        "production": "django.core.mail.backends.smtp.EmailBackend",
        "test": "django.core.mail.backends.locmem.EmailBackend",
    }.get(MIZAN_ENV, "django.core.mail.backends.console.EmailBackend"),
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Mizan <no-reply@mizan.local>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)


# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mizan.api.authentication.ApiTokenAuthentication",
        "mizan.api.authentication.OrganizationSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["mizan.api.permissions.IsOrganizationMember"],
    "DEFAULT_PAGINATION_CLASS": "mizan.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "mizan.api.filters.AllowListOrderingFilter",
    ],
    "EXCEPTION_HANDLER": "mizan.api.errors.exception_handler",
    # Per user (or per address when signed out), in the cache: Redis shares it between processes.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
        "anon": env_str("API_THROTTLE_ANON", "120/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mizan API",
    "DESCRIPTION": (
        "CRM + ERP for service businesses. Every request acts inside one organization.\n\n"
        "**Authentication.** Send a personal token as `Authorization: Bearer mzn_…` (or `Token mzn_…`); "
        "a token acts in the one organization it was created in. The browser session works too "
        "(unsafe methods need the `X-CSRFToken` header) and acts in the organization chosen in the UI. "
        "When an organization requires two-factor sign-in, members without it get 403 "
        "`two_factor_required`, with a token as well as with a session.\n\n"
        '**Errors** always look like `{"code", "message", "field"}`; validation errors also list '
        "every problem in `errors`. Messages follow `Accept-Language`, else the user's language. "
        "401 = not signed in or bad token, 403 = not allowed, 404 = no such record in this "
        "organization, 429 = slow down (see `Retry-After`).\n\n"
        "**Lists** take `page` and `page_size` (at most 200), the filters shown per endpoint, and "
        "`ordering` over the fields each endpoint lists (`-` for descending); ordering by any other "
        "field is a 400 `invalid_ordering`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc files come from drf-spectacular-sidecar (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "mizan.core.roles.Role",
        "LanguageEnum": "mizan.settings.LANGUAGES",
        # A deal's status and a stage's kind share one choice set: open / won / lost.
        "OpenWonLostEnum": "mizan.crm.models.pipeline.Stage.Kind",
        # Ledger choice sets (fields named role, kind, state and currency collide across apps).
        "AccountRoleEnum": "mizan.ledger.models.AccountRole",
        "AccountTypeEnum": "mizan.ledger.models.AccountType",
        "JournalKindEnum": "mizan.ledger.models.JournalKind",
        "AnalyticKindEnum": "mizan.ledger.models.AnalyticKind",
        "JournalEntryKindEnum": "mizan.ledger.models.JournalEntry.Kind",
        "JournalEntryStateEnum": "mizan.ledger.models.JournalEntry.State",
        "OpenClosedEnum": "mizan.ledger.models.Period.State",
        "CurrencyEnum": "mizan.core.countries.CURRENCY_CHOICES",
        # Billing and sales choice sets.
        "TaxKindEnum": "mizan.billing.models.TaxKind",
        "VatExemptionReasonEnum": "mizan.billing.models.VatExemptionReason",
        "TaxRoundingEnum": "mizan.billing.models.BillingSettings.Rounding",
        "ProductKindEnum": "mizan.sales.models.ProductKind",
        "ProductUnitEnum": "mizan.sales.models.ProductUnit",
        # Invoices and credit notes ("kind", "status" and "language" collide with CRM and core fields).
        "InvoiceKindEnum": "mizan.billing.models.Invoice.Kind",
        "InvoiceStatusEnum": "mizan.billing.models.Invoice.Status",
        "DocumentLanguageEnum": "mizan.billing.models.DocumentLanguage",
        "QuoteStatusEnum": "mizan.billing.models.Quote.Status",
    },
}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR"], "INFO")},
    # WeasyPrint and fontTools narrate every PDF step at INFO; only their problems are worth a line.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}
