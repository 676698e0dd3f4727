"""Factcheck settings: one file, every value read from the environment.

Each variable is read by a small helper that fails loudly on a bad value, so a typo
in production stops the process at start-up instead of silently picking a default.
The README has a table of every variable.

With no environment at all (and ``DEBUG=1``) the app runs on its embedded default:
SQLite in WAL mode under ``var/`` and kombu's filesystem Celery broker, so a
real worker process runs beside the web server without any service installed.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
"""

import hashlib
import hmac
import ipaddress
import os
import re
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# Runtime files: the SQLite database, the embedded broker's folder, task results.
VAR_DIR = BASE_DIR / os.environ.get("FACTCHECK_VAR_DIR", "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1 or 0.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0, maximum: float = 1.0) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} must lie between {minimum} and {maximum}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_rate(name: str, default: str) -> str:
    """A django-ratelimit rate such as ``10/h`` or ``100/5m``; empty switches it off."""
    raw = env_str(name, default)
    if raw and not re.fullmatch(r"\d+/\d*[smhd]", raw):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a rate; use e.g. 10/h or 100/5m.")
    return raw


def env_url(name: str, *, schemes: set[str]) -> str:
    raw = env_str(name)
    if raw and urlsplit(raw).scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name}={raw!r}: the scheme must be one of {allowed}.")
    return raw


def env_proxies(name: str) -> int | tuple[str, ...]:
    """Trusted proxies in front of the web process: a count (``1``: one proxy, e.g. the
    TLS proxy), or comma-separated addresses or networks of the proxies; empty: none,
    the client is ``REMOTE_ADDR``."""
    raw = env_str(name)
    if not raw:
        return 0
    if raw.isdigit():
        return int(raw)
    networks = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}={raw!r}: give a number of proxies or their addresses, "
                f"e.g. 1 or 10.0.0.2,10.0.1.0/24 ({item!r} is neither)."
            ) from None
    return tuple(networks)


# --- Core ---------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required unless DEBUG=1.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_url("SITE_URL", schemes={"http", "https"}) or "http://localhost:8000"
SITE_NAME = env_str("SITE_NAME", "Factcheck")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # search and trigram lookups; inert on SQLite
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "csp",
    "django_ratelimit",
    # The public read API (claims/api/): DRF, its filters, its OpenAPI schema and the
    # Swagger UI files served from our own static files, and partners' API keys.
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "claims",
]

MIDDLEWARE = [
    "claims.middleware.BodySizeLimitMiddleware",  # before anything reads the body
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

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
                "claims.context_processors.inbox",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "claims.templatetags.pager",
                "claims.templatetags.labels",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------

_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def _database(url: str) -> dict:
    if not url:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "factcheck.sqlite3"),
        }
    else:
        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:  # environ raises several types on a malformed URL
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
        if config["ENGINE"] not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
            raise ImproperlyConfigured("DATABASE_URL must be postgres://... or sqlite:///...")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(_SQLITE_OPTIONS)
        # A file, not :memory:, so worker processes started by tests see the test data.
        config["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    else:
        config["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = env_url("DATABASE_URL", schemes={"postgres", "postgresql", "pgsql", "sqlite"})
DATABASES = {"default": _database(DATABASE_URL)}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker, results and the cache ------------------------------------

REDIS_URL = env_url("REDIS_URL", schemes={"redis", "rediss"})

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fc",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        },
        # Counters: rate limits, page views, task coalescing; several tiny writes per
        # request. django-redis keeps one client per process and increments in one round
        # trip (a Lua script), and django-ratelimit supports it by name.
        "counters": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fc",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        },
    }
else:
    _BROKER_DIR = VAR_DIR / "broker"
    _BROKER_DIR.mkdir(exist_ok=True)
    # kombu's filesystem transport, written atomically (factcheck/broker.py).
    CELERY_BROKER_URL = "filesystem-atomic://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR),
        "data_folder_out": str(_BROKER_DIR),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
        # The folder is polled; the default 1 s between polls caps the embedded worker at
        # a few tasks a second (bench/fetch.py).
        "polling_interval": 0.1,
    }
    (VAR_DIR / "results").mkdir(exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'results'}"
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Counters (rate limits, page views, task coalescing, form nonces) must be one
        # store for the web and the worker, which are separate processes: a
        # local-memory cache would be two (page views never reached the worker that
        # flushes them, and the coalescing flag kept new reports waiting for the
        # sweeper). Files under var/ need no service and no table, and every process
        # of the embedded default runs on this one machine.
        "counters": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "counters"),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

