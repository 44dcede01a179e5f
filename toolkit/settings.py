"""Settings for the evidence toolkit.

One module for every machine: whatever differs between machines comes from the
environment (see the table in README.md). DEBUG is off unless DEBUG=1 says otherwise
(`make run` does, for the demo), so a deployment that forgets it is not in debug mode;
with DEBUG off the site refuses to serve until the operator has set what production needs
(toolkit/production.py).
"""

import os
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    # Local use only: a throwaway key and the loopback names.
    SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
# With DEBUG off and either unset, the settings still load, so management commands work on
# any checkout; serving is refused until both are set (toolkit/production.py: wsgi.py and
# gunicorn.conf.py refuse to start, and `manage.py check --deploy` names what is missing).

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_prose_editor",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "summaries",
]

# The security headers come before whitenoise, so static files carry them too; the
# maintenance page comes after it, so a page in maintenance still gets its stylesheet.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "toolkit.middleware.PermissionsPolicyMiddleware",
    "toolkit.middleware.ContentSecurityPolicyMiddleware",
    # Before anything reads the query string (and after the headers, which the 400 gets too).
    "toolkit.middleware.TooManyParametersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "toolkit.middleware.ServiceUnavailableMiddleware",
    # A public page's cache hit (or 304) is answered here: the rest has nothing to do for it.
    "summaries.public.cache.PageCacheMiddleware",
    # /api/: rate limit, CORS, cache and ETags, errors as problem details.
    "summaries.api.middleware.ApiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Turns a sign-in refused by the per-username cap into its page (toolkit/signin.py).
    "toolkit.signin.UsernameThrottleMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Prometheus metrics (django-prometheus): off unless METRICS_PORT is set. gunicorn then
# serves them on that port of their own, at METRICS_ADDRESS (gunicorn.conf.py); no URL of
# the site serves them, so they are never public.
METRICS_PORT = env_int("METRICS_PORT", 0)
METRICS_ADDRESS = os.environ.get("METRICS_ADDRESS", "127.0.0.1")
if METRICS_PORT:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    # Just before axes, which must stay last: it then counts the answer axes gives.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    )

ROOT_URLCONF = "toolkit.urls"
WSGI_APPLICATION = "toolkit.wsgi.application"

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
                "summaries.public.context_processors.site",
            ],
        },
    },
]

# SQLite file by default, so a fresh clone runs with nothing else installed;
# PostgreSQL (or any database dj-database-url understands) when DATABASE_URL is set.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # Every transaction takes SQLite's write lock when it begins (BEGIN IMMEDIATE). A
        # transaction that began by reading can never be upgraded to write while another
        # writes (SQLite fails it at once, "database is locked"; select_for_update does
        # nothing on SQLite), so two editors saving together would lose one save to the
        # 503 page. Begun immediate, the second waits for the first, then reads what it
        # saved and answers as any stale save does. Public pages read outside a
        # transaction here (summaries/models/snapshot.py), so readers never queue for
        # writers.
        transaction_mode="IMMEDIATE",
        # How long to wait for another transaction's lock before giving up, in seconds.
        timeout=20,
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # Parameters bound by the server, and a statement run a few times on a connection
        # prepared there (psycopg's prepare_threshold): PostgreSQL plans it once, not on
        # every request. Django leaves this off for connection poolers in transaction
        # mode, which older PgBouncer releases cannot follow: set
        # DATABASE_PREPARED_STATEMENTS=0 behind one (docs/operations.md).
        server_side_binding=True,
        prepare_threshold=env_int("DATABASE_PREPARE_THRESHOLD", 5),
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """The default cache from CACHE_URL: ``locmem://``, ``redis://host:6379/0`` (also
    ``rediss://``), ``file:///a/directory`` (processes of one machine sharing files) or
    ``dummy://`` (no cache). Memcached is not offered: nothing tests it, and Redis serves
    every use a shared cache has here."""
    scheme, _, rest = url.partition("://")
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    if scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # A stopped or hung Redis must cost a request a moment, not a worker: pages
            # are then rendered without the cache (summaries/public/cache.py).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme == "file":
        # Several processes on one machine sharing a directory (tests, a small server).
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": rest}
    raise ImproperlyConfigured(
        "CACHE_URL must start with locmem://, redis://, rediss://, file:// or dummy://, "
        f"not {url!r}."
    )


