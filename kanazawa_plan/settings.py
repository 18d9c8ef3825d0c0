"""Settings for the 金沢市行政経営プラン progress tracker.

Every deployment-specific value comes from the environment through the typed helpers
below, which refuse values they cannot read instead of guessing.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, hint: str = "") -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"環境変数 {name} が設定されていません。{hint}")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    normalized = value.strip().lower()
    if normalized in _TRUE:
        return True
    if normalized in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"環境変数 {name}={value!r} は真偽値として読めません (true/false, 1/0, yes/no, on/off)。"
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"環境変数 {name}={value!r} は整数ではありません。") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (case-insensitive); anything else is refused, not guessed."""
    value = os.environ.get(name)
    if value is None:
        return default
    normalized = value.strip().lower()
    if normalized not in choices:
        raise ImproperlyConfigured(
            f"環境変数 {name}={value!r} は {' / '.join(choices)} のいずれかにしてください。"
        )
    return normalized


def env_secret(name: str, default: str | None = None, *, hint: str = "") -> str:
    """A secret from `NAME`, or read from the file named by `NAME_FILE` (Docker/systemd secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path is None:
        return env_str(name, default, hint=hint)
    file = Path(path) if Path(path).is_absolute() else BASE_DIR / path
    try:
        value = file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"環境変数 {name}_FILE のファイルを読めません: {exc}") from exc
    if not value:
        raise ImproperlyConfigured(f"環境変数 {name}_FILE のファイル {file} が空です。")
    return value


def env_database(name: str, default: str) -> dict:
    url = env_str(name, default)
    # Persistent connections for PostgreSQL, checked before reuse so that a restarted
    # database server is reconnected to without restarting the app.
    persistent = 60 if url.startswith(("postgres://", "postgresql://")) else 0
    try:
        config = dj_database_url.parse(
            url,
            conn_max_age=env_int("DB_CONN_MAX_AGE", persistent),
            conn_health_checks=True,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"環境変数 {name} を解釈できません: {exc}") from exc
    if config["ENGINE"] not in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }:
        raise ImproperlyConfigured(
            f"環境変数 {name} のデータベース {config['ENGINE']} には対応していません "
            "(sqlite:/// または postgres:// を指定してください)。"
        )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Concurrent writers wait for each other instead of failing with "database is locked":
        # every transaction takes the write lock when it begins (IMMEDIATE), a waiting one
        # gives up only after SQLITE_BUSY_TIMEOUT seconds, and readers never block writers (WAL).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
            "init_command": "PRAGMA journal_mode=WAL",
            **config.get("OPTIONS", {}),
        }
    return config


DEBUG = env_bool("DEBUG", False)

# Local development may run on a fixed, public key; production (and the test suite, which
# runs on production settings) must set one.
SECRET_KEY = env_secret(
    "SECRET_KEY",
    "django-insecure-local-development-only" if DEBUG else None,
    hint="本番では SECRET_KEY か SECRET_KEY_FILE を設定してください"
    "（開発時は DEBUG=1 で固定値を使います）。",
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
# Full origins (https://plan.example.jp) of the reverse proxy in front of the app.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS: on by default when DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load-balancer probes may use plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Behind a TLS-terminating reverse proxy: the header it sets for the original scheme,
# e.g. HTTP_X_FORWARDED_PROTO (only when the proxy always sets or strips it).
_PROXY_SSL_HEADER = env_str("SECURE_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
# The session lasts SESSION_COOKIE_AGE from the last request, not from the login.
SESSION_SAVE_EVERY_REQUEST = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = env_str("X_FRAME_OPTIONS", "DENY").upper()
if X_FRAME_OPTIONS not in {"DENY", "SAMEORIGIN"}:
    raise ImproperlyConfigured("環境変数 X_FRAME_OPTIONS は DENY か SAMEORIGIN にしてください。")
# The admin's path, e.g. "kanri-8d2f/" to keep it off the well-known "admin/".
ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("環境変数 ADMIN_URL が空です (例: admin/)。")

# Content-Security-Policy (Django's own middleware): scripts only from this site's files,
# never inline. Styles also allow inline style attributes, which the admin screens use.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'" if X_FRAME_OPTIONS == "DENY" else "'self'"],
}

# Request bodies: form fields and uploaded files, in bytes (a larger request gets a 413).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
MAX_REQUEST_SIZE = env_int("MAX_REQUEST_SIZE", 20 * 1024 * 1024)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.sitemaps",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "axes",
    "initiatives",
    "reports",
    "governance",
    "ops",
    "outbox",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Text answers gzipped (not the admin's: its pages carry secrets, see BREACH); before
    # anything that reads or writes the body. Public pages arrive already gzipped from the
    # publication cache (initiatives/public/caching.py), which this then leaves alone.
    "ops.compression.PublicGZipMiddleware",
    # ETag on every other full answer, and 304 on a matching conditional request.
    "django.middleware.http.ConditionalGetMiddleware",
    "ops.middleware.RequestSizeLimitMiddleware",
    # Control characters in the path, query or cookies, NUL in form fields: the 400 page.
    "ops.middleware.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A form posted to the admin after the session expired: kept, then the login page.
    "ops.middleware.ExpiredSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kanazawa_plan.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "kanazawa_plan.wsgi.application"

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes: a username is locked out from an address after AXES_FAILURE_LIMIT failed
# logins for AXES_COOLOFF_MINUTES; every login and failed login is kept (admin → Axes).
AUTHENTICATION_BACKENDS = [
    "ops.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_CLIENT_IP_CALLABLE = "ops.security.client_ip"
AXES_USERNAME_CALLABLE = "ops.security.login_username"
AXES_VERBOSE = False
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LANGUAGE_CODE = "ja"
# Translations Django's own Japanese catalogue lacks (compiled .mo is committed).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Relative paths are taken from this folder.
STATIC_ROOT = BASE_DIR / env_str("STATIC_ROOT", "staticfiles")
# Production serves collectstatic's hashed, compressed files through whitenoise (so it needs
# a collectstatic before it starts; the test suite runs one too). Development uses the plain
# storage, which serves every file as it is edited.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

MEDIA_ROOT = BASE_DIR / env_str("MEDIA_ROOT", "var/media")
MEDIA_URL = "media/"

# The publication cache of public pages and downloads (initiatives/public/caching.py). Keys
# change with every publication, so entries are never stale, only unused; each gunicorn
# worker keeps its own in memory unless PUBLIC_CACHE_DIR names a folder they share.
_PUBLIC_CACHE_DIR = env_str("PUBLIC_CACHE_DIR", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {
        "BACKEND": "ops.cache.PublicFileCache"
        if _PUBLIC_CACHE_DIR
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": str(BASE_DIR / _PUBLIC_CACHE_DIR) if _PUBLIC_CACHE_DIR else "public",
        "TIMEOUT": env_int("PUBLIC_CACHE_SECONDS", 24 * 3600),
        "OPTIONS": {"MAX_ENTRIES": env_int("PUBLIC_CACHE_ENTRIES", 2000)},
    },
}
PUBLIC_CACHE_ALIAS = "public"

# Background work (the PDF reports): a database-backed queue; `make run` starts its worker
# (`manage.py db_worker`). TASKS_BACKEND=immediate runs tasks inline (the test suite does).
_TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if _TASKS_BACKEND not in {"database", "immediate"}:
    raise ImproperlyConfigured("環境変数 TASKS_BACKEND は database か immediate にしてください。")
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if _TASKS_BACKEND == "immediate"
        else "django_tasks_db.DatabaseBackend",
    }
}

# Publishing a year (or correcting it) queues the rendering of its public report files.
# The test suite turns it off (tests/settings.py) and on again where a test needs the files.
REPORTS_RENDER_ON_PUBLICATION = env_bool("REPORTS_RENDER_ON_PUBLICATION", True)

LOGIN_URL = "admin:login"

PLAN_FIXTURE = BASE_DIR / "fixtures" / "plan.json"

IMPORT_EXPORT_USE_TRANSACTIONS = True

# Logs go to stdout: one JSON object per line in production (LOG_FORMAT=json), plain text
# when DEBUG is on.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ops.jsonlog.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": env_str("LOG_FORMAT", "text" if DEBUG else "json"),
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        # WeasyPrint logs every laid-out page at INFO; its warnings (missing glyphs) still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Workflow notifications (django.core.mail MAILERS). Development prints mails to the console.
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_MAILER = {
    "BACKEND": env_str(
        "EMAIL_BACKEND",
        "django.core.mail.backends.console.EmailBackend" if DEBUG else _SMTP_BACKEND,
    )
}
if _MAILER["BACKEND"] == _SMTP_BACKEND:
    _MAILER["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        # Seconds before an unanswering mail server counts as a failed attempt (retried).
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
MAILERS = {"default": _MAILER}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kanazawa-plan@localhost")
# Notifications are queued (the outbox app) and sent by the task worker; a failed attempt is
# retried after MAIL_RETRY_SECONDS × 4^(attempt−1), at most MAIL_MAX_ATTEMPTS times, then
# listed for HQ on 「メール送信の状況」.
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 5)
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 60)
# Absolute links in notification mails point here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# How HQ hears of submissions: one digest mail a day (`daily`, sent by the first run of
# `send_submission_digest` at or after SUBMISSION_DIGEST_HOUR) or an hour (`hourly`), or
# one mail per submission (`off`). Returns, approvals, publication and reopening always mail
# the department at once.
SUBMISSION_DIGEST = env_choice("SUBMISSION_DIGEST", "daily", ("daily", "hourly", "off"))
SUBMISSION_DIGEST_HOUR = env_int("SUBMISSION_DIGEST_HOUR", 8)
if not 0 <= SUBMISSION_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("環境変数 SUBMISSION_DIGEST_HOUR は 0〜23 にしてください。")
# Days before the deadline from which `send_deadline_reminders` mails departments.
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 3)
# Largest PDF attached to a committee meeting, in bytes (keep it below MAX_REQUEST_SIZE).
GOVERNANCE_MATERIAL_MAX_BYTES = env_int("GOVERNANCE_MATERIAL_MAX_BYTES", 10 * 1024 * 1024)

# Longest texts of the results workflow, in characters (a line break counts as one), checked
# on the screens, in the workbook import and in the services. HQ sets them per deployment.
# 実施結果: the longest in the city's document (fixtures/plan.json, 令和5年度) has 119
# characters; 400 is more than three times that, and keeps the history's text differences
# fast (initiatives/results/textdiff.py).
RESULT_TEXT_MAX_CHARS = env_int("RESULT_TEXT_MAX_CHARS", 400)
# 確定時期: the longest in the document has 19 characters (a date and the reason).
NOTE_MAX_CHARS = env_int("NOTE_MAX_CHARS", 100)
# HQ's comments (差戻し, 承認, 再開), mailed to the departments: a few paragraphs.
COMMENT_MAX_CHARS = env_int("COMMENT_MAX_CHARS", 1000)
# The city's guidance for 実施結果, shown beside the live count on the entry screen: about
# RESULT_TEXT_GUIDE_CHARS characters (one sheet of the report), a warning (never a refusal)
# past RESULT_TEXT_SOFT_CHARS; RESULT_TEXT_MAX_CHARS above is the hard limit.
RESULT_TEXT_GUIDE_CHARS = env_int("RESULT_TEXT_GUIDE_CHARS", 120)
RESULT_TEXT_SOFT_CHARS = env_int("RESULT_TEXT_SOFT_CHARS", 200)
for _name in (
    "RESULT_TEXT_MAX_CHARS",
    "NOTE_MAX_CHARS",
    "COMMENT_MAX_CHARS",
    "RESULT_TEXT_GUIDE_CHARS",
    "RESULT_TEXT_SOFT_CHARS",
):
    if not 1 <= globals()[_name] <= 100_000:
        raise ImproperlyConfigured(f"環境変数 {_name} は 1 から 100000 までの整数にしてください。")
