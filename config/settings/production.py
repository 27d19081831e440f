"""Production: PostgreSQL, Redis, any number of gunicorn and Celery worker processes.

Refuses to start without a secret key and a database URL, so a forgotten variable is a
crash at deploy time rather than a school running on a throwaway SQLite file.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) for production.")
if not (os.environ.get("DATABASE_URL") or os.environ.get("DATABASE_URL_FILE")):
    raise ImproperlyConfigured("Set DATABASE_URL (or DATABASE_URL_FILE) for production.")
if os.environ.get("DATABASE_URL_FILE"):
    DATABASES = {"default": env.db_url_config(env_secret("DATABASE_URL"))}  # noqa: F405

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
without_jit(DATABASES["default"])  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# Our scripts read the CSRF token from the form, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A shared computer at a community centre: an office session ends after a working day.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preload asks browsers never to try plain HTTP, even on the first visit (check --deploy wants it).
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
