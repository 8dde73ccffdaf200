"""Settings for the Migration Dialogues Tracker.

Everything that differs between a laptop and production comes from environment variables
(see the table in README.md). The defaults are safe for local use: DEBUG is off unless asked
for, and production mode refuses to start without a secret key.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production mode (DJANGO_DEBUG=0, the default) refuses to "
            "start without a secret key: set DJANGO_SECRET_KEY to a long random string, or set "
            "DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # content in the six UN languages (tracker/translation.py); before the admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # hashed, revocable API tokens
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "django_tasks",  # background work: the e-mails of the review workflow
    "django_tasks_db",  # its database backend (manage.py db_worker)
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A first visit's Accept-Language redirects to its language's prefix; the switch's choice sets the
    # language cookie (tracker/http/language.py). Before the response cache, which never sees either.
    "tracker.http.language.LanguageMiddleware",
    # A lost database answers 503 with Retry-After, not a 500 or a traceback (docs/operations.md).
    "tracker.http.middleware.DatabaseUnavailableMiddleware",
    # Anonymous reads served from a cache keyed by the data version (tracker/http/cache.py): after the
    # language is known, before sessions, CSRF and authentication are needed.
    "tracker.http.cache.ResponseCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # gzip for safe text answers, inside the response cache (which keeps the compressed body) and right
    # inside CSRF (to see whether the page holds a CSRF token): tracker/http/compression.py.
    "tracker.http.compression.CompressionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # A `?format=` a page does not offer answers 406, with the security headers above: tracker/http/formats.py.
    "tracker.http.formats.PageFormatMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "migration_dialogues.urls"

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

WSGI_APPLICATION = "migration_dialogues.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # Django's check (a `SELECT 1` before each request's first query) is made by the response
        # cache instead, only where its own first query is not the check (tracker/http/middleware.py,
        # check_connection): a cached answer costs one round trip to PostgreSQL, not two.
        conn_health_checks=False,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; a busy timeout makes a second writer wait
    # instead of failing at once. IMMEDIATE transactions take the write lock up front, so two
    # concurrent read-then-write transactions serialise instead of deadlocking. Connections
    # persist like PostgreSQL's (DATABASE_CONN_MAX_AGE): opening one runs these PRAGMAs, which
    # cost more than a cached answer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"].setdefault("TEST", {})
    if os.environ.get("SQLITE_TEST_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = os.environ["SQLITE_TEST_NAME"]

# A PostgreSQL streaming replica for reads (docs/scaling.md), parsed like DATABASE_URL. The router
# (tracker/models/routing.py) sends an anonymous read there only when the replica has replayed what the
# primary had when the request read the data version; writes, write transactions and a client that has
# just written use the primary. Without it nothing is installed: no router, no middleware, no query.
DATABASE_ROUTERS = []
if os.environ.get("DATABASE_REPLICA_URL"):
    # No health check ("SELECT 1") before each request's first use: the router's own check of the
    # replica is that request's first query, and a failure of it sends the request to the primary.
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=False,
    )
    if {DATABASES["default"]["ENGINE"], DATABASES["replica"]["ENGINE"]} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica.")
    # A replica that does not answer costs a request 2 s at most, then the request reads the primary.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Tests create no second database: the alias reads the test database of the primary (whose
    # pg_last_wal_replay_lsn() is NULL, so the router never picks it; tests/test_replica.py runs real ones).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["tracker.models.routing.ReplicaRouter"]
    # Around the response cache, whose data-version read records the primary's WAL position.
    _cache_middleware = MIDDLEWARE.index("tracker.http.cache.ResponseCacheMiddleware")
    MIDDLEWARE.insert(_cache_middleware, "tracker.http.routing.ReadRouting")
# After a POST, PUT, PATCH or DELETE the client reads the primary for this long (a signed cookie).
REPLICA_PRIMARY_AFTER_WRITE_SECONDS = 10

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tracker.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Dates as the public site writes them: "20 November 2026" (DATE_FORMAT) and "20 Nov 2026"
# (SHORT_DATE_FORMAT, also the admin's), and their equivalents in each language (docs/i18n.md).
FORMAT_MODULE_PATH = ["migration_dialogues.formats"]
# The six official languages of the United Nations, each named in itself (the language switch shows
# these names). Chinese is Django's `zh-hans` (its catalogues and formats), `zh-Hans` in HTML and
# `/zh/` in URLs (tracker.languages); English is unprefixed. Bidirectional: Django's LANGUAGES_BIDI.
LANGUAGES = [
    ("ar", "العربية"),
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("zh-hans", "中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language chosen in the switch (tracker.http.language): a year, never read by scripts, sent
# on top-level navigation only, and over HTTPS only in production.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
# Content translations (docs/i18n.md, "Content translation"): one column per language of each
# translated field (text_fr, title_zh_hans, ...), named here rather than read from LANGUAGES so
# the columns do not depend on which interface languages are switched on.
MODELTRANSLATION_LANGUAGES = ("en", "ar", "es", "fr", "ru", "zh-hans")
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
# Where a language's column is empty, `record.field` reads another (readers' pages mark such a
# fallback with its lang attribute through tracker.models.translations instead).
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh-hans")
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# Uploaded evidence files (tracker.models.evidence), through the `default` storage above: a local
# folder that no URL serves directly (the tracker's own view checks who may see each file). For an
# S3-compatible store, see the README's production section (django-storages).
MEDIA_ROOT = Path(os.environ.get("TRACKER_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"  # never routed: files are served by tracker.views.evidence
TRACKER_EVIDENCE_MAX_BYTES = int(float(os.environ.get("TRACKER_EVIDENCE_MAX_MB", "20")) * 1024 * 1024)
# A recommendation with no approved report for this many months is flagged "not reported since".
TRACKER_NOT_REPORTED_MONTHS = int(os.environ.get("TRACKER_NOT_REPORTED_MONTHS", "24"))
FILE_UPLOAD_PERMISSIONS = 0o640

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The per-process response cache's size (tracker/http/cache.py); 0 turns response caching off.
RESPONSE_CACHE_MB = float(os.environ.get("RESPONSE_CACHE_MB", "64"))
# How long (seconds) a request that misses the cache waits for another request's render of the same
# answer before rendering it itself (tracker/http/single_flight.py).
RESPONSE_CACHE_RENDER_WAIT = float(os.environ.get("RESPONSE_CACHE_RENDER_WAIT", "5"))

LOGIN_URL = "admin:login"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username/IP pair is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failed logins, counted per username and client address together (so
# nobody can lock a colleague out from elsewhere), for the admin and API token issuance alike.
# The client address is tracker.http.client_address's, as for the API's rate limits and the audit log:
# behind the TLS proxy (DJANGO_BEHIND_TLS_PROXY=1) the last X-Forwarded-For entry, which the proxy
# appends, otherwise REMOTE_ADDR.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tracker.http.client_address.client_address"

# The REST API's settings (authentication, pagination, throttle rates, the OpenAPI schema).
from migration_dialogues.api_settings import REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: E402, F401

# Read-only cross-origin access to the API, so dashboards hosted elsewhere can read it.
# The API, the feeds, the list's exports (/recommendations/?format=csv|json) and the open-data
# package's files (/data/datapackage.json, /data/<table>.csv, /data/package.zip, /data/dcat.jsonld) alike.
# In every language of the interface too (/fr/feeds/updates/, /zh/data/...: tracker.languages).
CORS_URLS_REGEX = r"^/(api/.*|((ar|es|fr|ru|zh)/)?(feeds/.*|recommendations/|data/.+))$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
# Dashboards elsewhere may read versions and rate limits and make conditional requests.
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Location"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "content-type", "if-none-match", "if-modified-since"]

# Content Security Policy: scripts only from this origin, never inline. Inline style attributes
# stay allowed because Django's admin uses a few; they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Security. Production mode (DEBUG off) is hardened; `manage.py check --deploy` stays clean.
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "tracker.audit": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# History is a record, not a draft: nobody reverts from it in the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Background tasks (django-tasks). TASKS_BACKEND: "database" (the default in production: tasks
# are rows, run by `manage.py db_worker`), "immediate" (the default with DJANGO_DEBUG=1: run in the
# request, after the commit), "rq" (for several app servers: tasks wait in Redis at TASKS_REDIS_URL,
# run by `manage.py rqworker default --with-scheduler`) or a dotted backend path.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if DEBUG else "database")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND)}}
# django-rq's queue for the RQ backend (tasks use the queue "default"). Its worker runs django-tasks'
# Task objects through django_tasks_rq.Job; its scheduler moves retries (run_after) into the queue
# when they are due. Its admin dashboard stays off: its queue pages are open to every staff user.
RQ_QUEUES = {"default": {"URL": os.environ.get("TASKS_REDIS_URL", "redis://127.0.0.1:6379/0")}}
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
RQ_SHOW_ADMIN_LINK = False
if TASKS["default"]["BACKEND"] == _TASK_BACKENDS["rq"]:
    INSTALLED_APPS += ["django_rq"]  # its rqworker command

# E-mail through Django's mail API: SMTP whenever EMAIL_HOST is set, the console otherwise.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in e-mails point: the site's public address.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# The open-data package (/data/, docs/data-package.md): its licence (an SPDX id, the licence's URL
# and name; the URL and name default to those of a few well-known ids, empty for others) and how to
# cite it. An empty citation is built from the publisher, the title, the date of the data's last
# change and the address of /data/; a set one may use {date}, {version} and {url}.
_DATA_LICENSES = {
    "CC-BY-4.0": ("https://creativecommons.org/licenses/by/4.0/", "Creative Commons Attribution 4.0 International"),
    "CC0-1.0": ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0 Universal (public domain dedication)"),
    "CC-BY-SA-4.0": (
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "Creative Commons Attribution-ShareAlike 4.0 International",
    ),
    "ODC-By-1.0": ("https://opendatacommons.org/licenses/by/1-0/", "Open Data Commons Attribution License v1.0"),
    "ODbL-1.0": ("https://opendatacommons.org/licenses/odbl/1-0/", "Open Data Commons Open Database License v1.0"),
}
TRACKER_DATA_LICENSE_ID = os.environ.get("TRACKER_DATA_LICENSE_ID", "CC-BY-4.0")
TRACKER_DATA_LICENSE_URL = os.environ.get(
    "TRACKER_DATA_LICENSE_URL", _DATA_LICENSES.get(TRACKER_DATA_LICENSE_ID, ("", ""))[0]
)
TRACKER_DATA_LICENSE_TITLE = os.environ.get(
    "TRACKER_DATA_LICENSE_TITLE", _DATA_LICENSES.get(TRACKER_DATA_LICENSE_ID, ("", ""))[1]
)
if not (TRACKER_DATA_LICENSE_ID or TRACKER_DATA_LICENSE_URL):
    raise ImproperlyConfigured(
        "Set TRACKER_DATA_LICENSE_ID or TRACKER_DATA_LICENSE_URL: the open data needs a licence."
    )
TRACKER_DATA_CITATION = os.environ.get("TRACKER_DATA_CITATION", "")

# The actor (slug) under which the secretariat's own assessments are recorded, for secretariat
# users and superusers without an actor of their own. Empty: the only actor of kind secretariat.
TRACKER_SECRETARIAT_ACTOR = os.environ.get("TRACKER_SECRETARIAT_ACTOR", "")

# Outbound webhooks (docs/webhooks.md). Endpoints resolving to loopback, private, link-local and
# other non-public addresses are refused, and https is required, unless WEBHOOKS_ALLOW_PRIVATE=1
# (tests, intranets). WEBHOOKS_ALLOWED_HOSTS (comma-separated host names or IP addresses), when
# set, is the only hosts endpoints may name. An endpoint is disabled after this many failed
# attempts in a row.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
WEBHOOKS_ALLOWED_HOSTS = env_list("WEBHOOKS_ALLOWED_HOSTS")
WEBHOOKS_DISABLE_AFTER = int(os.environ.get("WEBHOOKS_DISABLE_AFTER", "10"))

# Reporting cycles (tracker/cycles.py, tracker/reminders.py): an open cycle closes by itself this
# many days after its deadline; reminders go out at these offsets in days from the deadline
# (negative: before it), comma-separated in the environment.
TRACKER_CYCLE_CLOSE_AFTER_DAYS = int(os.environ.get("TRACKER_CYCLE_CLOSE_AFTER_DAYS", "30"))
TRACKER_REMINDER_OFFSETS = [
    int(offset) for offset in os.environ.get("TRACKER_REMINDER_OFFSETS", "-14,0,7").split(",") if offset.strip()
]
