"""Settings for the CC portal, read entirely from the environment (see README, "Configuration")."""

import os
import sys
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ

from ccportal.database import DatabaseUrlError, database_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules or env.bool("CC_TESTING", default=False)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        sys.exit("SECRET_KEY must be set when DEBUG is off (a development default is used only with DEBUG=true).")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ccportal",
    "accounts",
    "customers",
    "billing",
    "contracts",
    "reports",
    "messaging",
    "jobs",
    "datatools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that can answer an /api/ request, so errors and preflights carry the CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    # Pages compressed (br, zstd or gzip) and given an ETag: a browser that has a page gets 304 when it is unchanged.
    # Outside ApiErrorsMiddleware, so an /api/ error is made JSON before it is compressed.
    "ccportal.compression.CompressionMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "ccportal.compression.PageETagMiddleware",
    # Every error under /api/ leaves as JSON with a "detail" (ccportal.api_errors).
    "ccportal.api_errors.ApiErrorsMiddleware",
    "ccportal.middleware.ControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ccportal.api_errors.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.EmployeeSessionMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ccportal.urls"
WSGI_APPLICATION = "ccportal.wsgi.application"

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
                "ccportal.context_processors.navigation",
                "accounts.context_processors.capabilities",
            ],
        },
    },
]

try:
    DATABASES = {"default": database_from_url(env.str("DATABASE_URL", default="sqlite:///db.sqlite3"), base_dir=BASE_DIR)}
except DatabaseUrlError as exc:
    sys.exit(str(exc))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and TESTING:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and TESTING:
    # A file, not memory: the task tests start workers in other processes that must see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"cc-test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Employee"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.lockout.EmployeeCeilingBackend",  # the per-employee ceiling across addresses (see Lockout below)
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing cost is not what the tests measure.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="Africa/Maseru")
USE_I18N = True
USE_TZ = True
# Dates shown ISO and read ISO or day-first on every page, whatever the browser's locale (ccportal.fields says
# why). Django reads DATE_FORMAT, DATE_INPUT_FORMATS and the rest from the locale's format module before these
# settings, so the portal's own module replaces Django's "en" one (which shows "Jan. 5" and reads month-first).
FORMAT_MODULE_PATH = ["ccportal.formats"]

# The ledger's payments index carries INCLUDE columns for index-only report scans on PostgreSQL and SQL Server;
# SQLite builds it without them, which is what this warning says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The one script (htmx + static/js/app.js) is built from its parts by ccportal.staticfiles.BundleFinder, here.
CC_BUNDLE_ROOT = env.path("CC_BUNDLE_ROOT", default=BASE_DIR / "var" / "bundles")
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "ccportal.staticfiles.BundleFinder",
]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Find static files per request in development and tests (no scan of every file for each test client).
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "ccportal.staticfiles.MinifiedStaticFilesStorage"
    },
}
# Private files (contracts, uploads): never under STATIC or a public URL.
MEDIA_ROOT = env.path("CC_PRIVATE_ROOT", default=BASE_DIR / "var" / "private")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# What an uploaded .xlsx or CSV may expand to, checked before and while it is parsed (ccportal.spreadsheet;
# README "Upload limits"): zip parts, each part's and the total unpacked size, the compression ratio, the count of
# shared strings, the sheet's declared columns and cells, one cell's characters and one CSV line's.
CC_UPLOAD_XLSX_MAX_MEMBERS = env.int("CC_UPLOAD_XLSX_MAX_MEMBERS", default=100)
CC_UPLOAD_XLSX_MAX_MEMBER_MB = env.int("CC_UPLOAD_XLSX_MAX_MEMBER_MB", default=32)
CC_UPLOAD_XLSX_MAX_TOTAL_MB = env.int("CC_UPLOAD_XLSX_MAX_TOTAL_MB", default=64)
CC_UPLOAD_XLSX_MAX_RATIO = env.int("CC_UPLOAD_XLSX_MAX_RATIO", default=100)
CC_UPLOAD_XLSX_MAX_SHARED_STRINGS = env.int("CC_UPLOAD_XLSX_MAX_SHARED_STRINGS", default=300_000)
CC_UPLOAD_XLSX_MAX_COLUMNS = env.int("CC_UPLOAD_XLSX_MAX_COLUMNS", default=64)
CC_UPLOAD_XLSX_MAX_CELLS = env.int("CC_UPLOAD_XLSX_MAX_CELLS", default=2_000_000)
CC_UPLOAD_MAX_CELL_CHARS = env.int("CC_UPLOAD_MAX_CELL_CHARS", default=2_000)
CC_UPLOAD_CSV_MAX_LINE_CHARS = env.int("CC_UPLOAD_CSV_MAX_LINE_CHARS", default=10_000)
# The O&M report page keeps its figures for a clock window of this many seconds per quarter and site
# (reports.om_report.om_report_recent): at 100x the data they take ~130 ms to gather and draw, and the page is one
# request in twelve under load. The page says when its figures were gathered; downloads, jobs and the API always
# gather afresh. 0 turns the keeping off.
CC_OM_REPORT_CACHE_SECONDS = env.int("CC_OM_REPORT_CACHE_SECONDS", default=60)
# A payment import claimed for posting whose posting never finished (its worker died) may be confirmed again after this.
CC_PAYMENT_IMPORT_POSTING_MINUTES = env.int("CC_PAYMENT_IMPORT_POSTING_MINUTES", default=30)

