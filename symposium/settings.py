"""Settings for the Symposium portal, read from the environment.

Defaults suit a laptop demo (SQLite, console email). Production sets DEBUG off and
supplies SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS and the email settings.
"""

import datetime as dt
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    return int(os.environ.get(name) or default)


TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=true for a demo).")
    SECRET_KEY = "insecure-key-for-local-demo-and-tests-only"
# Rotating SECRET_KEY: put the old key here (comma-separated, newest first) and the new
# one in SECRET_KEY; manage links, check-in codes and sessions signed with an old key
# stay valid until the key is dropped from this list (docs/running.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
# Who is emailed a server error (mail_admins below): "Name <a@example.org>, b@example.org".
ADMINS = [
    (name.strip() or address, address)
    for name, address in (
        (entry.rpartition("<")[0], entry.rpartition("<")[2].rstrip(">").strip())
        for entry in env_list("ADMINS")
    )
]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A form sent without a valid token gets a page in the site's style with a way back.
CSRF_FAILURE_VIEW = "symposium.web.errors.csrf_failure"

INSTALLED_APPS = [
    # django.contrib.admin, with the organisers' console as its site (console/).
    "console.apps.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "mailer",
    # The apps, from the bottom up: each imports only those above it in this list
    # (pyproject.toml's import contract; docs/architecture.md).
    "symposium",
    "speakers",
    "breakouts",
    "partners",
    "questions",
    "registration",
    "mailings",
    "checkin",
    "feedback",
    "outcomes",
    "console.apps.ConsoleConfig",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, with a second try on a new connection (symposium.web.middleware).
    "symposium.web.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which is the first to read a request body.
    "symposium.web.public_posts.PublicPostLimitMiddleware",
    "symposium.web.null_characters.NullCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who did what, for the event's audit log (symposium.audit).
    "symposium.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "symposium.web.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "symposium.urls"
WSGI_APPLICATION = "symposium.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks (symposium.background) -------------------------------------------
# On PostgreSQL they are queued in the database (procrastinate) and run by workers,
# `manage.py procrastinate worker`, on any number of servers. Elsewhere (the SQLite demo
# and test runs) there is no queue: a task runs in-process right after the commit.
BACKGROUND_QUEUE = env_bool(
    "BACKGROUND_QUEUE", DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
)
if BACKGROUND_QUEUE:
    # Before the project's apps, so that their tasks find the app ready; then the
    # queue's own records and admin (failures, a retry).
    _at = INSTALLED_APPS.index("symposium")
    INSTALLED_APPS[_at:_at] = ["procrastinate.contrib.django", "symposium.background"]
PROCRASTINATE_ON_APP_READY = "symposium.background.failures.on_app_ready"
# A worker writes a heartbeat every WORKER_HEARTBEAT_SECONDS; one silent for three of
# them is dead, and its unfinished jobs are retried (symposium.background.tasks).
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS") or 10)
WORKER_STALLED_SECONDS = 3 * WORKER_HEARTBEAT_SECONDS
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": WORKER_HEARTBEAT_SECONDS,
    "stalled_worker_timeout": WORKER_STALLED_SECONDS,
}
# What the register form says about places (places left, "full") is counted at most
# this often (seconds), not after every registration (registration.views.keep_places).
REGISTER_PLACES_SECONDS = float(os.environ.get("REGISTER_PLACES_SECONDS") or 2)
# /healthz reads the workers' heartbeat at most this often (seconds) in each process.
HEALTH_WORKER_SECONDS = float(os.environ.get("HEALTH_WORKER_SECONDS") or 2)
# ... and pings Redis at most this often (seconds) in each process.
HEALTH_CACHE_SECONDS = float(os.environ.get("HEALTH_CACHE_SECONDS") or 1)
# Extra modules holding tasks, besides each app's tasks.py (the tests add theirs).
PROCRASTINATE_IMPORT_PATHS = env_list("PROCRASTINATE_IMPORT_PATHS")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where `collectstatic` writes: each host (and the production smoke test) may choose.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Name badges: a TrueType font for names DejaVu Sans cannot set (CJK, for one), e.g.
# /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf (fonts-droid-fallback).
BADGE_FONT = os.environ.get("BADGE_FONT", "")

# Hashed, compressed static files in production; plain finders for the demo and tests,
# which run without collectstatic.
_static_backend = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG or TESTING
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _static_backend},
}

