"""Kepling settings: one module, every deployment value read from the environment."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KEPLING_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEVELOPMENT_SECRET = "kepling-development-secret-not-for-production"
DEVELOPMENT_NIK_KEY = "a2VwbGluZy1kZXZlbG9wbWVudC1uaWsta2V5LTAwMDA="  # 32 bytes, base64
DEVELOPMENT_NIK_LOOKUP_KEY = "kepling-development-nik-lookup-key"

# Security: DEBUG is on only when asked for (`make run` and the test suite set it); the development
# keys are accepted only then. A checkout used for development says so once, in var/development
# (written by `make install`), so its management commands keep working without DEBUG=1.
TESTING = "pytest" in sys.modules
DEBUG = env_bool("DEBUG", default=TESTING or (VAR_DIR / "development").exists())
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET)
NIK_ENCRYPTION_KEY = os.environ.get("NIK_ENCRYPTION_KEY", DEVELOPMENT_NIK_KEY)
NIK_LOOKUP_KEY = os.environ.get("NIK_LOOKUP_KEY", DEVELOPMENT_NIK_LOOKUP_KEY)

if not DEBUG and (
    SECRET_KEY == DEVELOPMENT_SECRET
    or NIK_ENCRYPTION_KEY == DEVELOPMENT_NIK_KEY
    or NIK_LOOKUP_KEY == DEVELOPMENT_NIK_LOOKUP_KEY
):
    raise ImproperlyConfigured(
        "Production (DEBUG off) refuses the development keys: set SECRET_KEY, "
        "NIK_ENCRYPTION_KEY and NIK_LOOKUP_KEY in the environment."
    )

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "kepling.core",
    "kepling.accounts",
    "kepling.regions",
    "kepling.workers",
    "kepling.contributions",
    "kepling.dashboards",
    "kepling.imports",
    "kepling.reconciliation",
    "kepling.reminders",
    "kepling.reports",
    "kepling.api",
    "kepling.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kepling.core.middleware.RejectNulCharactersMiddleware",
    "kepling.core.middleware.SecurityHeadersMiddleware",
    "kepling.core.middleware.InvalidParameterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "kepling.accounts.middleware.ForcePasswordChangeMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'kepling.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # ids in URLs and attributes stay plain digits; displayed numbers go through `angka`

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "node_modules" / "htmx.org" / "dist"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# Database connections a reminder queueing run is spread over on PostgreSQL (one server core
# each): by default as many as this machine has cores, up to 4.
REMINDER_QUEUE_CONNECTIONS = int(os.environ.get("REMINDER_QUEUE_CONNECTIONS", str(min(4, os.cpu_count() or 1))))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

SESSION_COOKIE_HTTPONLY = True
# Security: office computers are shared; a session ends when the browser closes and after
# 8 hours of work at the latest (a Kepling's phone stays signed in for the day, not for weeks).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Security --------------------------------------------------------------------------------------
# "Is this NIK registered?" answers for the whole city, so it is limited per user (a Kepling
# registers a few workers a day; the form checks each NIK once when it is complete).
NIK_CHECKS_PER_HOUR = int(os.environ.get("NIK_CHECKS_PER_HOUR", "60"))
# Uploaded files hold full NIKs: deleted once applied cleanly, else after this many days
# (`kepling purge_files`, nightly); credential sheets hold one-time passwords.
IMPORT_FILE_RETENTION_DAYS = int(os.environ.get("IMPORT_FILE_RETENTION_DAYS", "7"))
CREDENTIALS_RETENTION_DAYS = int(os.environ.get("CREDENTIALS_RETENTION_DAYS", "2"))

# Program rules kept as settings because the regulation behind them is unconfirmed.
WORKER_MIN_AGE = int(os.environ.get("WORKER_MIN_AGE", "15"))
WORKER_MAX_AGE = int(os.environ.get("WORKER_MAX_AGE", "65"))
CONSENT_TEXT_VERSION = "2025-05-v1"
DEFAULT_LINGKUNGAN_TARGET = 25
PROGRAM_START = "2025-05-14"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