# Local memory by default: right for one server. Several servers share Redis
# so a page rendered by one is reused by all (docs/operations.md). Pages are correct with
# either: every cached page is keyed by the public content's generation
# (summaries/models/generation.py).
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", "locmem://"))}
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "toolkit")
# The per-username sign-in counts (toolkit/signin.py): the same server as the pages, so
# every process counts together with a shared cache; otherwise a local cache of their own
# (also with no page cache), so pages filling the page cache never push the counts out.
_signin_cache_url = os.environ.get("CACHE_URL", "locmem://")
if _signin_cache_url.startswith(("locmem://", "dummy://")):
    _signin_cache_url = "locmem://signin"
CACHES["signin"] = cache_from_url(_signin_cache_url)
CACHES["signin"]["KEY_PREFIX"] = CACHES["default"]["KEY_PREFIX"] + "-signin"
# After a cache call fails (server stopped, unreachable or hung), the small values kept
# in the cache (sign-in and API counts, presence, facet counts) skip it for this many
# seconds in that process, so a hung server costs one timeout, not one per call
# (toolkit/guarded_cache.py).
CACHE_DOWN_RETRY_SECONDS = env_int("CACHE_DOWN_RETRY_SECONDS", 5)
# How long a rendered page stays in the server's cache; a publication makes it unused at
# once whatever this is (the key changes), so this only bounds memory and the footer's date.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# How long browsers and proxies may reuse a public page without asking. 0 (the default)
# means they revalidate every time (a cheap 304), so nobody sees a withdrawn summary.
PUBLIC_MAX_AGE = env_int("PUBLIC_MAX_AGE", 0)
# Shared caches (a CDN, a proxy) may reuse a public page for PUBLIC_S_MAXAGE seconds, then
# serve it stale for PUBLIC_STALE_WHILE_REVALIDATE more while they fetch a fresh copy:
# behind one, a reader sees a publication or a withdrawal at most the sum (90 s by
# default) late. 0 turns shared caching off ("no-cache" for everyone, as for browsers).
PUBLIC_S_MAXAGE = env_int("PUBLIC_S_MAXAGE", 60)
PUBLIC_STALE_WHILE_REVALIDATE = env_int("PUBLIC_STALE_WHILE_REVALIDATE", 30)

# The JSON API (/api/v1/): requests allowed per client address in each window, as
# "<count>/<second|minute|hour|day>" ("0": no limit), and its page sizes.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/minute")
API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100

# The site's address as readers reach it, for links in emails (which have no request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Email (Django's names), for staff notifications and readers' alerts: printed to the
# console locally; SMTP when EMAIL_HOST is set. A failed send is logged; it never blocks
# or undoes what it reports.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "toolkit@localhost")

# Error reports (docs/operations.md): Django mails each server error (a 500, a task that
# failed for good) to ADMINS, "Name <address>" or addresses, comma-separated, from
# SERVER_EMAIL; the worker sends them (toolkit/log.py), never the failing request.
ADMINS = [
    (name, address) for name, address in getaddresses([os.environ.get("ADMINS", "")]) if address
]
_bad_admins = [address for _, address in ADMINS if "@" not in address]
if _bad_admins:
    raise ImproperlyConfigured(
        f"ADMINS must be email addresses, comma-separated, not {', '.join(_bad_admins)}."
    )
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Following summaries by email: how long a confirmation link works, and how many
# requests to follow one client address, and one email address, may make.
FOLLOW_CONFIRM_MAX_AGE = env_int("FOLLOW_CONFIRM_HOURS", 72) * 3600
FOLLOW_THROTTLE_PER_CLIENT = {"limit": env_int("FOLLOW_LIMIT_PER_CLIENT", 20), "period": 3600}
FOLLOW_THROTTLE_PER_ADDRESS = {"limit": env_int("FOLLOW_LIMIT_PER_ADDRESS", 3), "period": 3600}

