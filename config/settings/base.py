"""Settings for every deployment. Environment variables are read in config/env.py."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env_str("ZHIBAN_DATA_DIR", str(BASE_DIR / "var")))
if not DATA_DIR.is_absolute():
    DATA_DIR = BASE_DIR / DATA_DIR
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("ZHIBAN_DEBUG", False)
SECRET_KEY = env_str("ZHIBAN_SECRET_KEY")
ALLOWED_HOSTS = env_list("ZHIBAN_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("ZHIBAN_CSRF_TRUSTED_ORIGINS")
if not DEBUG:
    missing = [
        name
        for name, value in (
            ("ZHIBAN_SECRET_KEY", SECRET_KEY),
            ("ZHIBAN_ALLOWED_HOSTS", ALLOWED_HOSTS),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "With ZHIBAN_DEBUG off these must be set: " + ", ".join(missing)
        )
else:
    SECRET_KEY = (
        SECRET_KEY or "zhiban-insecure-development-key-do-not-use-in-production"
    )
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "zhiban.core",
    "zhiban.org",
    "zhiban.accounts",
    "zhiban.audit",
    "zhiban.inbox",
    "zhiban.notices",
    "zhiban.workflow",
    "zhiban.seals",
    "zhiban.vehicles",
    "zhiban.documents",
    "zhiban.supervision",
    "zhiban.meetings",
    "zhiban.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhiban.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhiban.core.middleware.HtmxLoginRedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhiban" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["django.templatetags.static", "django.templatetags.i18n"],
        },
    }
]

# --- Database -------------------------------------------------------------------
SQLITE_OPTIONS = {
    # Writers take the lock when the transaction starts, so two requests never
    # deadlock upgrading a read lock; WAL lets readers go on meanwhile.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA busy_timeout=20000;"
    ),
}
# Persistent connections: opening one (and, on SQLite, running the PRAGMAs above) on
# every request cost more than the whole query work of a list page (bench/README.md).
CONN_MAX_AGE = 600
DATABASE_URL = env_str("ZHIBAN_DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        )
    }
    DATABASES["default"].setdefault("OPTIONS", {})
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # A SQLite file named by URL (a test's Celery worker) behaves like the default.
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    elif env_bool("ZHIBAN_DB_PREPARED_STATEMENTS", default=True):
        # PostgreSQL: bind parameters on the server and prepare a statement once a
        # connection has sent it five times, so the hot paths skip parsing and
        # planning (an approval's SQL time fell by a third: ADR 14). Django turns
        # this off for connection poolers in transaction mode (PgBouncer): set
        # ZHIBAN_DB_PREPARED_STATEMENTS=false behind one.
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "zhiban.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every process of the server: a file folder on the embedded
# default, Redis when ZHIBAN_CACHE_URL is set (several machines). Shared, so that a
# cached navigation cleared on a role change, a signed-out session and an LDAP outage
# are the same in every worker.
CACHE_URL = env_str("ZHIBAN_CACHE_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
        }
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    )
}
# Sessions are read from the cache and written through to the database, which
# stays the record: one database round trip less on every page.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Authentication -------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "zhiban.accounts.ldap.ResilientLDAPBackend",
    "zhiban.accounts.backends.ModelBackend",
]
PASSWORD_MIN_LENGTH = env_int("ZHIBAN_PASSWORD_MIN_LENGTH", 10)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhiban.accounts.validators.CharacterClassValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AXES_FAILURE_LIMIT = env_int("ZHIBAN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("ZHIBAN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# The lockout is shown on the login page itself; it lasts the cool-off time from the
# failure that caused it (attempts while locked do not extend it).
AXES_LOCKOUT_CALLABLE = "zhiban.accounts.views.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False

LDAP_URI = env_str("ZHIBAN_LDAP_URI")
LDAP_BIND_DN = env_str("ZHIBAN_LDAP_BIND_DN")
LDAP_BIND_PASSWORD = env_str("ZHIBAN_LDAP_BIND_PASSWORD")
LDAP_USER_SEARCH_BASE = env_str("ZHIBAN_LDAP_USER_SEARCH_BASE")
LDAP_USER_FILTER = env_str("ZHIBAN_LDAP_USER_FILTER", "(uid=%(user)s)")
LDAP_TIMEOUT = env_int("ZHIBAN_LDAP_TIMEOUT", 3)
# Unit that receives a department the directory names but Zhiban lacks (by unit code);
# empty: the headquarters unit.
LDAP_DEFAULT_UNIT_CODE = env_str("ZHIBAN_LDAP_DEFAULT_UNIT")
LDAP_ATTRIBUTES = {
    "employee_number": env_str("ZHIBAN_LDAP_ATTR_EMPLOYEE_NUMBER", "employeeNumber"),
    "name": env_str("ZHIBAN_LDAP_ATTR_NAME", "cn"),
    "mobile": env_str("ZHIBAN_LDAP_ATTR_MOBILE", "mobile"),
    "email": env_str("ZHIBAN_LDAP_ATTR_EMAIL", "mail"),
    "department": env_str("ZHIBAN_LDAP_ATTR_DEPARTMENT", "departmentNumber"),
}

# --- Sessions and security --------------------------------------------------------
HTTPS = env_bool("ZHIBAN_HTTPS", False)
SESSION_COOKIE_AGE = env_int("ZHIBAN_SESSION_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = False
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("en", "English"),
]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Without collectstatic (development, tests) WhiteNoise serves from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "zhiban" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
UPLOAD_MAX_BYTES = env_int("ZHIBAN_UPLOAD_MAX_MB", 50) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Official documents --------------------------------------------------------------
# The enterprise's own secrecy levels (商业秘密) besides the national 绝密/机密/秘密;
# a document at any level is handled on paper only.
DOCUMENT_COMMERCIAL_SECRECY_LEVELS = env_list(
    "ZHIBAN_DOCUMENT_COMMERCIAL_SECRECY_LEVELS", ["核心商密", "普通商密"]
)

# --- Mail, notifications, reminders -----------------------------------------------
EMAIL_HOST = env_str("ZHIBAN_EMAIL_HOST")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": env_int("ZHIBAN_EMAIL_PORT", 25),
                "username": env_str("ZHIBAN_EMAIL_HOST_USER"),
                "password": env_str("ZHIBAN_EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("ZHIBAN_EMAIL_USE_TLS", False),
                "timeout": 10,
            },
        }
        if EMAIL_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
del EMAIL_HOST
DEFAULT_FROM_EMAIL = env_str("ZHIBAN_DEFAULT_FROM_EMAIL", "zhiban@localhost")
WEBHOOK_URL = env_str("ZHIBAN_WEBHOOK_URL")
WEBHOOK_TIMEOUT = env_int("ZHIBAN_WEBHOOK_TIMEOUT", 5)
DELIVERY_MAX_ATTEMPTS = env_int("ZHIBAN_DELIVERY_MAX_ATTEMPTS", 6)
DELIVERY_RETRY_SECONDS = env_int("ZHIBAN_DELIVERY_RETRY_SECONDS", 60)
REMINDER_HOURS = env_int("ZHIBAN_REMINDER_HOURS", 24)
# Time limits of incoming handling in working days (工作日, the official holiday calendar
# plus overrides), by urgency (特急 / 加急 / 平件). No standard fixes them (unconfirmed):
# these are defaults. An office step (初审, 拟办, 批办, 办结): 0 means the same day.
INCOMING_STEP_WORKING_DAYS = {"特急": 0, "加急": 1, "": 2}
# 承办 when the leader's instruction names no deadline (nor the registrar one).
INCOMING_HANDLING_WORKING_DAYS = {"特急": 2, "加急": 5, "": 10}
BASE_URL = env_str("ZHIBAN_BASE_URL", "http://127.0.0.1:8000")

# --- Background jobs --------------------------------------------------------------
BROKER_URL = env_str("ZHIBAN_BROKER_URL")
CELERY_BROKER_URL = BROKER_URL or f"sqla+sqlite:///{DATA_DIR / 'celery-broker.sqlite3'}"
CELERY_TASK_ALWAYS_EAGER = env_bool("ZHIBAN_CELERY_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "inbox-sweep-due": {"task": "zhiban.inbox.tasks.sweep_due", "schedule": 300.0},
    "inbox-retry-deliveries": {
        "task": "zhiban.inbox.tasks.retry_deliveries",
        "schedule": 60.0,
    },
    "workflow-sweep-timeouts": {
        "task": "zhiban.workflow.tasks.sweep_timeouts",
        "schedule": 60.0,
    },
    # Lights change with the date: every 15 minutes is soon enough, and a repeated
    # run sends nothing twice (supervision.escalation).
    "supervision-sweep": {
        "task": "zhiban.supervision.tasks.sweep",
        "schedule": 900.0,
    },
    # The finished items' tallies, recounted at night and repaired if they differ.
    "supervision-check-tallies": {
        "task": "zhiban.supervision.tasks.check_tallies",
        "schedule": crontab(hour=2, minute=40),
    },
}

# --- REST API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "zhiban.api.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "zhiban.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhiban 智办 API",
    "DESCRIPTION": "One platform, one login, one-stop handling.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package, never a CDN: the CSP allows 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "state"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "WorkItemStateEnum": "zhiban.inbox.models.WorkItem.State",
        "NoticeStateEnum": "zhiban.notices.models.Notice.State",
        "DocumentStateEnum": "zhiban.documents.models.Document.State",
        "DocumentUrgencyEnum": "zhiban.documents.models.Urgency",
        "MeetingBookingStateEnum": "zhiban.meetings.models.Booking.State",
        "WorkItemUrgencyEnum": "zhiban.inbox.models.Urgency",
    },
}

# --- Logging ----------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ZHIBAN_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

NAV_CACHE_SECONDS = 300
SUPPORTED_LANGUAGE_CODES = [code for code, _name in LANGUAGES]
_ = _  # gettext_lazy kept importable for settings that need translated names

# Lockout is per account (the username), whatever address the attempts come from: an
# office network sits behind one NAT address, so locking by IP would lock out everyone.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