# django-ratelimit counts on the "counters" cache: django-redis with REDIS_URL, shared by
# every web process. The embedded default's file cache is shared by every process too,
# but django-ratelimit refuses it (E003, W001) because its increments are not atomic:
# two requests in the same instant may count once. For the development and small
# installs that run without Redis this only makes a limit slightly looser, so the
# check is silenced there on purpose; with REDIS_URL it applies in full.
RATELIMIT_USE_CACHE = "counters"
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]
# Every IP-keyed limit counts the client's address, from the one helper that knows the
# trusted proxies (claims.access.client_ip).
RATELIMIT_IP_META_KEY = "claims.access.client_ip"

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "claims.tasks.source_fetch_task": {"queue": "fetch"},
    "claims.tasks.memento_archive_task": {"queue": "fetch"},
    "claims.tasks.report_evidence_fetch_task": {"queue": "fetch"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A request that sends a task must not hang when the broker is down: the row state is
# the source of truth and the sweeper re-sends whatever did not go out.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Sources: how often beat looks for due fetches and for lost ones (seconds).
FACTCHECK_SOURCE_DUE_EVERY = env_int("FACTCHECK_SOURCE_DUE_EVERY", 300, minimum=1)
FACTCHECK_SOURCE_SWEEP_EVERY = env_int("FACTCHECK_SOURCE_SWEEP_EVERY", 120, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "reports-sweep": {"task": "claims.tasks.reports_sweep_task", "schedule": 60.0},
    "notifications-sweep": {"task": "claims.tasks.notifications_sweep_task", "schedule": 60.0},
    "sources-due": {
        "task": "claims.tasks.sources_enqueue_due_task",
        "schedule": float(FACTCHECK_SOURCE_DUE_EVERY),
    },
    "sources-sweep": {
        "task": "claims.tasks.sources_sweep_task",
        "schedule": float(FACTCHECK_SOURCE_SWEEP_EVERY),
    },
    "report-emails-sweep": {"task": "claims.tasks.report_emails_sweep_task", "schedule": 60.0},
    "mementos-sweep": {"task": "claims.tasks.mementos_sweep_task", "schedule": 60.0},
    "article-views-flush": {"task": "claims.tasks.article_views_flush_task", "schedule": 300.0},
    "reports-housekeeping": {"task": "claims.tasks.reports_housekeeping_task", "schedule": 3600.0},
    # Webhook deliveries and followers' emails due again, events not yet handed out.
    "events-sweep": {"task": "claims.tasks.events_sweep_task", "schedule": 60.0},
    # Hourly: write the open-data dump when the last one is a day old (a restarted beat
    # never skips or doubles a day), and forget unconfirmed follows.
    "opendata-dump": {"task": "claims.tasks.opendata_dump_due_task", "schedule": 3600.0},
    "follows-housekeeping": {"task": "claims.tasks.follows_housekeeping_task", "schedule": 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Auth, i18n, static -------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling first
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: lock a username+IP pair out after repeated failed logins.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Only a salted hash of the client IP (claims.access.client_ip, which knows the trusted
# proxies) is recorded: see claims.access.login_ip_hashed.
AXES_CLIENT_IP_CALLABLE = "claims.access.login_ip_hashed"
# The admin lives at a path of the newsroom's choosing.
ADMIN_PATH = env_str("ADMIN_PATH", "admin").strip("/") + "/"
# Change history is a record: the admin shows it, and never reverts to an old version.
SIMPLE_HISTORY_REVERT_DISABLED = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims:home"
LOGOUT_REDIRECT_URL = "claims:home"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "claims" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# WARC captures of cited sources: files under VAR_DIR/captures, or in an S3-compatible
# bucket through django-storages (install requirements-s3.txt; the credentials come from
# boto3's own environment variables, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).
FACTCHECK_CAPTURES_S3_BUCKET = env_str("FACTCHECK_CAPTURES_S3_BUCKET")
if FACTCHECK_CAPTURES_S3_BUCKET:
    _CAPTURES_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": FACTCHECK_CAPTURES_S3_BUCKET,
            "endpoint_url": env_url("FACTCHECK_CAPTURES_S3_ENDPOINT", schemes={"http", "https"})
            or None,
            "region_name": env_str("FACTCHECK_CAPTURES_S3_REGION") or None,
            "location": "captures",
            "default_acl": None,  # private: staff download captures through the app
            "file_overwrite": False,
        },
    }
else:
    _CAPTURES_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "captures")},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # The daily open-data dumps (claims/services/opendata.py). A FileSystemStorage under
    # var/ by default; any Django storage backend (django-storages for S3) works here.
    "opendata": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "opendata")},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    "captures": _CAPTURES_STORAGE,
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email --------------------------------------------------------------------------

