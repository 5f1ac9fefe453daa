"""Dangjian settings: typed values read from the environment.

The embedded default (no variables set) is a working instance: SQLite in ./var, inline
background jobs, local file storage. Production sets DANGJIAN_ENV=production plus
DATABASE_URL, REDIS_URL, DANGJIAN_SECRET_KEY and DANGJIAN_ALLOWED_HOSTS (docs/admin-guide.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    """A string from the environment, or the default when unset or empty."""
    return os.environ.get(name) or default


def env_int(name: str, default: int) -> int:
    """An integer from the environment; a malformed value fails loudly at start."""
    raw = os.environ.get(name)
    return int(raw) if raw else default


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment: 1/true/yes/on are true."""
    raw = os.environ.get(name)
    if not raw:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list from the environment."""
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """Django DATABASES entry from a postgres:// or sqlite:/// URL."""
    parsed = urlparse(url)
    if parsed.scheme in {"sqlite", "sqlite3"}:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parsed.path[1:])}
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ValueError(f"DATABASE_URL scheme {parsed.scheme!r} is not supported")
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "dangjian",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": env_int("DANGJIAN_DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        # Server-side cursors break behind pgbouncer (transaction mode) and cost a round trip.
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "OPTIONS": options,
        "TEST": {"NAME": env_str("DANGJIAN_TEST_DB_NAME", "test_dangjian")},
    }


ENVIRONMENT = env_str("DANGJIAN_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DANGJIAN_DEBUG", not PRODUCTION)

VAR_DIR = Path(env_str("DANGJIAN_VAR_DIR", str(PROJECT_DIR / "var")))
SECRET_KEY = env_str("DANGJIAN_SECRET_KEY", "dev-insecure-key-change-me-" + "x" * 40)
if PRODUCTION and SECRET_KEY.startswith("dev-insecure"):
    raise RuntimeError("DANGJIAN_SECRET_KEY must be set in production")
ALLOWED_HOSTS = env_list("DANGJIAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DANGJIAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "ninja",
    "axes",
    "treebeard",
    "dangjian.core",
    "dangjian.accounts",
    "dangjian.orgs",
    "dangjian.members",
    "dangjian.recruitment",
    "dangjian.orglife",
    "dangjian.appraisals",
    "dangjian.tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dangjian.core.middleware.RequestContextMiddleware",
    "dangjian.core.middleware.SessionTimeoutMiddleware",
    "dangjian.accounts.middleware.SessionLifetimeMiddleware",
    "dangjian.accounts.middleware.MustChangePasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"

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
                "dangjian.core.context_processors.navigation",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL")
DATABASES = {
    "default": database_from_url(_database_url)
    if _database_url
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "dangjian.sqlite3"),
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "dangjian.accounts.validators.UserAttributeSimilarityValidator"},
    {
        "NAME": "dangjian.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("DANGJIAN_PASSWORD_MIN_LENGTH", 8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dangjian.accounts.validators.CharacterClassValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Login lockout (django-axes): 5 failures lock the username for 30 minutes by default.
AXES_FAILURE_LIMIT = env_int("DANGJIAN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("DANGJIAN_LOCKOUT_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dangjian.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions: idle timeout and absolute lifetime, both in minutes.
SESSION_IDLE_MINUTES = env_int("DANGJIAN_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = env_int("DANGJIAN_SESSION_MAX_MINUTES", 12 * 60) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
API_TOKEN_DAYS = env_int("DANGJIAN_API_TOKEN_DAYS", 90)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DANGJIAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DANGJIAN_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DANGJIAN_MEDIA_ROOT", str(VAR_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("DANGJIAN_IMPORT_MAX_MB", 200) * 1024 * 1024

# Background jobs: Celery with Redis when REDIS_URL is set, otherwise run inline.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "daily-reminders": {
        "task": "dangjian.core.tasks.daily_reminders",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 6 * 60 * 60},
    }
}
DANGJIAN_BASE_URL = env_str("DANGJIAN_BASE_URL", "http://127.0.0.1:8000")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env_str(
    "DANGJIAN_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("DANGJIAN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DANGJIAN_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DANGJIAN_EMAIL_FROM", "dangjian@localhost")

# Protected fields (core/crypto.py): SM4 keys "id:hex32,id:hex32" (first encrypts) or a file
# with one per line, and the lookup-hash key (hex32). Derived from the secret key when unset,
# which the production checks refuse.
DANGJIAN_FIELD_KEYS = env_str("DANGJIAN_FIELD_KEYS")
DANGJIAN_FIELD_KEY_FILE = env_str("DANGJIAN_FIELD_KEY_FILE")
DANGJIAN_LOOKUP_KEY = env_str("DANGJIAN_LOOKUP_KEY")

# Audit chain key: an HMAC-SM3 key so that rows forged in the database do not verify.
AUDIT_CHAIN_KEY = env_str("DANGJIAN_AUDIT_KEY", SECRET_KEY)

# Production hardening (checked by `dangjian check --deploy`).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("DANGJIAN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DANGJIAN_HSTS_SECONDS", 31536000) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION

# A vote's commit need not wait for the WAL flush (appraisals/voting.py, admin guide).
BALLOT_ASYNC_COMMIT = env_bool("DANGJIAN_BALLOT_ASYNC_COMMIT", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DANGJIAN_LOG_LEVEL", "WARNING")},
    # SQL with its parameters would put ballots' answers in the log (选票保密): never below WARNING.
    "loggers": {"django.db.backends": {"level": "WARNING", "propagate": True}},
}
