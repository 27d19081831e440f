"""The Celery application shared by the web process, the workers and beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("school_office")
# Every Celery option lives in Django settings under the CELERY_ prefix, so the same
# environment variables configure web, worker and beat.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request id travels from the web request into the tasks it queues (message headers).
import config.request_id  # noqa: E402, F401