# The development default writes each email to the log at INFO (logger factcheck.email),
# so the worker's output shows it as a mail, not as stray stdout.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "claims.mail.LogEmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Factcheck <factcheck@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies in front of the web process whose X-Forwarded-For is believed: a count or
# their addresses. Rate limits, login lock-outs and reporters' IP hashes all take the
# client's address from claims.access.client_ip (django-ipware) with this.
FACTCHECK_TRUSTED_PROXIES = env_proxies("FACTCHECK_TRUSTED_PROXIES")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# No inline scripts anywhere: every script is a static file (htmx from django-htmx).
# Inline style attributes are allowed for the rating colours; htmx's own indicator
# style is switched off in base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Request bodies: Django refuses a form body over this (400); a Content-Length over
# FACTCHECK_MAX_BODY_BYTES is refused before anything is read (413, claims.middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FACTCHECK_MAX_BODY_BYTES = env_int("FACTCHECK_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
# The debug page hides settings whose names match this (Django's list, and SALT and
# the service URLs, which may carry passwords).
DEFAULT_EXCEPTION_REPORTER_FILTER = "claims.debug.SafeExceptionReporterFilter"
# htmx fragments answer a refused CSRF token with HX-Refresh; pages with 403_csrf.html.
CSRF_FAILURE_VIEW = "claims.views.pages.csrf_failure"

# --- Factcheck ----------------------------------------------------------------------