# The public forms (suggest, report a problem): spam checks without a CAPTCHA service
# (summaries/feedback/spam.py).
FEEDBACK_THROTTLE_PER_CLIENT = {"limit": env_int("FEEDBACK_LIMIT_PER_CLIENT", 10), "period": 3600}
FEEDBACK_MIN_FILL_SECONDS = env_int("FEEDBACK_MIN_FILL_SECONDS", 3)
FEEDBACK_MAX_LINKS = env_int("FEEDBACK_MAX_LINKS", 2)
# Challenges to a rating: the days from receipt to the target date for a decision.
CHALLENGE_TARGET_DAYS = env_int("CHALLENGE_TARGET_DAYS", 60)
# External review links (summaries/external/): how many days a link works unless its
# maker says otherwise, and the most they may say; comments sent through one link, and
# from one client address, each hour.
EXTERNAL_REVIEW_DAYS = env_int("EXTERNAL_REVIEW_DAYS", 14)
EXTERNAL_REVIEW_MAX_DAYS = env_int("EXTERNAL_REVIEW_MAX_DAYS", 60)
# Days an external reviewer's address is kept after their link expired or was withdrawn.
EXTERNAL_REVIEW_ADDRESS_KEEP_DAYS = env_int("EXTERNAL_REVIEW_ADDRESS_KEEP_DAYS", 30)
EXTERNAL_COMMENT_THROTTLE_PER_LINK = {
    "limit": env_int("EXTERNAL_COMMENT_LIMIT_PER_LINK", 20),
    "period": 3600,
}
EXTERNAL_COMMENT_THROTTLE_PER_CLIENT = {
    "limit": env_int("EXTERNAL_COMMENT_LIMIT_PER_CLIENT", 30),
    "period": 3600,
}

# Background tasks (django-tasks, summaries/tasks/README.md): queued as rows in the
# database and run by the worker process (`manage.py run_worker`, the Procfile's worker).
# TASKS_BACKEND=immediate runs each task at once in the process that queues it (after
# the transaction commits): for a quick local try without a worker, never for production,
# where a slow mail server would then hold up the request.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("TASKS_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be database or immediate, not {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}
# A failed task runs again after TASK_RETRY_BASE_SECONDS, then twice as long each time,
# at most TASK_RETRY_MAX_SECONDS apart: ten runs span about five hours by default.
TASK_RETRY_BASE_SECONDS = env_int("TASK_RETRY_BASE_SECONDS", 30)
TASK_RETRY_MAX_SECONDS = env_int("TASK_RETRY_MAX_SECONDS", 3600)
# What the worker runs on a timetable (summaries/tasks/periodic.py): a task's import path
# and {"every": seconds} or {"daily_at": "HH:MM"} in TIME_ZONE.
PERIODIC_TASKS = {
    "summaries.tasks.periodic.heartbeat": {"every": 60},
    "summaries.alerts.tasks.send_alerts": {"every": 60},
    "summaries.tasks.housekeeping.housekeeping": {
        "daily_at": os.environ.get("HOUSEKEEPING_AT", "03:30")
    },
    "summaries.editorial.tasks.remind_overdue_reviews": {
        "daily_at": os.environ.get("REVIEW_REMINDERS_AT", "08:00")
    },
}
# Housekeeping (summaries/tasks/housekeeping.py, daily at HOUSEKEEPING_AT): how many
# days each kind of record is kept, and when a task still "running" counts as abandoned
# by a worker that died (it is then queued again).
SIGNIN_RECORDS_KEEP_DAYS = env_int("SIGNIN_RECORDS_KEEP_DAYS", 90)
READ_NOTIFICATIONS_KEEP_DAYS = env_int("READ_NOTIFICATIONS_KEEP_DAYS", 180)
SENT_ALERTS_KEEP_DAYS = env_int("SENT_ALERTS_KEEP_DAYS", 90)
TASK_RESULTS_KEEP_DAYS = env_int("TASK_RESULTS_KEEP_DAYS", 1)
FAILED_TASKS_KEEP_DAYS = env_int("FAILED_TASKS_KEEP_DAYS", 30)
TASK_ABANDONED_MINUTES = env_int("TASK_ABANDONED_MINUTES", 60)
# Autosave of the version form (summaries/editorial/autosave.py): an editor's slot is
# deleted this many days after it was last written (housekeeping); a form larger than
# AUTOSAVE_MAX_BYTES is not autosaved (its Save still works); one autosave per user and
# draft every AUTOSAVE_MIN_SECONDS at most.
AUTOSAVE_KEEP_DAYS = env_int("AUTOSAVE_KEEP_DAYS", 30)
AUTOSAVE_MAX_BYTES = env_int("AUTOSAVE_MAX_BYTES", 1_000_000)
AUTOSAVE_MIN_SECONDS = env_int("AUTOSAVE_MIN_SECONDS", 2)
# The readiness check (/readyz) counts the worker as gone when no task has finished for
# this long; the heartbeat task finishes every minute.
WORKER_SEEN_SECONDS = env_int("WORKER_SEEN_SECONDS", 300)
# Parts of the readiness check (database, cache, migrations, worker) reported but never
# answering 503: "cache,worker" when a load balancer routes by /readyz (toolkit/health.py).
READINESS_REPORT_ONLY = env_list("READINESS_REPORT_ONLY")
_unknown_parts = set(READINESS_REPORT_ONLY) - {"database", "cache", "migrations", "worker"}
if _unknown_parts:
    raise ImproperlyConfigured(
        "READINESS_REPORT_ONLY names parts of database, cache, migrations and worker, "
        f"not {', '.join(sorted(_unknown_parts))}."
    )

