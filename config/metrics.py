"""/metrics: Prometheus text for whoever runs the school office.

- Request latency by view: a histogram each web process fills (``RequestLatencyMiddleware``).
  Under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder and the workers share it
  (prometheus-client's multiprocess mode; ``config/gunicorn.py`` tidies up after a worker that
  exits), so any worker's answer covers them all.
- Business gauges are read from the database at scrape time, so every worker answers the same:
  the outbox by status and its oldest message due, report builds by status and how long they
  took, attendance marks saved in the last hour, the last beat run and the last backup's age.

Allowed for a bearer token (``METRICS_TOKEN``) or for the addresses in ``METRICS_ALLOWED_IPS``
(127.0.0.1 and ::1 by default, so ``make run`` shows it); anyone else gets 403.
"""

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from config.health import last_beat_run, queue_length
from courses.selectors import attendance_saved_since
from notifications.selectors import outbox_by_status, outbox_oldest_due
from school.backups import last_backup_at
from school.selectors import report_build_durations, report_builds_by_status

PREFIX = "school_office"
REPORT_BUCKETS = [1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0]

# Not in prometheus-client's global registry: each scrape builds its own (below).
REQUEST_LATENCY = Histogram(
    f"{PREFIX}_request_duration_seconds",
    "Time to answer a request, by view (the URL pattern's name) and method.",
    ["view", "method"],
    buckets=[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
    registry=None,
)


class RequestLatencyMiddleware:
    """Times every request; the view label is the URL pattern's name, never the path (a path
    holds ids and secret tokens, and would make a label per object)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "unresolved"
        REQUEST_LATENCY.labels(view=view, method=request.method or "").observe(
            time.perf_counter() - started
        )
        return response


def seconds_ago(moment: dt.datetime | None, now: dt.datetime) -> float:
    """NaN for something that never happened: an alert on the age fires on it too."""
    return float("nan") if moment is None else max(0.0, (now - moment).total_seconds())


class BusinessCollector(Collector):
    """Gauges read from the database (and the broker) when Prometheus asks."""

    def collect(self) -> Iterator[Metric]:
        now = dt.datetime.now(dt.UTC)
        outbox = GaugeMetricFamily(
            f"{PREFIX}_outbox_messages", "Messages in the outbox, by status.", labels=["status"]
        )
        for status, count in outbox_by_status().items():
            outbox.add_metric([status], count)
        yield outbox
        oldest = outbox_oldest_due(now=now)
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_oldest_due_seconds",
            "How long the oldest queued message has been due (0: none waiting).",
            value=0.0 if oldest is None else seconds_ago(oldest, now),
        )
        reports = GaugeMetricFamily(
            f"{PREFIX}_report_builds", "Funding reports, by status.", labels=["status"]
        )
        for status, count in report_builds_by_status().items():
            reports.add_metric([status], count)
        yield reports
        under, count, total = report_build_durations(buckets=REPORT_BUCKETS)
        buckets = [(str(bound), float(n)) for bound, n in zip(REPORT_BUCKETS, under, strict=True)]
        yield HistogramMetricFamily(
            f"{PREFIX}_report_build_duration_seconds",
            "How long finished report builds took.",
            buckets=[*buckets, ("+Inf", float(count))],
            sum_value=total,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_attendance_saved_last_hour",
            "Attendance marks taken or changed in the last hour.",
            value=attendance_saved_since(since=now - dt.timedelta(hours=1)),
        )
        length = queue_length()
        yield GaugeMetricFamily(
            f"{PREFIX}_celery_queue_length",
            "Tasks waiting in the Celery queue (NaN: the broker does not answer).",
            value=float("nan") if length is None else length,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_beat_last_run_age_seconds",
            "Seconds since beat last handed out a periodic job.",
            value=seconds_ago(last_beat_run(), now),
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_last_backup_age_seconds",
            "Seconds since the newest archive in BACKUP_DIR was written (NaN: none).",
            value=seconds_ago(last_backup_at(), now),
        )


def allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and constant_time_compare(given[7:], token):
        return True
    return request.META.get("REMOTE_ADDR", "") in settings.METRICS_ALLOWED_IPS


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(BusinessCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


urlpatterns = [path("metrics", metrics, name="metrics")]