# Attendee lists longer than this are written on the task queue, not in the request
# (console/exports/services.py): 2,000 rows take ~0.3 s as CSV and ~0.6 s as XLSX
# (bench/export.py, 20,000 in 2.6 s and 5.7 s), so a web worker is held under a second;
# above it one list would hold a worker for seconds, and a few at once fill them all.
# Every list of a session, theme or organisation, and most events' whole list, stays
# an immediate download. The file is kept for EXPORT_KEEP_HOURS, then removed.
EXPORT_IN_REQUEST_ROWS = env_int("EXPORT_IN_REQUEST_ROWS", 2000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Every email is owed in the database in the transaction of the change that causes it,
# with a task that builds it into django-mailer's queue and sends it, at least once,
# on the task queue (symposium/tasks.py), through MAILER_EMAIL_BACKEND, the real one:
# SMTP when EMAIL_HOST is set, otherwise the console.
EMAIL_BACKEND = "mailer.backend.DbBackend"
MAILER_EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
# Workers lock each queued row (SELECT ... FOR UPDATE SKIP LOCKED), so several may run;
# a lock file would only guard one machine.
MAILER_USE_FILE_LOCK = False
MAILER_EMPTY_QUEUE_SLEEP = env_int("MAILER_EMPTY_QUEUE_SLEEP", 5)
# A message the mail server put off is tried again after 5 s, then twice as long each
# time up to a minute, and given up after about a day of tries.
MAILER_RETRY_FIRST_SECONDS = env_int("MAILER_RETRY_FIRST_SECONDS", 5)
MAILER_RETRY_MAX_SECONDS = env_int("MAILER_RETRY_MAX_SECONDS", 60)
MAILER_EMAIL_MAX_RETRIES = env_int("MAILER_EMAIL_MAX_RETRIES", 1440)
# The send log keeps no copy of the email: it holds personal details and manage links.
MAILER_EMAIL_LOG_MESSAGE_DATA = False
# Also build and send in the request's process straight after each commit (the task
# then finds nothing to do): for tests that read the email at once. Off everywhere
# else: a request never builds or sends an email (without a queue, the SQLite demo,
# the task itself runs after the commit).
SEND_MAIL_ON_COMMIT = env_bool("SEND_MAIL_ON_COMMIT", False)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "symposium@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL") or DEFAULT_FROM_EMAIL

# Absolute links in emails (manage links) need the public address of the site. Unset, it
# is where `make demo HOST=… PORT=…` serves, so the demo's links open its own server.
SITE_URL = (
    os.environ.get("SITE_URL")
    or f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"
).rstrip("/")

LOGIN_URL = "admin:login"
ADMIN_SITE_HEADER = os.environ.get("ADMIN_SITE_HEADER", "Symposium portal: organisers")
ADMIN_SITE_TITLE = os.environ.get("ADMIN_SITE_TITLE", "Symposium portal")

# Security ---------------------------------------------------------------------------
# Production (DEBUG off) is HTTPS-only. Behind a proxy that terminates TLS, set
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO and CSRF_TRUSTED_ORIGINS; set
# TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For, so that
# rate limits and the admin lockout see the client's address, not the proxy's.
_https = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
# Load balancers check app servers over plain HTTP, without X-Forwarded-Proto: a
# redirect there would read as "unhealthy".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _https)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _https)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere (the admin included): everything comes from 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The check-in desk's service worker, served from under the desk's address.
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Admin login: five failures from one address for one username lock that pair out for
# 15 minutes. Keying on the pair means an attacker elsewhere cannot lock out a known
# organiser, and the lock lifts by itself.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
# The same client address as the rate limits (TRUSTED_PROXY_COUNT), not the proxy's.
AXES_CLIENT_IP_CALLABLE = "symposium.web.ratelimits.client_ip"
# Spraying many usernames from one address is slowed by the "login" rate limit below,
# not by a second axes lockout: axes has one failure limit for all its parameters, so
# an address-wide lockout would shut a whole office out after five typos.

# Cache, sessions and rate limits ------------------------------------------------------
# Several app servers must share rate-limit counters and sessions: Redis, required in
# production. The demo and the tests use a per-process memory cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # A Redis that does not answer is a cache miss, not an error (symposium.web.cache): a
    # short timeout, then a second's pause before it is tried again.
    CACHES = {
        "default": {
            "BACKEND": "symposium.web.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "symposium"),
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT") or 0.25),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT") or 0.25),
                "retry_seconds": float(os.environ.get("REDIS_RETRY_SECONDS") or 1),
            },
        }
    }
