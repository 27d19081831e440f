"""Every log line carries the request id, from the web request into the Celery tasks it
queues; LOG_FORMAT=json writes JSON lines."""

import datetime as dt
import json
import logging
import os
import subprocess
import sys
from contextlib import suppress
from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path
from kombu import Connection

from config import request_id
from config.celery_app import app
from config.urls import urlpatterns as site
from school.models import Report
from tests.notifications.test_worker_proofs import RedisServer, Worker, wait_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


QUEUE = "tests-request-id"


def queues_a_task(request):
    logging.getLogger("school.test").warning("queueing the report")
    app.send_task("school.tasks.build_report", args=[0], queue=QUEUE)
    return HttpResponse("ok")


def queues_a_report(request):
    """Queues a real task on the private broker the live worker below listens to."""
    with Connection(request.GET["broker"]) as broker:
        app.send_task(
            "school.tasks.build_report", args=[int(request.GET["report"])], connection=broker
        )
    return HttpResponse("ok")


urlpatterns = [
    path("queues/", queues_a_task),
    path("queues-a-report/", queues_a_report),
    *site,
]


def published_request_ids() -> list[str]:
    """The request_id header of each task message waiting in the test's own queue (Redis)."""
    found = []
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue(QUEUE)
        try:
            while True:
                message = queue.get(timeout=1)
                found.append(message.headers.get("request_id"))
                message.ack()
        except queue.Empty:
            pass
        finally:
            queue.clear()
            queue.close()
    return found


@pytest.fixture
def recorded():
    """Log records as the console handler sees them."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.addFilter(request_id.RequestIdFilter())
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    published_request_ids()
    yield records
    logging.getLogger().removeHandler(handler)


@override_settings(ROOT_URLCONF="tests.config.test_request_id")
def test_a_request_id_given_by_the_proxy_is_logged_and_carried_into_the_task(client, recorded):
    response = client.get("/queues/", HTTP_X_REQUEST_ID="lb-4f2a-77")
    assert response["X-Request-ID"] == "lb-4f2a-77"
    line = next(r for r in recorded if r.getMessage() == "queueing the report")
    assert line.request_id == "lb-4f2a-77"
    assert published_request_ids() == ["lb-4f2a-77"]


@override_settings(ROOT_URLCONF="tests.config.test_request_id")
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(client, recorded):
    first = client.get("/queues/")["X-Request-ID"]
    second = client.get("/queues/", HTTP_X_REQUEST_ID="evil\nline")["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second
    assert published_request_ids() == [first, second]
    # Outside a request, lines carry no id.
    logging.getLogger("school.test").warning("after")
    assert recorded[-1].request_id == ""


def test_the_worker_logs_the_task_with_the_request_id_it_was_queued_with():
    @app.task(name="tests.request_id_echo")
    def echo() -> str:
        logging.getLogger("school.test").warning("inside the task")
        return request_id.current.get()

    assert echo.apply(headers={"request_id": "lb-9"}).get() == "lb-9"
    assert request_id.current.get() == ""


def test_log_format_json_writes_one_json_object_a_line():
    script = (
        "import django, logging; django.setup(); from config import request_id;"
        "request_id.current.set('abc-1');"
        "logging.getLogger('school.test').warning('a line %s', 'with args')"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )  # fmt: skip
    lines = [json.loads(line) for line in finished.stderr.splitlines()]
    line = next(line for line in lines if line["logger"] == "school.test")
    assert line["message"] == "a line with args"
    assert line["level"] == "WARNING" and line["request_id"] == "abc-1" and line["time"]


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(ROOT_URLCONF="tests.config.test_request_id")
def test_a_live_worker_logs_json_lines_with_the_id_of_the_request_that_queued_the_task(
    client, coordinator
):
    """A real worker (its own process, LOG_FORMAT=json, a private redis-server) builds a report
    a request queued: the line it logs while building carries that request's id."""
    report = Report.objects.create(
        school=coordinator.school, kind="esf-participants", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31), requested_by=coordinator, with_special_category=True,
    )  # fmt: skip
    server = RedisServer()
    db = connection.settings_dict
    worker = Worker(
        {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": server.url,
            "REDIS_URL": server.url,
            "LOG_FORMAT": "json",
        }
    )
    try:
        response = client.get(
            "/queues-a-report/",
            {"broker": server.url, "report": report.pk},
            HTTP_X_REQUEST_ID="lb-live-7c1e",
        )
        assert response["X-Request-ID"] == "lb-live-7c1e"
        wait_for(
            lambda: Report.objects.filter(pk=report.pk, status__in=["done", "failed"]).exists(),
            "the worker to build the report",
        )
    finally:
        worker.stop()
        server.stop()
    worker.log.close()
    lines = []
    for raw in Path(worker.log.name).read_text().splitlines():
        with suppress(ValueError):  # Celery's start-up banner is not a log line
            lines.append(json.loads(raw))
    read = [line for line in lines if "reads special-category data" in line["message"]]
    assert len(read) == 1, lines
    assert read[0]["request_id"] == "lb-live-7c1e"
    assert read[0]["logger"] == "school.reports" and read[0]["level"] == "INFO"
    # Outside a task, the worker's own lines carry no request's id.
    assert any(line["request_id"] == "" for line in lines)