# Sessions: 8 h of inactivity ends a session; an active one is saved (its expiry moved on) at most every
# CC_SESSION_REFRESH_SECONDS, not on every request (accounts.middleware); see there for the absolute limit.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_SAVE_EVERY_REQUEST = False
CC_SESSION_REFRESH_SECONDS = env.int("CC_SESSION_REFRESH_SECONDS", default=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CC_SESSION_ABSOLUTE_SECONDS = 12 * 3600

# Lockout (django-axes): 5 failures for one employee from one address lock that pair for 15 minutes.
# (The per-employee ceiling across addresses is below, CC_LOCKOUT_EMPLOYEE_*.)
AXES_FAILURE_LIMIT = env.int("CC_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = env.float("CC_LOCKOUT_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# An attempt while locked is refused without being counted, so that hammering cannot extend a lockout for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
# The page for the HTML login, JSON {"detail"} with 429 for the API.
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_ENABLED = env.bool("CC_LOCKOUT_ENABLED", default=True)
# The per-employee ceiling across addresses (accounts.lockout; README "Lockout"): after CC_LOCKOUT_EMPLOYEE_FAILURES
# failures from any addresses with no quiet spell of the window, each attempt waits a cool-down after the last
# failure, doubling per further failure up to the maximum; not from an address the employee logged in from lately.
CC_LOCKOUT_EMPLOYEE_ENABLED = env.bool("CC_LOCKOUT_EMPLOYEE_ENABLED", default=AXES_ENABLED)
CC_LOCKOUT_EMPLOYEE_FAILURES = env.int("CC_LOCKOUT_EMPLOYEE_FAILURES", default=10)
CC_LOCKOUT_EMPLOYEE_WINDOW_MINUTES = env.int("CC_LOCKOUT_EMPLOYEE_WINDOW_MINUTES", default=60)
CC_LOCKOUT_EMPLOYEE_COOLDOWN_SECONDS = env.int("CC_LOCKOUT_EMPLOYEE_COOLDOWN_SECONDS", default=30)
CC_LOCKOUT_EMPLOYEE_COOLDOWN_MAX_SECONDS = env.int("CC_LOCKOUT_EMPLOYEE_COOLDOWN_MAX_SECONDS", default=600)
CC_LOCKOUT_KNOWN_ADDRESS_DAYS = env.int("CC_LOCKOUT_KNOWN_ADDRESS_DAYS", default=30)
# Behind Caddy: the number of proxies that append to X-Forwarded-For (0: use REMOTE_ADDR). See ccportal.proxy.
CC_PROXY_COUNT = env.int("CC_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "ccportal.proxy.client_ip"

# Plausible input (ccportal.bounds; `manage.py check_data` lists stored rows outside them): dates from
# 2000-01-01 to this many years ahead; events (payments, readings, ledger rows) up to now plus the skew.
CC_DATES_YEARS_AHEAD = env.int("CC_DATES_YEARS_AHEAD", default=5)
CC_CLOCK_SKEW_MINUTES = env.int("CC_CLOCK_SKEW_MINUTES", default=15)
CC_MONEY_MAX_LSL = env.int("CC_MONEY_MAX_LSL", default=1_000_000)  # one ledger row or payment
CC_RATE_MAX_LSL = env.int("CC_RATE_MAX_LSL", default=100)  # LSL per kWh
CC_KWH_MAX = env.int("CC_KWH_MAX", default=1_000_000)  # one ledger row
CC_GENERATION_KWH_MAX = env.int("CC_GENERATION_KWH_MAX", default=10_000_000)  # one site, one day

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.EmployeeJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "1PWR CC portal API",
    "DESCRIPTION": "Employee-login JWT and O&M report endpoints used by the O&M portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (no CDN: the portal must work on a site intranet).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and its docs page are for logged-in employees: a session (the docs in a browser) or a Bearer
    # token. The Bearer scheme comes first so an anonymous caller gets 401, not 403.
    "SERVE_AUTHENTICATION": [
        "accounts.authentication.EmployeeJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# Access tokens live 8 hours by default, as the old server's (its clients never refresh). CC_JWT_EXPIRY_HOURS is
# the old server's setting; CC_JWT_ACCESS_MINUTES, when set, wins.
CC_JWT_EXPIRY_HOURS = env.int("CC_JWT_EXPIRY_HOURS", default=8)
CC_JWT_ACCESS_MINUTES = env.int("CC_JWT_ACCESS_MINUTES", default=CC_JWT_EXPIRY_HOURS * 60)
CC_JWT_REFRESH_HOURS = env.int("CC_JWT_REFRESH_HOURS", default=24)
for _name, _value in (("CC_JWT_ACCESS_MINUTES", CC_JWT_ACCESS_MINUTES), ("CC_JWT_REFRESH_HOURS", CC_JWT_REFRESH_HOURS)):
    if _value <= 0:
        sys.exit(f"{_name} must be a positive whole number (got {_value}).")
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=CC_JWT_ACCESS_MINUTES),
    "REFRESH_TOKEN_LIFETIME": timedelta(hours=CC_JWT_REFRESH_HOURS),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env.str("CC_JWT_SECRET", default="") or SECRET_KEY,
    # Sibling services decode these tokens with no audience argument, which refuses any token carrying "aud":
    # the claim is added (and then required) only when CC_JWT_AUDIENCE is set.
    "AUDIENCE": env.str("CC_JWT_AUDIENCE", default="") or None,
    "USER_ID_FIELD": "employee_id",
    "USER_ID_CLAIM": "sub",
    # A password change or reset ends the tokens issued before it.
    "CHECK_REVOKE_TOKEN": True,
}

# Cross-origin calls to /api/* only (django-cors-headers), from the origins listed (none by default: the O&M
# portal normally reaches the API through its own proxy). Bearer tokens, no cookies: credentials are not allowed.
CORS_ALLOWED_ORIGINS = env.list("CC_CORS_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False

# Content Security Policy: no inline scripts anywhere (htmx and our JS come from /static/).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"

# Deployment hardening (behind Caddy); each can be overridden from the environment.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_secure = not DEBUG and not TESTING and env.bool("CC_HTTPS", default=True)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_secure)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
if _secure:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_HSTS_PRELOAD = _secure
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^health$"]

# Organisation facts used by contracts and pages (values, not code: override from the environment).
CC_ORGANISATION = {
    "provider": env.str("CC_PROVIDER_NAME", default="Sotho Minigrid Portfolio SPV (PTY) LTD"),
    "administrator": env.str("CC_ADMINISTRATOR_NAME", default="OnePower Lesotho"),
    "customer_service_phones": env.list("CC_CUSTOMER_SERVICE_PHONES", default=["+266 5775 5403", "+266 2232 1039"]),
    "currency": "LSL",
    "currency_symbol": "M",
    "phone_country_code": "266",
}
CC_DEFAULT_TARIFF_LSL = env.str("CC_DEFAULT_TARIFF_LSL", default="5.00")

# Contract facts (contracts app): terms stated in the bilingual contracts, and who signs for the Provider.
# Values, not code: each can be overridden from the environment. Money in LSL.
CC_CONTRACT = {
    "supply_voltage": env.str("CC_CONTRACT_SUPPLY_VOLTAGE", default="220 VAC"),
    "supply_ampacity": env.str("CC_CONTRACT_SUPPLY_AMPACITY", default="60 A"),
    "connection_fee_lsl": env.str("CC_CONTRACT_CONNECTION_FEE_LSL", default="500.00"),
    "minimum_restore_credit_lsl": env.str("CC_CONTRACT_MINIMUM_RESTORE_CREDIT_LSL", default="5.00"),
    "liability_cap_lsl": env.str("CC_CONTRACT_LIABILITY_CAP_LSL", default="5000.00"),
    "tariff_notice_days": env.int("CC_CONTRACT_TARIFF_NOTICE_DAYS", default=30),
    "cpi_publisher": env.str("CC_CONTRACT_CPI_PUBLISHER", default="Bureau of Statistics Lesotho"),
    "payment_channels": env.list("CC_CONTRACT_PAYMENT_CHANNELS", default=["M-Pesa", "EcoCash"]),
    # Signed links in the SMS: how long they work, and the portal's public address they start with.
    "link_max_age_days": env.int("CC_CONTRACT_LINK_DAYS", default=30),
    "public_base_url": env.str("CC_PUBLIC_BASE_URL", default=""),
}
# Customer messages (messaging app). CC_SMS_BACKEND: development (sends nothing, says so), africastalking,
# company_http, or a dotted path to a gateway class.
CC_SMS_BACKEND = env.str("CC_SMS_BACKEND", default="development")
CC_SMS_TIMEOUT = env.float("CC_SMS_TIMEOUT", default=10.0)
CC_SMS_MAX_ATTEMPTS = env.int("CC_SMS_MAX_ATTEMPTS", default=5)
CC_SMS_RETRY_SECONDS = env.float("CC_SMS_RETRY_SECONDS", default=30.0)  # doubled after each failed attempt
CC_SMS_RATE_PER_SECOND = env.float("CC_SMS_RATE_PER_SECOND", default=10.0)  # the gateway's limit, kept by the worker
CC_SMS_SEND_THREADS = env.int("CC_SMS_SEND_THREADS", default=4)  # gateway calls the worker makes at once
# A delivery report for an id no message has yet (it came before the send saved the id) is kept this long.
CC_SMS_PENDING_REPORT_HOURS = env.float("CC_SMS_PENDING_REPORT_HOURS", default=24.0)
CC_SMS_AT_USERNAME = env.str("CC_SMS_AT_USERNAME", default="")
CC_SMS_AT_API_KEY = env.str("CC_SMS_AT_API_KEY", default="")
CC_SMS_AT_SENDER_ID = env.str("CC_SMS_AT_SENDER_ID", default="")
CC_SMS_AT_SANDBOX = env.bool("CC_SMS_AT_SANDBOX", default=False)
CC_SMS_AT_BASE_URL = env.str("CC_SMS_AT_BASE_URL", default="")
CC_SMS_HTTP_URL = env.str("CC_SMS_HTTP_URL", default="")
CC_SMS_HTTP_TOKEN = env.str("CC_SMS_HTTP_TOKEN", default="")
# The secret the gateway is configured with for its delivery reports and forwarded replies (?token= or the
# X-CC-Callback-Token header); empty refuses every callback.
CC_SMS_CALLBACK_SECRET = env.str("CC_SMS_CALLBACK_SECRET", default="")
# Low-balance alerts when no global rule has been saved on /messages/settings/.
CC_LOW_BALANCE_KWH = Decimal(env.str("CC_LOW_BALANCE_KWH", default="5"))
CC_LOW_BALANCE_CLEAR_KWH = Decimal(env.str("CC_LOW_BALANCE_CLEAR_KWH", default="12"))
CC_LOW_BALANCE_MAX_PER_DAY = env.int("CC_LOW_BALANCE_MAX_PER_DAY", default=2)
CC_LOW_BALANCE_QUIET_HOURS = env.str("CC_LOW_BALANCE_QUIET_HOURS", default="21:00-07:00")

# Payment intake (POST /api/payments/incoming, README "Payment intake"): the shared secret the SMS gateway signs
# each forwarded SMS with (empty: the intake refuses everything), how far its clock may run ahead, how old an SMS
# may be, the size limits, the largest amount read from a text, the request rate per gateway address, and when
# the Dashboard warns that no SMS has come (minutes of silence during the day's hours, Africa/Maseru).
CC_PAYMENT_INTAKE_SECRET = env.str("CC_PAYMENT_INTAKE_SECRET", default="")
CC_PAYMENT_INTAKE_FUTURE_MINUTES = env.int("CC_PAYMENT_INTAKE_FUTURE_MINUTES", default=5)
CC_PAYMENT_INTAKE_MAX_AGE_HOURS = env.int("CC_PAYMENT_INTAKE_MAX_AGE_HOURS", default=72)
CC_PAYMENT_INTAKE_MAX_BYTES = env.int("CC_PAYMENT_INTAKE_MAX_BYTES", default=8192)
CC_PAYMENT_INTAKE_MAX_TEXT = env.int("CC_PAYMENT_INTAKE_MAX_TEXT", default=1600)
CC_PAYMENT_INTAKE_MAX_AMOUNT = env.str("CC_PAYMENT_INTAKE_MAX_AMOUNT", default="100000.00")
CC_PAYMENT_INTAKE_RATE = env.str("CC_PAYMENT_INTAKE_RATE", default="600/min")
CC_PAYMENT_INTAKE_QUIET_MINUTES = env.int("CC_PAYMENT_INTAKE_QUIET_MINUTES", default=120)
try:
    CC_PAYMENT_INTAKE_DAY_HOURS = tuple(int(h) for h in env.list("CC_PAYMENT_INTAKE_DAY_HOURS", default=["7", "19"]))
    if len(CC_PAYMENT_INTAKE_DAY_HOURS) != 2 or not 0 <= CC_PAYMENT_INTAKE_DAY_HOURS[0] < CC_PAYMENT_INTAKE_DAY_HOURS[1] <= 24:
        raise ValueError
except ValueError:
    sys.exit("CC_PAYMENT_INTAKE_DAY_HOURS must be two hours, first,last (e.g. 7,19: from 07:00 until 19:00).")

# Secrets never reach a log (ccportal.logs): the filter rewrites signed links, JWTs, Bearer credentials and
# password/token fields on every handler and on the loggers that write request paths (django.request's
# "Not Found: /path", runserver's request lines), so that no handler, test capture included, sees them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "ccportal.logs.RedactSecretsFilter"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["redact_secrets"]},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False, "filters": ["redact_secrets"]},
        "contracts": {"filters": ["redact_secrets"]},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "ccportal.logs.SafeErrorReportFilter"

# History is the audit trail: it can be read in the admin but not reverted or edited there.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# ACDB import (Sync page and manage.py import_acdb): the configured source the Sync page may use (a path to an
# .accdb/.mdb or an ODBC connection string) and the largest upload.
CC_ACDB_SOURCE = env.str("CC_ACDB_SOURCE", default="")
CC_ACDB_UPLOAD_MAX_MB = env.int("CC_ACDB_UPLOAD_MAX_MB", default=4096)

# Background work (Django's task framework, the django-tasks backport; see README, "Background jobs").
# database: django-tasks-db on the portal's own database, run by `manage.py db_worker` (the default);
# rq: RQ on Redis (REDIS_URL), run by `manage.py rqworker default` on as many hosts as needed;
# immediate: run each task inside the process that enqueues it (what the tests use unless they say otherwise).
CC_TASKS_BACKEND = env.str("CC_TASKS_BACKEND", default="immediate" if TESTING else "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if CC_TASKS_BACKEND not in _TASK_BACKENDS:
    sys.exit(f"CC_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}; got {CC_TASKS_BACKEND!r}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[CC_TASKS_BACKEND], "QUEUES": ["default"]}}
if CC_TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]  # rqworker; only then (django_rq brings a table-less model)
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env.int("CC_RQ_JOB_TIMEOUT", default=6 * 3600)}}
# A running job writes a heartbeat this often; one silent for CC_JOB_LEASE_SECONDS is marked failed (its worker died).
CC_JOB_HEARTBEAT_SECONDS = env.float("CC_JOB_HEARTBEAT_SECONDS", default=10.0)
CC_JOB_LEASE_SECONDS = env.float("CC_JOB_LEASE_SECONDS", default=90.0)
# A queued job no worker has taken for this long says so on the Jobs page.
CC_JOB_QUEUE_WARN_SECONDS = env.int("CC_JOB_QUEUE_WARN_SECONDS", default=60)
# Export files prepared by jobs (under CC_PRIVATE_ROOT/exports) are deleted this many days after they were made;
# finished task results (django-tasks-db) likewise after CC_TASK_RESULTS_KEEP_DAYS.
CC_EXPORT_KEEP_DAYS = env.int("CC_EXPORT_KEEP_DAYS", default=7)
CC_TASK_RESULTS_KEEP_DAYS = env.int("CC_TASK_RESULTS_KEEP_DAYS", default=14)
# The scheduler (`manage.py run_scheduler`) looks for due work this often, and for due tariff changes this often.
CC_SCHEDULER_TICK_SECONDS = env.float("CC_SCHEDULER_TICK_SECONDS", default=15.0)
CC_TARIFF_CHECK_SECONDS = env.int("CC_TARIFF_CHECK_SECONDS", default=60)
# ... and queues the sending of due customer messages (retries, held alerts, large batches) this often.
CC_MESSAGES_SEND_SECONDS = env.int("CC_MESSAGES_SEND_SECONDS", default=30)
