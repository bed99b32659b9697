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
    "django_htmx",
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
    "kepling.core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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


def _var_dir_ready(path: Path) -> None:
    """VAR_DIR holds uploads, backups and (by default) the database: it must exist and be writable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"KEPLING_VAR_DIR {path} cannot be created ({exc.strerror}).") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(f"KEPLING_VAR_DIR {path} is not writable by this user.")


def _database() -> dict[str, object]:
    """DATABASE_URL, checked: an empty or unknown value is refused in one sentence."""
    url = os.environ.get("DATABASE_URL")
    if url is not None and not url.strip():
        raise ImproperlyConfigured("DATABASE_URL is set but empty: give postgres://... or sqlite:///..., or unset it.")
    url = url or f"sqlite:///{VAR_DIR / 'kepling.sqlite3'}"
    try:
        database: dict[str, object] = dict(
            dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
        )
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"DATABASE_URL ({url.split('://')[0]}://...) is not a supported database: "
            "write postgres://USER@HOST:PORT/NAME or sqlite:////absolute/path."
        ) from None
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.update(_sqlite(str(database["NAME"])))
    else:
        # No JIT compilation: the app's statements run in milliseconds, but the planner's costs
        # for a city's lists and set-based runs are huge, so PostgreSQL would spend seconds
        # compiling each one (11 s for the city's worker list at 900,000 workers).
        database["OPTIONS"] = {**dict(database.get("OPTIONS") or {}), "options": "-c jit=off"}  # type: ignore[call-overload]
    return database


def _sqlite(name: str) -> dict[str, object]:
    """A SQLite file is opened, never created, unless KEPLING_CREATE_DATABASE is set (migrate sets it).

    So a mistyped path fails on first use ("unable to open database file") instead of serving an
    empty database (docs/decisions/0012-ops-production-operations.md).
    """
    path = Path(name)
    if not path.parent.is_dir():
        raise ImproperlyConfigured(f"the SQLite database's folder {path.parent} does not exist: check DATABASE_URL.")
    if not env_bool("KEPLING_CREATE_DATABASE", default=False):
        name = f"file:{path}?mode=rw"
    return {
        "NAME": name,
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        "TEST": {"NAME": None},
    }


_var_dir_ready(VAR_DIR)
SQLITE_PATH = ""  # the SQLite file, for backups (empty on PostgreSQL)
DATABASES = {"default": _database()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SQLITE_PATH = str(DATABASES["default"]["NAME"]).removeprefix("file:").removesuffix("?mode=rw")

# Shared by every process (throttling counts, above all): the database, not each process's memory.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kepling_cache",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}

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
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks there from the first request
# With DEBUG off the app serves its own static files (whitenoise): compressed, with hashed names
# cached for a year. `kepling serve` collects them first.
if not DEBUG:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Database connections a reminder queueing run is spread over on PostgreSQL (one server core
# each): by default as many as this machine has cores, up to 4.
REMINDER_QUEUE_CONNECTIONS = int(os.environ.get("REMINDER_QUEUE_CONNECTIONS", str(min(4, os.cpu_count() or 1))))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Reminder delivery (docs/reminders.md): the backend and its gateway, all from the environment.
KEPLING_REMINDER_BACKEND = os.environ.get(
    "KEPLING_REMINDER_BACKEND", "kepling.reminders.backends.KeplingWhatsAppBackend"
)
KEPLING_GATEWAY_URL = os.environ.get("KEPLING_GATEWAY_URL", "")
KEPLING_GATEWAY_TOKEN = os.environ.get("KEPLING_GATEWAY_TOKEN", "")
if "KEPLING_GATEWAY_PAYLOAD" in os.environ:
    KEPLING_GATEWAY_PAYLOAD = os.environ["KEPLING_GATEWAY_PAYLOAD"]
KEPLING_GATEWAY_TIMEOUT_SECONDS = float(os.environ.get("KEPLING_GATEWAY_TIMEOUT_SECONDS", "10"))
KEPLING_GATEWAY_BACKOFF_SECONDS = float(os.environ.get("KEPLING_GATEWAY_BACKOFF_SECONDS", "60"))
KEPLING_GATEWAY_BACKOFF_MAX_SECONDS = float(os.environ.get("KEPLING_GATEWAY_BACKOFF_MAX_SECONDS", "3600"))
KEPLING_REMINDER_EXPIRY_HOURS = int(os.environ.get("KEPLING_REMINDER_EXPIRY_HOURS", "48"))
KEPLING_REMINDER_LEASE_SECONDS = int(os.environ.get("KEPLING_REMINDER_LEASE_SECONDS", "600"))
if "KEPLING_REMINDER_FILE_DIR" in os.environ:
    KEPLING_REMINDER_FILE_DIR = os.environ["KEPLING_REMINDER_FILE_DIR"]
if "KEPLING_REMINDER_CARA_BAYAR" in os.environ:
    KEPLING_REMINDER_CARA_BAYAR = os.environ["KEPLING_REMINDER_CARA_BAYAR"]
if "KEPLING_API_RATE" in os.environ:
    KEPLING_API_RATE = os.environ["KEPLING_API_RATE"]

# /healthz answers 503 when the oldest task waiting to run has waited longer than this.
HEALTHZ_MAX_QUEUE_LAG_SECONDS = int(os.environ.get("HEALTHZ_MAX_QUEUE_LAG_SECONDS", "900"))

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
    # Behind the reverse proxy (docs/operations.md), which terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Security --------------------------------------------------------------------------------------
# "Is this NIK registered?" answers for the whole city, so it is limited per user (a Kepling
# registers a few workers a day; the form checks each NIK once when it is complete).
NIK_CHECKS_PER_HOUR = int(os.environ.get("NIK_CHECKS_PER_HOUR", "60"))
# Uploaded files hold full NIKs: deleted once applied cleanly, else after this many days
# (`kepling purge_files`, nightly); credential sheets hold one-time passwords.
IMPORT_FILE_RETENTION_DAYS = int(os.environ.get("IMPORT_FILE_RETENTION_DAYS", "7"))
CREDENTIALS_RETENTION_DAYS = int(os.environ.get("CREDENTIALS_RETENTION_DAYS", "2"))
# Built report files (they hold personal data): their download link lasts this many days.
REPORT_RETENTION_DAYS = int(os.environ.get("REPORT_RETENTION_DAYS", "7"))

# Program rules kept as settings because the regulation behind them is unconfirmed.
WORKER_MIN_AGE = int(os.environ.get("WORKER_MIN_AGE", "15"))
WORKER_MAX_AGE = int(os.environ.get("WORKER_MAX_AGE", "65"))
CONSENT_TEXT_VERSION = "2025-05-v1"
DEFAULT_LINGKUNGAN_TARGET = 25
PROGRAM_START = "2025-05-14"
# Pages never compute summaries: the background job does (docs/decisions/0011-figures-summary-refresh.md).
# The test suite alone turns this on, so a read there sees what it would see once the job has run.
SUMMARIES_COMPUTE_ON_READ = False

# With DEBUG off: one JSON object per line on standard error, each with the request id.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kepling.core.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "kepling.core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # One line per request (method, path, status, duration), with DEBUG off (runserver logs its own).
        "kepling.requests": {
            "level": os.environ.get("REQUEST_LOG_LEVEL", "WARNING" if DEBUG else "INFO"),
            "propagate": True,
        },
        "django.request": {"level": "ERROR"},
    },
}

# Optional error tracking: set SENTRY_DSN and install sentry-sdk (not a dependency of Kepling).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from kepling.core.observability import start_error_tracking

    start_error_tracking(SENTRY_DSN, environment=os.environ.get("SENTRY_ENVIRONMENT", "production"))