elif not (DEBUG or TESTING):
    raise ImproperlyConfigured("Set REDIS_URL: production shares its cache and rate limits there.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in PostgreSQL only, never in Redis. A copy in a cache is a second truth:
# a sign-out while one server cannot reach Redis deletes the database row but leaves
# the copy, which another server (or any, once Redis is back) would accept again. Read
# from the database, a session signed out is dead on every server at once; a password
# changed (the session's auth hash) or an account deactivated (ModelBackend.get_user
# checks is_active) is checked on each request against the user row. Cost: one
# primary-key SELECT per request that carries a session cookie (bench/sessions.py).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_IP_META_KEY = "symposium.web.ratelimits.client_ip"
# A cache that does not answer lets requests through rather than refusing everyone.
RATELIMIT_FAIL_OPEN = True
# "N/period" per client address and per email address; one NHS trust's office may sit
# behind one address, so the per-address limits are generous.
RATE_LIMITS = {
    "register": {"ip": "30/10m", "email": "5/h"},
    "resend-link": {"ip": "10/10m", "email": "3/h"},
    "manage": {"ip": "60/m"},
    # A partner lead's pages (registration.partner_views): the link is the key.
    "partner-lead": {"ip": "60/m"},
    # The feedback survey (feedback.views): emailed to every attendee at the same
    # moment, so an office behind one address answers at once (three requests each);
    # its link is signed, so there is nothing to guess.
    "survey": {"ip": "300/m"},
    # The registration form's organisation picker asks as a person types (debounced):
    # a few dozen a form; an office behind one address fills in many forms at once.
    "directory-search": {"ip": "300/m"},
    # Admin sign-in attempts (all usernames) per address: an office of organisers signs
    # in well under this; a password sprayer gets a few guesses a minute.
    "login": {"ip": "30/10m"},
    # Check-in codes not found, per member of staff: a desk mistypes a few an hour; this
    # stops anyone trying codes by the hundred (the desk is told to wait a minute).
    "checkin-codes": {"user": "30/m"},
}
# Those limits are off while Redis is away. Whatever Redis does, one inbox is emailed a
# manage link (asked for again, or registered again) at most this many times an hour,
# counted in the database (registration.services.email_manage_link).
MANAGE_LINK_EMAILS_PER_HOUR = env_int("MANAGE_LINK_EMAILS_PER_HOUR", 3)

# A seat quota's partner leads are emailed this many days before its unused seats
# return to the general pool (partners.services.warn_quota_releases).
QUOTA_RELEASE_WARNING_DAYS = env_int("QUOTA_RELEASE_WARNING_DAYS", 3)

LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
# Every handler, Django's own included (redefined here), drops manage-link tokens from
# what it writes (symposium.web.log_filters): the token in a URL opens a registration.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_manage_tokens": {"()": "symposium.web.log_filters.RedactManageTokens"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_manage_tokens"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "django.server",
            "filters": ["redact_manage_tokens"],
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "redact_manage_tokens"],
        },
    },
    "loggers": {
        # Django's records reach the console through the root logger.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # Redis going away and coming back (symposium.web.cache), each logged once.
        "symposium.web.cache": {"level": "INFO"},
        # Every job a worker starts, ends, fails or retries, in the worker's output; not
        # the set-up every process logs as it starts.
        "procrastinate": {"level": "WARNING"},
        "procrastinate.worker": {"level": os.environ.get("WORKER_LOG_LEVEL", "INFO")},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if LOG_FORMAT == "json":
    # One JSON object a line (python-json-logger), for a log shipper; still redacted.
    LOGGING["formatters"]["json"] = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "{asctime}{levelname}{name}{message}",
        "style": "{",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    }

# The demo and the tests serve static files straight from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Error reports to Sentry (or a compatible service) when SENTRY_DSN is set: unhandled
# exceptions and ERROR log records, without request bodies, cookies or personal data.
# Manage-link tokens are dropped from what is sent (symposium.web.log_filters).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    from symposium.web.log_filters import redact_sentry_event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0,
        before_send=redact_sentry_event,
    )
