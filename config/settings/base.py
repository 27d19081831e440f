"""Settings shared by every environment.

Everything that differs between machines comes from environment variables (12-factor).
A secret may also be given as a file: ``SECRET_KEY_FILE=/run/secrets/key`` reads the key from
that file, which is how container orchestrators hand out secrets.
"""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from config.broker import transport_for

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

env = environ.Env()


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read ``NAME`` from the environment, or the contents of the file named in ``NAME_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env_secret("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_countries",
    "phonenumber_field",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    # The project's own apps, bottom layer first: each imports only those listed before it.
    "school",
    "notifications",
    "courses",
    "exams",
    "config.apps.WiringConfig",
]

MIDDLEWARE = [
    # First: every request is timed (/metrics), and carries a request id into the logs.
    "config.metrics.RequestLatencyMiddleware",
    "config.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "school.middleware.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "school.middleware.RejectNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "school.middleware.TwoFactorMiddleware",
    "school.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each app's templates/ folder; the site's frame (base.html) and error pages are the
        # school app's.
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'school_office.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False


def without_jit(database: dict) -> dict:
    """PostgreSQL connections with JIT compilation off. The office runs short queries whose
    estimated cost (a subquery per student) passes jit_above_cost: compiling one took 1.7 s
    for a 45 ms roster on the 50,000-student database (docs/benchmarks.md, the busiest hour)."""
    if database["ENGINE"].endswith("postgresql"):
        database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    return database


without_jit(DATABASES["default"])
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # `make run` has a web server, a worker and beat writing to one file: each write transaction
    # takes the lock when it starts and waits for it (instead of failing with "database is
    # locked" halfway through), and readers do not block the writer (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "school.User"
LOGIN_URL = "home"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes counts failed sign-ins (pages, admin and the API token) before the password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failures from one address for one username lock that pair out for an hour: a guessing
# attack stops, while a forgetful student on the school's shared wifi does not lock out the class.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "school.middleware.axes_username"
# Behind a reverse proxy set AXES_PROXY_COUNT; otherwise a forged X-Forwarded-For is ignored.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
# Usernames of failed attempts are kept (they are needed to lock the pair) but no passwords.
AXES_SENSITIVE_PARAMETERS = ["password", "otp"]

# Content-Security-Policy: our own scripts, styles and images only. The one inline handler (the
# language switcher's onchange) is allowed by its hash rather than by 'unsafe-inline'.
LANGUAGE_SWITCH_HANDLER_HASH = "'sha256-osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-hashes'", LANGUAGE_SWITCH_HANDLER_HASH],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages of the interface and of messages to students. Arabic and Farsi are right-to-left;
# Django's get_language_bidi() knows that from LANGUAGES_BIDI.
LANGUAGE_CODE = "el"
LANGUAGES = [
    ("el", _("Greek")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("fa", _("Persian")),
    ("uk", _("Ukrainian")),
    ("fr", _("French")),
]
# The project's translations (``make messages`` updates them, ``compilemessages`` builds .mo).
LOCALE_PATHS = [BASE_DIR / "locale"]
# Where a language's date formats differ from Django's (Greek months in the genitive after a day).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
# Each school has its own time zone; this is only the default for new schools and the admin.
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Athens")

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploads (applicant sheets, exam-centre results) are small spreadsheets; refuse anything big.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The mail URL and the Redis URL may carry passwords: both may come from a file (NAME_FILE).
EMAIL_CONFIG = env.email_url_config(env_secret("EMAIL_URL", "consolemail://"))
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="school-office@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "school.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "school.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["school.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "school.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "School office API",
    "DESCRIPTION": "Cycles, lessons, enrollments, attendance, exams and funding reports of a "
    "community Greek-language school.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI served from our own static files: schools' networks may block CDNs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AnswerEnum": "school.choices.Answer",
        "QuestionnaireKindEnum": "school.models.questionnaires.QuestionnaireKind",
        "CertificateKindEnum": "courses.models.Certificate.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "school.api.schema.add_error_responses",
        "courses.api.students.close_teacher_view_schema",
    ],
}

# Celery: JSON only, a task is acknowledged after it ran (acks_late) so a worker that dies
# mid-task leaves it for another, and each worker takes one message at a time.
REDIS_URL = env_secret("REDIS_URL", "") or ""
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT = transport_for(CELERY_BROKER_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The longest task (a funder's report over tens of thousands of participants) runs minutes;
# Redis redelivers an unacknowledged message after the visibility timeout, so keep it well above.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 2,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: a broker that needs no server, for a laptop. Every folder
    # it writes is under var/ (its exchange tables default to ./control in the working tree).
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {
            "data_folder_in": str(_broker_dir / "queue"),
            "data_folder_out": str(_broker_dir / "queue"),
            "processed_folder": str(_broker_dir / "processed"),
            "control_folder": str(_broker_dir / "control"),
            "store_processed": False,
        }
    )

# Backups (manage.py backup, restore, and the nightly job): where the archives go, how many are
# kept, and an optional age identity (AGE-SECRET-KEY-1...) that encrypts them.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEY = env_secret("BACKUP_KEY", "") or ""
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)