# Every request answers 503 "down for maintenance" (except /healthz and static files),
# e.g. while a backup is restored.
MAINTENANCE_MODE = env_bool("MAINTENANCE_MODE", False)
# The Retry-After of the 503 page, in seconds.
RETRY_AFTER_SECONDS = env_int("RETRY_AFTER_SECONDS", 300)

# The largest text export the importer reads, in bytes (read no further than this).
# A summary's export is some tens of kilobytes.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 2 * 1024 * 1024)

# The admin's address, without the leading slash. Moving it spares the sign-in page most
# of the scripted password guessing aimed at /admin/.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip().strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("ADMIN_URL must not be empty: the admin needs an address.")

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username and address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Then the cap on one username over all addresses (toolkit/signin.py), also before the
    # password is checked.
    "toolkit.signin.UsernameThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling: after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES; others can still sign in.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# And over every address: after SIGNIN_USERNAME_FAILURE_LIMIT wrong passwords for one
# username within SIGNIN_USERNAME_WINDOW_MINUTES, from any addresses, tries for it are
# refused until the oldest of them are out of the window (a pause, never a lock).
SIGNIN_USERNAME_FAILURE_LIMIT = env_int("SIGNIN_USERNAME_FAILURE_LIMIT", 10)
SIGNIN_USERNAME_WINDOW_MINUTES = env_int("SIGNIN_USERNAME_WINDOW_MINUTES", 15)
# Behind a proxy REMOTE_ADDR is the proxy: take the client from X-Forwarded-For, but only
# as far as trusted proxies wrote it (toolkit/middleware.py).
AXES_CLIENT_IP_CALLABLE = "toolkit.middleware.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Locally (DEBUG on) whitenoise serves files straight from the apps' static folders;
# in production it serves what collectstatic wrote, compressed and with hashed names.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
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

# Production hardening; each is harmless locally and on by default when DEBUG is off.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_HTTPS_PROXY else None
# How many reverse proxies in front of the app append to X-Forwarded-For (the client's
# address is that many entries from the right; anything further left can be forged).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_HTTPS_PROXY else 0)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe the health check over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# No script of ours reads the CSRF cookie (the admin's forms carry the token in a hidden
# field), so scripts need not see it.
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Features no page uses, turned off for the page and anything it might embed.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)

# Content-Security-Policy (django-csp): only our own scripts, styles, images and fonts.
# Public pages have no script and no inline style. The admin gets 'unsafe-inline' for
# styles only (toolkit/middleware.py says why); its one inline script, the prose editor's
# import map, carries the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The name the site gives itself in pages and citations.
TOOLKIT_NAME = os.environ.get("TOOLKIT_NAME", "Evidence Toolkit")
TOOLKIT_ORGANISATION = os.environ.get("TOOLKIT_ORGANISATION", "Evidence Toolkit team")
# Where readers report accessibility problems (the accessibility statement names it).
TOOLKIT_CONTACT_EMAIL = os.environ.get("TOOLKIT_CONTACT_EMAIL", "")

# Summaries whose evidence was last reviewed longer ago than this are due for review.
EVIDENCE_REVIEW_MONTHS = env_int("EVIDENCE_REVIEW_MONTHS", 24)
# A review is due this many days after submission unless the submitter says otherwise;
# reviewers are reminded of overdue reviews daily at REVIEW_REMINDERS_AT.
REVIEW_DUE_DAYS = env_int("REVIEW_DUE_DAYS", 7)

