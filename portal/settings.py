"""Settings for the returns portal, read from the environment (see .env.example).

DEBUG is off unless set: a portal started by accident with nothing configured
refuses to run without a SECRET_KEY rather than serve debug pages signed with a
published key. With DEBUG=true alone (what `make run` exports) it runs for
development: SQLite, the django-q2 ORM broker and emails written to var/mail/.
Every bad value stops start-up with a message that names the variable.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from portal.env import env, positive_int, positive_ints, setting

BASE_DIR = Path(__file__).resolve().parent.parent

env.read_env(BASE_DIR / ".env")

# Admin and form classes take type arguments (`ModelAdmin[FailedPackage]`) for mypy;
# at run time Django's classes need this to accept them.
django_stubs_ext.monkeypatch()

DEBUG = setting("DEBUG", bool, False)

if DEBUG:
    SECRET_KEY = setting("SECRET_KEY", str, "insecure-development-key-never-use-in-production")
else:
    try:
        SECRET_KEY = env.str("SECRET_KEY")
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (DEBUG is off unless DEBUG=true; "
            "`make run` sets it for development)."
        ) from None

ALLOWED_HOSTS = setting("ALLOWED_HOSTS", list, ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = setting("CSRF_TRUSTED_ORIGINS", list, [])
# Where `make run` (manage.py rundev) serves: a port (`make run PORT=8010`), or a whole
# loopback address in RUN_ADDRESS. Unless SITE_URL is set, email links point there.
RUN_PORT = setting("PORT", int, 8000)
if not 0 < RUN_PORT < 65536:
    raise ImproperlyConfigured(f"PORT must be a port number from 1 to 65535, not {RUN_PORT}.")
RUN_ADDRESS = setting("RUN_ADDRESS", str, f"127.0.0.1:{RUN_PORT}")
_run_host, _, _run_port = RUN_ADDRESS.rpartition(":")  # a bare port is runserver's 127.0.0.1
RUN_URL = f"http://{_run_host or '127.0.0.1'}:{_run_port}"
SITE_URL = setting("SITE_URL", str, RUN_URL).rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with http:// or https://.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "ninja",
    "django_q",
    "portal",
    "returns",
    "tickets",
    "portal.team",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "returns.middleware.ApiAnswersJson",
    "portal.middleware.NulIsNotFound",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the user is known: their language, and for provider staff their zone.
    "portal.middleware.UserLanguageMiddleware",
    "portal.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the final answer of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.tenancy",
                "returns.context_processors.unread_notices",
            ],
        },
    },
    {
        # Plain-text emails and subjects: the same templates folder, no HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {"autoescape": False},
    },
]

try:
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
except (KeyError, ValueError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}:
    raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:// URL.")
# Seconds a connection is kept between requests. A new one costs more than a whole intake
# event: PostgreSQL starts a server process for it, whose caches start cold.
DATABASES["default"]["CONN_MAX_AGE"] = setting("CONN_MAX_AGE", int, 60)
# A kept connection is checked once per request before it is used, so a database
# restart costs each worker a reconnect, not an error page.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has a web server and two job workers writing at once:
    # take the write lock when a transaction starts and wait for it, instead of
    # failing with "database is locked" when a reader tries to become a writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A LIMITed sequential scan (a capped count, a search's first page) starts where the
    # table's last scan stopped when scans are synchronized: once that point has passed
    # the rows it wants, it reads the rest of the table before wrapping round to them. At
    # 1,000,000 packages, 8 connections counting a prefix search: p99 940 ms synchronized,
    # 12 ms not. (A pooler in transaction mode must let this startup option through.)
    postgres_options = DATABASES["default"].setdefault("OPTIONS", {})
    postgres_options["options"] = " ".join(
        filter(None, [postgres_options.get("options"), "-c synchronize_seqscans=off"])
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the session's user with their seller and provider.
    "portal.auth.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Who is signing in (portal.clients): behind N trusted proxies (load balancers) the client
# is the Nth address from the right of X-Forwarded-For; with 0 it is REMOTE_ADDR and the
# header, which anyone can write, is ignored.
TRUSTED_PROXY_COUNT = setting("TRUSTED_PROXY_COUNT", int, 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}.")
AXES_CLIENT_IP_CALLABLE = "portal.clients.client_address"
# Repeated failures for one account from one address lock that pair out for a while, and
# many failures from one address across accounts lock the address out (portal.throttle).
LOGIN_FAILURE_LIMIT = positive_int("AXES_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = positive_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_FAILURE_LIMIT = "portal.throttle.login_failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=setting("AXES_COOLOFF_MINUTES", int, 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The sign-in form posts the email address in Django's standard `username` field.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Password-reset emails per client address and per target email in each fixed window
# (portal.throttle); over either, the request gets the usual page and no email.
PASSWORD_RESET_ADDRESS_LIMIT = 10
PASSWORD_RESET_EMAIL_LIMIT = 3
PASSWORD_RESET_WINDOW = timedelta(hours=1)
# The public certificate check, /verify/<code>/: look-ups per client address in each fixed
# window (portal.throttle), so that codes cannot be tried by the thousand.
CERTIFICATE_VERIFY_LIMIT = positive_int("CERTIFICATE_VERIFY_LIMIT", 30)
CERTIFICATE_VERIFY_WINDOW_MINUTES = positive_int("CERTIFICATE_VERIFY_WINDOW_MINUTES", 10)

# Requests to the one-click email actions (tickets.one_click_views) per client address in
# each fixed window: every POST, and every GET whose link is unknown (a guess).
ACTION_LINK_ADDRESS_LIMIT = positive_int("ACTION_LINK_ADDRESS_LIMIT", 30)
ACTION_LINK_WINDOW = timedelta(minutes=15)

# Languages: each named in itself (a reader picks their own), so these are not translated.
# Catalogs: locale/<lang>/LC_MESSAGES/, written by `manage.py i18n_extract`, compiled by
# `manage.py i18n_compile`, checked by `manage.py i18n_check` in `make test`.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("th", "ไทย"),
    ("id", "Bahasa Indonesia"),
    ("vi", "Tiếng Việt"),
    ("ms", "Bahasa Melayu"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = setting("TIME_ZONE", str, "UTC")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone.") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(setting("MEDIA_ROOT", str, str(BASE_DIR / "media")))
# Ticket attachments and destruction photos (portal.storage.PrivateStorage): outside
# MEDIA_ROOT, so no web server publishing MEDIA_URL can serve them; each is read only
# through the portal's access-checked download view.
PRIVATE_MEDIA_ROOT = Path(setting("PRIVATE_MEDIA_ROOT", str, str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Attachments are checked for size by the forms; keep Django's own guard above that.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_URL = setting("EMAIL_URL", str, "")
if EMAIL_URL:
    try:
        vars().update(env.email_url_config(EMAIL_URL))
    except (KeyError, ValueError) as exc:
        raise ImproperlyConfigured(f"EMAIL_URL={EMAIL_URL!r} is not a valid email URL.") from exc
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
DEFAULT_FROM_EMAIL = setting("DEFAULT_FROM_EMAIL", str, "Returns portal <noreply@returns.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20

# The returns policy.
CLAIM_WINDOW_DAYS = positive_int("CLAIM_WINDOW_DAYS", 7)
MAX_DELIVERY_ATTEMPTS = positive_int("MAX_DELIVERY_ATTEMPTS", 3)
# The reminder stages, in hours before the deadline (returns.reminders).
REMINDER_HOURS_BEFORE = positive_ints("REMINDER_HOURS_BEFORE", "72,24")
TICKET_FIRST_RESPONSE_HOURS = positive_int("TICKET_FIRST_RESPONSE_HOURS", 24)
DESTRUCTION_OVERDUE_DAYS = positive_int("DESTRUCTION_OVERDUE_DAYS", 3)

# The cache: the console's charts (portal.week) and its seller filter. Each process keeps
# its own unless CACHE_URL names one they share (dbcache://…, redis://…), which a
# deployment of several web processes should: then a provider's charts are counted once a
# minute, not once a minute in each process.
try:
    CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
except (ImproperlyConfigured, KeyError, ValueError) as exc:
    raise ImproperlyConfigured(f"CACHE_URL is not a valid cache URL: {exc}") from exc

# django-q2: the ORM broker on `default` unless REDIS_URL is set.
REDIS_URL = setting("REDIS_URL", str, "")
Q_CLUSTER: dict[str, Any] = {
    "name": "portal",
    "workers": positive_int("Q_WORKERS", 2),
    # A task running longer than `timeout` is killed; `retry` must be longer, or a
    # slow task would be handed to a second worker while the first still runs it.
    "timeout": 240,
    "retry": 300,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 500,
    "ack_failures": True,
    "poll": 1,
    "label": "Jobs",
}
# A delivery run stops claiming and sending after this many seconds, well inside the
# task timeout above; the next run (every minute) continues where it stopped.
OUTBOX_TIME_BUDGET_SECONDS = positive_int("OUTBOX_TIME_BUDGET_SECONDS", 120)
if Q_CLUSTER["timeout"] // 2 < OUTBOX_TIME_BUDGET_SECONDS:
    raise ImproperlyConfigured(
        f"OUTBOX_TIME_BUDGET_SECONDS={OUTBOX_TIME_BUDGET_SECONDS} must be at most half the "
        f"job timeout ({Q_CLUSTER['timeout']} s), to leave time for the last batch's emails."
    )
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Scheduled jobs (DESIGN.md §11): name → function and how often it runs, in minutes.
# Functions are dotted paths, so `portal` runs the apps' jobs without importing them.
# `manage.py sync_schedules` makes the django-q2 schedules match this table;
# `manage.py run_job <name>` runs one job now.
PORTAL_JOBS: dict[str, dict[str, Any]] = {
    "finalize_expired_windows": {"func": "returns.tasks.finalize_expired_windows", "minutes": 5},
    "send_deadline_reminders": {"func": "returns.tasks.send_deadline_reminders", "minutes": 15},
    "deliver_notifications": {"func": "returns.tasks.deliver_notifications", "minutes": 1},
    "flag_overdue_destructions": {
        "func": "returns.tasks.flag_overdue_destructions",
        "minutes": 24 * 60,
    },
    "escalate_overdue_tickets": {"func": "tickets.tasks.escalate_overdue_tickets", "minutes": 30},
    # The work list's days that are over, counted once (returns.day_counts): soon after
    # each zone's midnight, so that no reader has to.
    "count_closed_days": {"func": "returns.day_counts.count_closed_days", "minutes": 60},
}

# The console's work list (the admin index): each function takes the signed-in user
# and returns the rows it may see (portal.worklist.WorkItem). Dotted paths, as above.
CONSOLE_WORK_LIST = [
    "returns.worklist.package_work",
    "tickets.worklist.ticket_work",
    "returns.worklist.notification_work",
]
# Panels on the console's package page, each an app's `(user, package)` → (template,
# context) or None: what that app knows of the package (tickets: where it goes back to).
CONSOLE_PACKAGE_PANELS = ["tickets.desk.package_panel"]
# The work list's week at a glance (portal.week): each app's `(user, window)` → its series.
CONSOLE_CHARTS = [
    "returns.week.package_series",
    "tickets.week.answer_series",
]
# The sources of those series whose days that are over are kept (returns.day_counts):
# name → `(provider_ids, start, end, zone)` → the numbers of each (provider, day).
CONSOLE_CHART_DAYS = {
    "packages": "returns.week.package_days",
    "answers": "tickets.week.answer_days",
}
# How long a provider's charted numbers are kept before they are counted again.
CONSOLE_CHARTS_CACHE_SECONDS = setting("CONSOLE_CHARTS_CACHE_SECONDS", int, 60)
# The index's "Recent actions": each app's `(user, limit)` → the user's own last actions.
CONSOLE_RECENT_ACTIONS = [
    "returns.worklist.recent_package_actions",
    "tickets.worklist.recent_ticket_messages",
]

# /healthz: each function returns (name, report) with report["status"] "ok" or
# "degraded"; any degraded part makes the whole answer "degraded". Dotted paths, as above.
HEALTH_CHECKS = ["returns.outbox.health.email_health"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Nothing loads from another origin: the portal works on a closed network.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = setting("SECURE_SSL_REDIRECT", bool, True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Load balancers probe the health check over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = setting("SECURE_HSTS_SECONDS", int, 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": setting("LOG_LEVEL", str, "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