# Seconds a health check waits for the database or broker before calling it down.
HEALTHCHECK_TIMEOUT = env.float("HEALTHCHECK_TIMEOUT", default=2.0)
# /metrics answers a bearer token (METRICS_TOKEN) or these addresses; anyone else gets 403.
METRICS_TOKEN = env_secret("METRICS_TOKEN", "") or ""
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
# /healthz?detail=1 answers 503 naming the signal past its threshold: the oldest message due in
# the outbox (seconds), the Celery queue's length, the last beat run and the last backup (seconds).
HEALTH_OUTBOX_MAX_AGE = env.int("HEALTH_OUTBOX_MAX_AGE", default=15 * 60)
HEALTH_QUEUE_MAX_LENGTH = env.int("HEALTH_QUEUE_MAX_LENGTH", default=1000)
HEALTH_BEAT_MAX_AGE = env.int("HEALTH_BEAT_MAX_AGE", default=10 * 60)
HEALTH_BACKUP_MAX_AGE = env.int("HEALTH_BACKUP_MAX_AGE", default=26 * 3600)

# Secret calendar addresses and sign-in links carry their token in the path: the filter
# blanks it out of every log line (Django's "Not Found: /calendar/..." and runserver's access log).
# LOG_FORMAT=json writes one JSON object a line (python-json-logger) for a log collector; every
# line carries the request id (config.request_id), in the web process and in the worker.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "secret_paths": {"()": "config.log_filters.SecretPathFilter"},
        "request_id": {"()": "config.request_id.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id", "secret_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["secret_paths"]},
        "django.server": {"filters": ["secret_paths"]},
        "django.security": {"filters": ["secret_paths"]},
    },
}

# The worker keeps Django's logging (JSON lines with the request id) instead of its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# Error reports to Sentry when SENTRY_DSN is set, with personal data scrubbed (config.sentry).
SENTRY_DSN = env_secret("SENTRY_DSN", "") or ""
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from config.sentry import scrub_event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,  # type: ignore[arg-type]
    )

# Spreadsheet uploads (applicant lists, exam-centre results): limits against mistakes and zip bombs.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5_000_000)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=50_000_000)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=5_000)
# Any request body above this is refused before it is read (413); room for a sheet and its form.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=IMPORT_MAX_BYTES + 1_000_000)

# Pass rates are worked out again this many seconds after the first change of a burst.
PASS_RATES_DEBOUNCE_SECONDS = env.int("PASS_RATES_DEBOUNCE_SECONDS", default=15)

# A cache shared by every process (the debounce flags); Redis when there is one.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

# History pages show who changed what; reverting from them would bypass the services.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Messages (notifications app). SMS_BACKEND: notifications.channels.ConsoleSMSBackend,
# .FileSMSBackend (writes SMS_FILE_PATH) or .HttpSMSBackend (a generic gateway, see
# docs/operators.md).
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.channels.ConsoleSMSBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms.jsonl"))
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_AUTH_HEADER = env_secret("SMS_GATEWAY_AUTH_HEADER", "") or ""
SMS_GATEWAY_BODY = env.str(
    "SMS_GATEWAY_BODY", default='{"to": "{to}", "text": "{text}", "reference": "{reference}"}'
)
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)
# No SMS between these hours in the school's time zone; they wait until the morning.
NOTIFICATIONS_QUIET_HOURS = (
    env.int("QUIET_HOURS_START", default=21),
    env.int("QUIET_HOURS_END", default=8),
)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6)
# Backoff between attempts: base, 2x base, 4x base ... capped at 10 minutes.
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=5)
# How long a sender holds a message before another may take it (a worker that died).
NOTIFICATIONS_CLAIM_SECONDS = env.int("NOTIFICATIONS_CLAIM_SECONDS", default=120)

# One-time sign-in links for students: minutes a link lives, and how many may be asked for per
# phone or e-mail address and per IP address within the window (seconds).
SIGN_IN_LINK_MINUTES = env.int("SIGN_IN_LINK_MINUTES", default=15)
SIGN_IN_LINK_PER_ADDRESS = env.int("SIGN_IN_LINK_PER_ADDRESS", default=3)
SIGN_IN_LINK_PER_IP = env.int("SIGN_IN_LINK_PER_IP", default=10)
SIGN_IN_LINK_WINDOW_SECONDS = env.int("SIGN_IN_LINK_WINDOW_SECONDS", default=3600)
# Phone numbers typed without a country code are read as numbers of this country.
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="GR")
# Where links in messages point (``https://office.example.org``); empty: the requesting host.
SITE_URL = env.str("SITE_URL", default="")
# The public page that checks a certificate answers so many look-ups per client address in
# the window, then 429 (codes cannot be guessed; this keeps anyone from trying).
CERTIFICATE_VERIFY_PER_IP = env.int("CERTIFICATE_VERIFY_PER_IP", default=30)
CERTIFICATE_VERIFY_WINDOW_SECONDS = env.int("CERTIFICATE_VERIFY_WINDOW_SECONDS", default=600)

# The public application page (/apply/<school>/ and POST /api/v1/applications/) takes so many
# applications per client address and per phone number in the window (seconds), then 429.
APPLICATIONS_PER_IP = env.int("APPLICATIONS_PER_IP", default=10)
APPLICATIONS_PER_PHONE = env.int("APPLICATIONS_PER_PHONE", default=3)
APPLICATIONS_WINDOW_SECONDS = env.int("APPLICATIONS_WINDOW_SECONDS", default=3600)
# Hours an applicant has to accept a seat offer unless the coordinator gives another time.
SEAT_OFFER_HOURS = env.int("SEAT_OFFER_HOURS", default=48)
