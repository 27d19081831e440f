"""A laptop: SQLite and kombu's filesystem broker under var/, no server to install."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "local-only-insecure-key-do-not-use-in-production"  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}
# Serve static files through whitenoise straight from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

for _folder in ("broker/queue", "broker/processed", "broker/control", "media"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)

# Where `make run` serves the site (the Makefile's BIND): the address a certificate's QR code
# points at.
SITE_URL = env.str("SITE_URL", default=f"http://{env.str('BIND', default='127.0.0.1:8000')}")
