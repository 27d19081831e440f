"""/healthz: is the database answering? Is the broker answering? For load balancers.

``/healthz?detail=1``, for monitoring, also looks at the work behind the pages: the oldest
message due in the outbox, the length of the Celery queue, the last run of beat and the age of
the last backup, each against its threshold (a setting).
"""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery_app import app
from notifications.selectors import outbox_oldest_due
from school.backups import last_backup_at

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health check: database does not answer", exc_info=True)
        return False


def broker_ok(*, url: str | None = None) -> bool:
    timeout = settings.HEALTHCHECK_TIMEOUT
    try:
        with app.connection_for_write(url=url, connect_timeout=timeout) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=timeout
            )
        return True
    except Exception:
        logger.warning("health check: broker does not answer", exc_info=True)
        return False


def queue_length(*, queue: str = "celery") -> int | None:
    """Messages waiting in the Celery queue (None when the broker does not answer)."""
    timeout = settings.HEALTHCHECK_TIMEOUT
    try:
        with app.connection_for_read(connect_timeout=timeout) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=timeout
            )
            with conn.channel() as channel:
                return int(channel.queue_declare(queue=queue).message_count)
    except Exception:
        logger.warning("health check: cannot read the queue's length", exc_info=True)
        return None


def last_beat_run() -> dt.datetime | None:
    """The last time beat handed out a periodic job (django-celery-beat records it)."""
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.aggregate(last=Max("last_run_at"))["last"]


def seconds_since(moment: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def details(now: dt.datetime) -> dict[str, dict[str, Any]]:
    """Each signal with its value, its threshold and whether it is past it. A backup or a beat
    run that never happened is past its threshold."""
    outbox = seconds_since(outbox_oldest_due(now=now), now)
    length = queue_length()
    beat = seconds_since(last_beat_run(), now)
    backup = seconds_since(last_backup_at(), now)
    found = {
        "outbox": ("oldest_due_seconds", outbox, settings.HEALTH_OUTBOX_MAX_AGE, outbox or 0),
        "queue": ("length", length, settings.HEALTH_QUEUE_MAX_LENGTH, length),
        "beat": ("last_run_seconds_ago", beat, settings.HEALTH_BEAT_MAX_AGE, beat),
        "backup": ("last_backup_seconds_ago", backup, settings.HEALTH_BACKUP_MAX_AGE, backup),
    }
    return {
        name: {
            "status": "ok" if measured is not None and measured <= threshold else "late",
            key: value,
            "threshold": threshold,
        }
        for name, (key, value, threshold, measured) in found.items()
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_ok(), "broker": broker_ok()}
    down = [name for name, ok in checks.items() if not ok]
    body: dict[str, object] = {
        "status": "ok" if not down else "unavailable",
        "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
    }
    if request.GET.get("detail") == "1" and checks["database"]:
        signals = details(dt.datetime.now(dt.UTC))
        body["detail"] = signals
        down += [name for name, signal in signals.items() if signal["status"] != "ok"]
        if down:
            body["status"] = "unavailable"
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)


urlpatterns = [path("healthz", healthz, name="healthz")]