# Key for hashing reporter IPs; only the hash is ever stored. Without its own value it
# is derived from SECRET_KEY by an HMAC, so it never equals the signing key and does
# not reveal it.
FACTCHECK_IP_SALT = (
    env_str("FACTCHECK_IP_SALT")
    or hmac.new(SECRET_KEY.encode(), b"factcheck.ip-salt", hashlib.sha256).hexdigest()
)
# Largest seed-format file the importer reads.
FACTCHECK_IMPORT_MAX_BYTES = env_int("FACTCHECK_IMPORT_MAX_BYTES", 2 * 1024 * 1024, minimum=1)
# Where readers ask to see or erase what we keep about them: an address the newsroom
# reads. Without it, the sender address of our emails (check --deploy warns).
FACTCHECK_PRIVACY_CONTACT = env_str("FACTCHECK_PRIVACY_CONTACT") or (
    parseaddr(DEFAULT_FROM_EMAIL)[1] or DEFAULT_FROM_EMAIL
)
FACTCHECK_PRIVACY_CONTACT_SET = bool(env_str("FACTCHECK_PRIVACY_CONTACT"))
# Report form caps (characters).
FACTCHECK_REPORT_MESSAGE_MAX = 5000
FACTCHECK_REPORT_QUOTE_MAX = 1000
FACTCHECK_REPORT_NAME_MAX = 100
# A form sent sooner than this after it was served is refused as too fast (bots);
# one older than FACTCHECK_REPORT_FORM_MAX_AGE_HOURS gets a fresh token.
FACTCHECK_REPORT_MIN_FILL_SECONDS = env_int("FACTCHECK_REPORT_MIN_FILL_SECONDS", 3)
FACTCHECK_REPORT_FORM_MAX_AGE_HOURS = env_int("FACTCHECK_REPORT_FORM_MAX_AGE_HOURS", 48, minimum=1)
# django-ratelimit rates for the report form; counted on the cache (Redis when set).
FACTCHECK_REPORT_RATE_PER_IP = env_rate("FACTCHECK_REPORT_RATE_PER_IP", "10/h")
FACTCHECK_REPORT_RATE_PER_ARTICLE = env_rate("FACTCHECK_REPORT_RATE_PER_ARTICLE", "120/h")
# The reviewer queue: how long a claimed report stays with its reviewer, and how many
# minutes of waiting one priority point (a duplicate counts 2, reach up to 6) is worth.
FACTCHECK_REPORT_LEASE_MINUTES = env_int("FACTCHECK_REPORT_LEASE_MINUTES", 20, minimum=1)
FACTCHECK_REPORT_PRIORITY_POINT_MINUTES = env_int(
    "FACTCHECK_REPORT_PRIORITY_POINT_MINUTES", 60, minimum=0
)
# A report waiting for the reader's answer returns to the queue after this many days.
FACTCHECK_REPORT_INFO_WAIT_DAYS = env_int("FACTCHECK_REPORT_INFO_WAIT_DAYS", 7, minimum=1)
# Reporters' names and email addresses are erased this many days after resolution.
FACTCHECK_REPORT_EMAIL_RETENTION_DAYS = env_int("FACTCHECK_REPORT_EMAIL_RETENTION_DAYS", 30)
# The email outbox: attempts before giving up (the sweeper retries with backoff).
FACTCHECK_EMAIL_MAX_ATTEMPTS = env_int("FACTCHECK_EMAIL_MAX_ATTEMPTS", 8, minimum=1)
FACTCHECK_HEALTHZ_PING_TIMEOUT = 3.0
# /healthz?deep=1 sends a task and waits for a worker: staff, or a monitor that sends
# this token (``?token=`` or the X-Healthz-Token header), get a fresh answer; anyone
# else gets the last answer, cached this many seconds.
FACTCHECK_HEALTHZ_TOKEN = env_str("FACTCHECK_HEALTHZ_TOKEN")
FACTCHECK_HEALTHZ_CACHE_SECONDS = env_int("FACTCHECK_HEALTHZ_CACHE_SECONDS", 15, minimum=1)
# Blocking a reporter: how long a block lasts, and how far back the moderator is shown
# how many different reporters used the address.
FACTCHECK_BLOCK_DAYS = env_int("FACTCHECK_BLOCK_DAYS", 30, minimum=1)
FACTCHECK_BLOCK_LOOKBACK_DAYS = 30
FACTCHECK_REQUIRE_SERVICES = env_bool("FACTCHECK_REQUIRE_SERVICES", False)
# host:port pairs on loopback that the fetcher may reach (tests' and benchmarks' own servers).
FACTCHECK_FETCH_ALLOW = env_list("FACTCHECK_FETCH_ALLOW")

# Claim matching (claims/matching.py), as Meedan Check does it: a score at or above
# SUGGEST is shown to the editor as "possibly the same claim"; at or above LINK the new
# appearance or imported review is linked to the existing claim straight away.
FACTCHECK_MATCH_SUGGEST = env_float("FACTCHECK_MATCH_SUGGEST", 0.55)
FACTCHECK_MATCH_LINK = env_float("FACTCHECK_MATCH_LINK", 0.85)
if FACTCHECK_MATCH_SUGGEST > FACTCHECK_MATCH_LINK:
    raise ImproperlyConfigured("FACTCHECK_MATCH_SUGGEST must not exceed FACTCHECK_MATCH_LINK.")
