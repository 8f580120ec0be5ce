"""Gonghui settings. Everything that differs between machines comes from the environment.

DATABASE_URL       default: sqlite file under GONGHUI_DATA_DIR (the embedded default)
GONGHUI_DATA_DIR   default: ./var  (SQLite file, uploaded files, key file)
GONGHUI_SECRET_KEY default: generated once into the data folder
GONGHUI_FIELD_KEY  base64 32-byte master key for protected fields; default: key file
GONGHUI_FIELD_KEYS later keys after a rotation, "2:<base64>,…" (or files field.<n>.key)
GONGHUI_FIELD_KEY_ID the key new values are encrypted with (default: the highest id)
GONGHUI_DEBUG      "1" for debug pages
GONGHUI_SECURE_COOKIES "1" behind a TLS proxy: Secure cookies, X-Forwarded-Proto/-For, HSTS
GONGHUI_HSTS_SECONDS   HSTS max-age (default one year with GONGHUI_SECURE_COOKIES, else 0)
GONGHUI_IP_FAILURE_LIMIT failed sign-ins from one address before it is locked (default 20)
GONGHUI_REQUIRE_TOTP_FOR_REVEAL "0" lets roles that can reveal personal data work without TOTP
GONGHUI_RATELIMIT_REDIS_URL  redis://… to keep rate-limit counts in Redis; default: in the
                   database, shared by every process
GONGHUI_FIGURES_CACHE_SECONDS  seconds the home/org pages' subtree figures are cached (60, or 600
                   with GONGHUI_CACHE_URL; 0 off)
GONGHUI_CALENDAR_CACHE_SECONDS seconds the working-day overrides are cached (60; 0 off)
GONGHUI_CACHE_URL  redis://… : the cache (figures, calendar) shared by every server process
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("GONGHUI_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_from_file(name: str, nbytes: int) -> str:
    """A secret kept in a file of the data folder (mode 600), created on first use."""
    path = DATA_DIR / "keys" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_urlsafe(nbytes))
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip()


DEBUG = os.environ.get("GONGHUI_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("GONGHUI_SECRET_KEY") or _secret_from_file("django-secret", 50)
ALLOWED_HOSTS = [h for h in os.environ.get("GONGHUI_ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("GONGHUI_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

# Master key for encrypted fields (ID numbers, bank accounts). Never stored in the database.
FIELD_KEY_FILE = Path(os.environ.get("GONGHUI_FIELD_KEY_FILE", DATA_DIR / "keys" / "field.key"))
FIELD_KEY = os.environ.get("GONGHUI_FIELD_KEY", "")
# Later field keys (key rotation, `gonghui keys`): "2:<base64>,3:<base64>", besides the files
# field.<n>.key next to FIELD_KEY_FILE; new values use FIELD_KEY_ID (default: the highest id).
FIELD_KEYS = os.environ.get("GONGHUI_FIELD_KEYS", "")
FIELD_KEY_ID = int(os.environ.get("GONGHUI_FIELD_KEY_ID", 0) or 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # the API docs from local static files (no CDN, no inline script: CSP)
    "gonghui.core",
    "gonghui.accounts",
    "gonghui.audit",
    "gonghui.orgs",
    "gonghui.notifications",
    "gonghui.notices",
    "gonghui.members",
    "gonghui.roster",
    "gonghui.funds",
    "gonghui.workplan",
    "gonghui.aid",
    "gonghui.mutualaid",
    "gonghui.rights",
    "gonghui.awards",
    "gonghui.democracy",
    "gonghui.evaluation",
    "gonghui.outreach",
    "gonghui.stats",
    "gonghui.workbench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gonghui.core.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gonghui.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "gonghui.core.middleware.IdNumberQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gonghui.accounts.middleware.IdleTimeoutMiddleware",
    "gonghui.accounts.gates.OrgFilterGate",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gonghui.accounts.middleware.RequireTotpEnrolmentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gonghui.core.middleware.ApplicationErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

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
                "gonghui.accounts.context_processors.navigation",
                "gonghui.notifications.context_processors.unread_notifications",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'gonghui.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("GONGHUI_CONN_MAX_AGE", 60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# a Citus coordinator (docs/scale.md): row locks are taken union by union (core.citus)
CITUS = os.environ.get("GONGHUI_CITUS", "") == "1"

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
    {
        "NAME": "gonghui.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gonghui.accounts.validators.CharacterClassValidator"},
    {"NAME": "gonghui.accounts.validators.CommonWordYearValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: absolute expiry after 12 hours, idle expiry after 30 minutes (IdleTimeoutMiddleware).
SESSION_COOKIE_AGE = 12 * 3600
SESSION_IDLE_SECONDS = int(os.environ.get("GONGHUI_SESSION_IDLE_SECONDS", 1800))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False

# Login hardening (django-axes, the same for the sign-in page and the API token): an account is
# locked for 30 minutes from the address that failed 5 times (username + IP), and an address
# after GONGHUI_IP_FAILURE_LIMIT failures whatever the accounts (accounts/lockout.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "gonghui.accounts.lockout.LockoutHandler"
GONGHUI_IP_FAILURE_LIMIT = int(os.environ.get("GONGHUI_IP_FAILURE_LIMIT", 20))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Gonghui 工会"
# Roles that can reveal ID numbers or bank accounts must use TOTP (accounts/second_factor.py);
# on unless GONGHUI_REQUIRE_TOTP_FOR_REVEAL=0 (the test suite turns it off, see conftest.py).
GONGHUI_REQUIRE_TOTP_FOR_REVEAL = os.environ.get("GONGHUI_REQUIRE_TOTP_FOR_REVEAL", "1") == "1"

# Subtree figures on the home and org pages (orgs by level, employers and 建会率) are kept this
# many seconds in each server process's cache (0: computed on every page); see docs/scale.md.
# With a shared cache (GONGHUI_CACHE_URL) every process sees a write's invalidation at once, so
# the period only bounds writes that bypass the services (raw SQL): 10 minutes there.
GONGHUI_FIGURES_CACHE_SECONDS = int(os.environ.get(
    "GONGHUI_FIGURES_CACHE_SECONDS", 600 if os.environ.get("GONGHUI_CACHE_URL") else 60))
# The working-day calendar's overrides (core.workdays) are kept this many seconds in the cache
# (0: read on every calculation); a saved override is seen at once in this process, and in
# every process with GONGHUI_CACHE_URL.
GONGHUI_CALENDAR_CACHE_SECONDS = int(os.environ.get("GONGHUI_CALENDAR_CACHE_SECONDS", 60))
# A filtered member list counts its rows within this many milliseconds on PostgreSQL, else it
# pages without a total (core.pagination.bounded_count); 0 always counts.
GONGHUI_COUNT_BUDGET_MS = int(os.environ.get("GONGHUI_COUNT_BUDGET_MS", 150))
# Hash chains per day of the audit logs (audit/chain.py): more than one lets concurrent writers
# append without waiting for each other (bench/bench_audit.py).
GONGHUI_AUDIT_CHAIN_SHARDS = int(os.environ.get("GONGHUI_AUDIT_CHAIN_SHARDS", 1))
# Closed rights cases older than this are pseudonymised by `gonghui retention` (docs/security.md).
GONGHUI_CASE_RETENTION_YEARS = int(os.environ.get("GONGHUI_CASE_RETENTION_YEARS", 10))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded rosters and evidence files may be large; they go to disk, not memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GONGHUI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# ID numbers are masked in every log line (issue 13 item 4); gunicorn's access log by
# `gonghui serve` (--logger-class gonghui.core.middleware.MaskedAccessLogger).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_id_numbers": {"()": "gonghui.core.middleware.MaskIdNumbersFilter"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter",
                                     "format": "[{server_time}] {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_id_numbers"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                          "filters": ["mask_id_numbers"]},
    },
    "loggers": {"django.server": {"handlers": ["django.server"], "level": "INFO",
                                  "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGHUI_LOG_LEVEL", "WARNING")},
}

# Notifications (gonghui.notifications): the in-app inbox always; extra channels per kind
# ("email" through Django's e-mail backend to users with an address, "sms" through the SMS
# backend to users with a phone). Kinds without an entry use "default".
GONGHUI_NOTIFY_CHANNELS: dict[str, list[str]] = {
    "default": [c for c in os.environ.get("GONGHUI_NOTIFY_DEFAULT", "").split(",") if c],
}
GONGHUI_SMS_BACKEND = os.environ.get(
    "GONGHUI_SMS_BACKEND", "gonghui.notifications.channels.LoggingSmsBackend"
)
EMAIL_BACKEND = os.environ.get("GONGHUI_EMAIL_BACKEND",
                               "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("GONGHUI_DEFAULT_FROM_EMAIL", "gonghui@localhost")

# Rate-limit counts (accounts.ratelimit) must be shared by all worker processes: in the database
# by default (no other service), in Redis when GONGHUI_RATELIMIT_REDIS_URL is set.
# The default cache holds the home and org pages' subtree figures (orgs.selectors): in each
# process by default; GONGHUI_CACHE_URL=redis://… shares them between all gunicorn workers, so
# a figure is counted once for all of them and a saved org or employer recounts it everywhere
# at once (docs/operations.md).
CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
if os.environ.get("GONGHUI_CACHE_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": os.environ["GONGHUI_CACHE_URL"],
                         "KEY_PREFIX": os.environ.get("GONGHUI_CACHE_PREFIX", "gonghui")}
if os.environ.get("GONGHUI_RATELIMIT_REDIS_URL"):
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                           "LOCATION": os.environ["GONGHUI_RATELIMIT_REDIS_URL"]}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Behind a TLS-terminating proxy (docs/operations.md): GONGHUI_SECURE_COOKIES=1 marks the
# session and CSRF cookies Secure, trusts the proxy's X-Forwarded-Proto (so Django knows the
# request was https) and its X-Forwarded-For (the address sign-in lockout counts), and sends
# HSTS. Off by default: the embedded demo is served over plain http on a laptop or intranet.
SECURE_COOKIES = os.environ.get("GONGHUI_SECURE_COOKIES", "") == "1"
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = int(os.environ.get("GONGHUI_PROXY_COUNT", 1))
SECURE_HSTS_SECONDS = int(os.environ.get("GONGHUI_HSTS_SECONDS",
                                         365 * 24 * 3600 if SECURE_COOKIES else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("GONGHUI_HSTS_SUBDOMAINS", "") == "1"

# Static files are served by the app itself (WhiteNoise): federations run on intranets, no CDN.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SILENCED_SYSTEM_CHECKS: list[str] = []
