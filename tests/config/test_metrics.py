"""/metrics: Prometheus text with request latency by view and the business gauges read from the
database, for a token or an allowed address only."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from courses.models import Attendance
from notifications.models import Notification
from school.models import Report
from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory, UserFactory

pytestmark = pytest.mark.django_db


def samples(response) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_answer_the_local_address_with_latency_and_business_figures(
    client, school, settings, tmp_path, django_assert_num_queries
):
    settings.BACKUP_DIR = tmp_path
    (tmp_path / "school-office-2026-11-30-010000.tar").write_bytes(b"")
    user = UserFactory(school=school, role="coordinator")
    now = timezone.now()
    for n, (status, due) in enumerate(
        [("queued", now - dt.timedelta(minutes=5)), ("queued", now + dt.timedelta(hours=9)),
         ("sent", now), ("failed", now)]
    ):  # fmt: skip
        Notification.objects.create(
            school=school, user=user, kind="exam_day", channel="email", language="en",
            dedup_key=f"k:{n}", due_at=due, status=status,
        )  # fmt: skip
    Report.objects.create(
        school=school, kind="esf-participants", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31), status="done", file="reports/r.xlsx",
        started_at=now - dt.timedelta(seconds=20),
        finished_at=now,
    )  # fmt: skip
    Report.objects.create(
        school=school, kind="esf-participants", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31), status="pending",
    )  # fmt: skip
    cycle = CycleFactory(school=school)
    lesson = LessonFactory(cycle=cycle)
    for enrollment in EnrollmentFactory.create_batch(3, cycle=cycle):
        Attendance.objects.create(enrollment=enrollment, lesson=lesson, status="present")
    Attendance.objects.filter(pk=Attendance.objects.first().pk).update(
        marked_at=now - dt.timedelta(hours=2)
    )
    client.get("/healthz")

    # Outbox by status, oldest due, reports by status, build durations, marks in the last
    # hour, the last beat run: one query each, however many rows.
    with django_assert_num_queries(6):
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    found = samples(response)
    assert found[("school_office_outbox_messages", (("status", "queued"),))] == 2
    assert found[("school_office_outbox_messages", (("status", "failed"),))] == 1
    assert 290 <= found[("school_office_outbox_oldest_due_seconds", ())] <= 310
    assert found[("school_office_report_builds", (("status", "done"),))] == 1
    assert found[("school_office_report_builds", (("status", "pending"),))] == 1
    assert found[("school_office_report_build_duration_seconds_bucket", (("le", "15.0"),))] == 0
    assert found[("school_office_report_build_duration_seconds_bucket", (("le", "30.0"),))] == 1
    assert found[("school_office_report_build_duration_seconds_sum", ())] == pytest.approx(20)
    assert found[("school_office_attendance_saved_last_hour", ())] == 2
    assert found[("school_office_last_backup_age_seconds", ())] >= 0
    assert found[("school_office_celery_queue_length", ())] >= 0
    healthz = (("method", "GET"), ("view", "healthz"))
    assert found[("school_office_request_duration_seconds_count", healthz)] >= 1


def test_metrics_refuse_other_addresses_unless_they_bring_the_token(client, settings):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    right = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token"
    )
    assert right.status_code == 200
    settings.METRICS_ALLOWED_IPS = ["203.0.113.9"]
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 200


def test_metrics_add_up_every_gunicorn_worker_in_multiprocess_mode(client, tmp_path, monkeypatch):
    """Each worker writes its latencies to files in PROMETHEUS_MULTIPROC_DIR; the one that
    answers the scrape reads them all (here: a file another process left)."""
    import subprocess
    import sys

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    script = (
        "from prometheus_client import Histogram\n"
        "h = Histogram('school_office_request_duration_seconds', 'x', ['view', 'method'])\n"
        "h.labels(view='office', method='GET').observe(0.2)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ})
    found = samples(client.get("/metrics"))
    office = (("method", "GET"), ("view", "office"))
    assert found[("school_office_request_duration_seconds_count", office)] == 1