# Check-worthiness: sentences scoring at least this are suggested as claims.
FACTCHECK_SUGGEST_MIN_SCORE = env_float("FACTCHECK_SUGGEST_MIN_SCORE", 1.5, maximum=10.0)
# Largest ClaimReview file or page import_claimreview reads.
FACTCHECK_CLAIMREVIEW_MAX_BYTES = env_int(
    "FACTCHECK_CLAIMREVIEW_MAX_BYTES", 20 * 1024 * 1024, minimum=1
)
# The organisation named as author of the newsroom's ClaimReviews.
FACTCHECK_PUBLISHER_NAME = env_str("FACTCHECK_PUBLISHER_NAME") or SITE_NAME
# --- Fetching sources (claims/fetch.py) ----------------------------------------------
# Where site owners can read who we are and ask us to stop; part of the User-Agent.
FACTCHECK_FETCH_CONTACT_URL = env_url("FACTCHECK_FETCH_CONTACT_URL", schemes={"http", "https"}) or (
    f"{SITE_URL.rstrip('/')}/"
)
FACTCHECK_FETCH_USER_AGENT = (
    f"FactcheckBot/0.1 (+{FACTCHECK_FETCH_CONTACT_URL}; checks the sources newsroom articles cite)"
)
FACTCHECK_FETCH_CONNECT_TIMEOUT = env_int("FACTCHECK_FETCH_CONNECT_TIMEOUT", 5, minimum=1)
FACTCHECK_FETCH_TOTAL_TIMEOUT = env_int("FACTCHECK_FETCH_TOTAL_TIMEOUT", 30, minimum=1)
# Largest body kept, counted after decompression (a gzip bomb stops here).
FACTCHECK_FETCH_MAX_BYTES = env_int("FACTCHECK_FETCH_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
FACTCHECK_FETCH_MAX_REDIRECTS = env_int("FACTCHECK_FETCH_MAX_REDIRECTS", 5)
# Politeness: at least this many milliseconds between two requests to one host, across
# all workers (a robots.txt Crawl-delay that asks for more wins, up to 60 s).
FACTCHECK_FETCH_DOMAIN_INTERVAL_MS = env_int("FACTCHECK_FETCH_DOMAIN_INTERVAL_MS", 2000)
# Longest a worker waits for its turn at a busy host before giving the fetch back.
FACTCHECK_FETCH_DOMAIN_MAX_WAIT = env_int("FACTCHECK_FETCH_DOMAIN_MAX_WAIT", 30)
FACTCHECK_ROBOTS_CACHE_SECONDS = env_int("FACTCHECK_ROBOTS_CACHE_SECONDS", 3600)
# Link health (InternetArchiveBot practice): live sources re-checked weekly, failing ones
# daily; dead after FAILURES failed checks at least FAILURE_SPACING apart.
FACTCHECK_SOURCE_RECHECK_LIVE = env_int("FACTCHECK_SOURCE_RECHECK_LIVE", 7 * 86400, minimum=1)
FACTCHECK_SOURCE_RECHECK_FAILING = env_int("FACTCHECK_SOURCE_RECHECK_FAILING", 86400, minimum=1)
FACTCHECK_SOURCE_RECHECK_DEAD = env_int("FACTCHECK_SOURCE_RECHECK_DEAD", 30 * 86400, minimum=1)
FACTCHECK_SOURCE_DEAD_FAILURES = env_int("FACTCHECK_SOURCE_DEAD_FAILURES", 3, minimum=1)
FACTCHECK_SOURCE_FAILURE_SPACING = env_int("FACTCHECK_SOURCE_FAILURE_SPACING", 3 * 86400, minimum=0)
# Transient failures (timeout, 5xx, 429) are retried at once with backoff: the first
# retry after RETRY_BASE seconds, doubling, at most RETRIES times; Retry-After wins.
FACTCHECK_SOURCE_RETRIES = env_int("FACTCHECK_SOURCE_RETRIES", 3)
FACTCHECK_SOURCE_RETRY_BASE = env_int("FACTCHECK_SOURCE_RETRY_BASE", 60, minimum=1)
# A fetch holds its row this long; after that the sweeper hands it to another worker.
FACTCHECK_SOURCE_LEASE_SECONDS = env_int("FACTCHECK_SOURCE_LEASE_SECONDS", 180, minimum=1)
# A due source whose task has not run after this long is sent again by the sweeper.
FACTCHECK_SOURCE_RESEND_AFTER = env_int("FACTCHECK_SOURCE_RESEND_AFTER", 900, minimum=1)
# Quote checks: a fuzzy score (0-100) at or above this is a close match.
FACTCHECK_QUOTE_CLOSE_SCORE = env_int("FACTCHECK_QUOTE_CLOSE_SCORE", 85)
# --- Evidence: WARC captures and the web archive (claims/services/evidence.py) ----------
# Every successful fetch of a source is written to a WARC file in the "captures" storage.
FACTCHECK_WARC_CAPTURE = env_bool("FACTCHECK_WARC_CAPTURE", True)
# Save Page Now 2: the archive asked to capture each cited source when it is first fetched
# live and whenever its text changes. Empty switches archiving off.
FACTCHECK_ARCHIVE_SPN_URL = (
    env_url("FACTCHECK_ARCHIVE_SPN_URL", schemes={"http", "https"})
    if "FACTCHECK_ARCHIVE_SPN_URL" in os.environ
    else "https://web.archive.org"
).rstrip("/")
# The archive account's S3-style keys (archive.org/account/s3.php); without them captures
# are anonymous, at the archive's lower anonymous limit.
FACTCHECK_ARCHIVE_S3_ACCESS = env_str("FACTCHECK_ARCHIVE_S3_ACCESS")
FACTCHECK_ARCHIVE_S3_SECRET = env_str("FACTCHECK_ARCHIVE_S3_SECRET")
if bool(FACTCHECK_ARCHIVE_S3_ACCESS) != bool(FACTCHECK_ARCHIVE_S3_SECRET):
    raise ImproperlyConfigured(
        "Set both FACTCHECK_ARCHIVE_S3_ACCESS and FACTCHECK_ARCHIVE_S3_SECRET, or neither."
    )
# Captures asked for per minute, across all workers (anonymous: at most 4, the archive's
# limit without keys).
FACTCHECK_ARCHIVE_PER_MINUTE = env_int("FACTCHECK_ARCHIVE_PER_MINUTE", 6, minimum=1)
# Seconds between two looks at a capture the archive is working on.
FACTCHECK_ARCHIVE_POLL_SECONDS = env_int("FACTCHECK_ARCHIVE_POLL_SECONDS", 10, minimum=1)

# --- Open data and integrations -----------------------------------------------------
# The licence of the public API, the open-data dumps and the feeds: stated in each
# file's metadata, in the API schema and on the "Open data" page.
FACTCHECK_OPENDATA_LICENSE = env_str("FACTCHECK_OPENDATA_LICENSE", "CC BY 4.0")
FACTCHECK_OPENDATA_LICENSE_URL = env_url(
    "FACTCHECK_OPENDATA_LICENSE_URL", schemes={"http", "https"}
) or ("https://creativecommons.org/licenses/by/4.0/")
# A new dump is written when the last is this old; one older than STALE_HOURS shows
# on /healthz and the dashboard. How many dumps are kept (each at its own dated URL).
FACTCHECK_OPENDATA_EVERY_HOURS = env_int("FACTCHECK_OPENDATA_EVERY_HOURS", 24, minimum=1)
FACTCHECK_OPENDATA_STALE_HOURS = env_int("FACTCHECK_OPENDATA_STALE_HOURS", 26, minimum=1)
FACTCHECK_OPENDATA_KEEP = env_int("FACTCHECK_OPENDATA_KEEP", 7, minimum=1)
# The API: requests per minute for anonymous clients (per hashed IP) and for a partner's
# API key (unless the key has its own); how long a rendered answer is cached (it is
# also dropped at once when public data changes).
FACTCHECK_API_RATE_ANON = env_rate("FACTCHECK_API_RATE_ANON", "60/m") or None
FACTCHECK_API_RATE_KEY = env_rate("FACTCHECK_API_RATE_KEY", "1200/m") or None
FACTCHECK_API_CACHE_SECONDS = env_int("FACTCHECK_API_CACHE_SECONDS", 300)
FACTCHECK_API_PAGE_SIZE = 50
FACTCHECK_API_PAGE_MAX = 200
# Webhooks: a delivery is tried this many times (backoff from RETRY_BASE seconds,
# doubling, at most RETRY_MAX), and an endpoint is switched off after this many failed
# attempts in a row (its owner is told). TIMEOUT: seconds for one POST.
FACTCHECK_WEBHOOK_MAX_ATTEMPTS = env_int("FACTCHECK_WEBHOOK_MAX_ATTEMPTS", 10, minimum=1)
FACTCHECK_WEBHOOK_RETRY_BASE = env_int("FACTCHECK_WEBHOOK_RETRY_BASE", 30, minimum=1)
FACTCHECK_WEBHOOK_RETRY_MAX = env_int("FACTCHECK_WEBHOOK_RETRY_MAX", 6 * 3600, minimum=1)
FACTCHECK_WEBHOOK_DISABLE_AFTER = env_int("FACTCHECK_WEBHOOK_DISABLE_AFTER", 30, minimum=1)
FACTCHECK_WEBHOOK_TIMEOUT = env_int("FACTCHECK_WEBHOOK_TIMEOUT", 10, minimum=1)
# Following a claim or an article: an unconfirmed address is forgotten after this many
# days; the follow form's rate per IP (django-ratelimit).
FACTCHECK_FOLLOW_CONFIRM_DAYS = env_int("FACTCHECK_FOLLOW_CONFIRM_DAYS", 7, minimum=1)
FACTCHECK_FOLLOW_RATE_PER_IP = env_rate("FACTCHECK_FOLLOW_RATE_PER_IP", "10/h")

REST_FRAMEWORK = {
    # Public and read-only: nobody signs in through the API; a partner's key only lifts
    # the rate limit (claims/api/throttles.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["claims.api.throttles.KnownKeyOrAnonymous"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "claims.api.throttles.AnonymousThrottle",
        "claims.api.throttles.ApiKeyThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": FACTCHECK_API_RATE_ANON,
        "api_key": FACTCHECK_API_RATE_KEY,
    },
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "DEFAULT_PAGINATION_CLASS": "claims.api.pagination.Cursor",
    "PAGE_SIZE": FACTCHECK_API_PAGE_SIZE,
    "DATETIME_FORMAT": "iso-8601",
}
API_KEY_CUSTOM_HEADER = "HTTP_X_API_KEY"  # also "Authorization: Api-Key <key>"
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "Read-only access to the newsroom's published articles, claims and verdicts, "
        "corrections and rating scales. Anonymous clients are rate-limited; partners "
        "send an API key in the X-Api-Key header for a higher limit. Lists use cursor "
        "pagination; every answer has an ETag and Last-Modified for conditional requests."
    ),
    "VERSION": "1",
    "LICENSE": {"name": FACTCHECK_OPENDATA_LICENSE, "url": FACTCHECK_OPENDATA_LICENSE_URL},
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    "DISABLE_ERRORS_AND_WARNINGS": False,
}

# One time zone in every log line of every process (web, worker, beat): TIME_ZONE,
# with its UTC offset written out. The Procfile sets TZ too, for the lines gunicorn
# and Celery write before Django is loaded.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "factcheck.logs.ZoneFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}
# Whatever a task prints (none of ours should) is logged at INFO, not as a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