# Content checks (summaries/editorial/checks/README.md): warnings on the version form and
# the review page. A toolkit adds its own checks by naming the modules that register them;
# a check named in CONTENT_CHECKS_REQUIRED stops a draft going to review until it passes.
CONTENT_CHECKS_MODULES = env_list("CONTENT_CHECKS_MODULES")
CONTENT_CHECKS_REQUIRED = env_list("CONTENT_CHECKS_REQUIRED", "outcome-source")
CONTENT_CHECKS_DISABLED = env_list("CONTENT_CHECKS_DISABLED")
# Flesch reading ease (0-100, higher is easier): below this a text is "hard to read" for
# practitioners (30 is where the scale's "difficult" band, of academic papers, ends).
# Texts shorter than the minimum number of words are not scored: the formula needs more.
CONTENT_CHECK_READING_EASE_MIN = env_int("CONTENT_CHECK_READING_EASE_MIN", 30)
CONTENT_CHECK_READING_MIN_WORDS = env_int("CONTENT_CHECK_READING_MIN_WORDS", 40)
CONTENT_CHECK_SENTENCE_MAX_WORDS = env_int("CONTENT_CHECK_SENTENCE_MAX_WORDS", 35)
CONTENT_CHECK_SECTION_MIN_WORDS = env_int("CONTENT_CHECK_SECTION_MIN_WORDS", 25)
CONTENT_CHECK_STANDFIRST_MAX_CHARS = env_int("CONTENT_CHECK_STANDFIRST_MAX_CHARS", 200)
# Abbreviations every reader knows, never asked to be spelt out.
CONTENT_CHECK_KNOWN_ABBREVIATIONS = env_list(
    "CONTENT_CHECK_KNOWN_ABBREVIATIONS", "UK,USA,US,EU,UN,NHS,BBC,TV,DNA,HIV,AIDS,PDF,OK"
)
CONTENT_CHECK_VAGUE_LINK_TEXTS = env_list(
    "CONTENT_CHECK_VAGUE_LINK_TEXTS",
    "click here,here,read more,more,click,link,this link,this,learn more,more info,"
    "find out more,this page,website,go",
)
# The live checks' endpoint refuses a form bigger than this (bytes).
CONTENT_CHECKS_MAX_BYTES = env_int("CONTENT_CHECKS_MAX_BYTES", 1_000_000)
# Broken links: checked by a background task after each save, at most this many links a
# version, each with this timeout (seconds), and no more often than every
# LINK_CHECK_FRESH_MINUTES. Only http and https, and never an address on a private,
# loopback or link-local network, also after a redirect: an editor's link must not make
# the server probe the internal network. LINK_CHECK_ALLOWED_NETWORKS names networks that
# may be reached all the same (e.g. "127.0.0.1/32" for the tests' own server); none by
# default.
LINK_CHECK_ENABLED = env_bool("LINK_CHECK_ENABLED", True)
LINK_CHECK_MAX_LINKS = env_int("LINK_CHECK_MAX_LINKS", 50)
LINK_CHECK_TIMEOUT_SECONDS = env_int("LINK_CHECK_TIMEOUT_SECONDS", 10)
LINK_CHECK_MAX_REDIRECTS = env_int("LINK_CHECK_MAX_REDIRECTS", 5)
LINK_CHECK_FRESH_MINUTES = env_int("LINK_CHECK_FRESH_MINUTES", 60)
LINK_CHECK_ALLOWED_NETWORKS = env_list("LINK_CHECK_ALLOWED_NETWORKS")

# Logs go to standard output: one JSON object a line in production (for the log
# collector), readable lines locally. LOG_FORMAT overrides the choice.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "toolkit.log.JsonFormatter"},
    },
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "not_probe_noise": {"()": "toolkit.log.NotProbeNoise"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
        },
        # Replaces Django's own, which sends inside the request (toolkit/log.py).
        "mail_admins": {
            "class": "toolkit.log.QueuedAdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "not_probe_noise"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "summaries": {"handlers": ["mail_admins"], "level": "INFO"},
        "toolkit": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        # Lockouts are warnings; axes' start-up banner would open every command's output.
        "axes": {"level": "WARNING"},
    },
}

# Error reporting to Sentry (or a service speaking its protocol), only when SENTRY_DSN is
# set: unhandled errors and error logs, without personal data (no addresses, cookies,
# users or request bodies) unless SENTRY_SEND_DEFAULT_PII says so.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        send_default_pii=env_bool("SENTRY_SEND_DEFAULT_PII", False),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE") or 0),
    )
