import datetime as dt
import os

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery_app import app
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_healthz_is_503_naming_the_broker_when_it_does_not_answer(client, settings):
    settings.HEALTHCHECK_TIMEOUT = 0.5
    real = app.conf.broker_url
    # Nothing listens on port 1: the broker is unreachable.
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = real
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["checks"] == {"database": "ok", "broker": "down"}


@pytest.fixture
def all_well(settings, tmp_path, school):
    """A backup an hour old, beat ran a minute ago, nothing late in the outbox, and nothing
    waiting in the Celery queue (earlier tests may have queued tasks no worker took)."""
    with app.connection_for_write() as conn, conn.channel() as channel:
        channel.queue_purge("celery")
    settings.BACKUP_DIR = tmp_path
    now = timezone.now()
    archive = tmp_path / f"school-office-{timezone.localtime(now):%Y-%m-%d-%H%M%S}.tar"
    archive.write_bytes(b"")
    hour_ago = (now - dt.timedelta(hours=1)).timestamp()
    os.utime(archive, (hour_ago, hour_ago))
    PeriodicTask.objects.filter(name="messages due, every minute").update(
        last_run_at=now - dt.timedelta(minutes=1)
    )
    return now


def message(school, *, due_at, status="queued", key="k:1"):
    return Notification.objects.create(
        school=school, user=UserFactory(school=school, role="coordinator"), kind="exam_day", channel="email", language="en", dedup_key=key,
        due_at=due_at, status=status,
    )  # fmt: skip


def test_healthz_detail_reports_the_outbox_the_queue_beat_and_the_last_backup(
    client, all_well, school
):
    # Due in the morning (quiet hours): not late. Failed long ago: not waiting.
    message(school, due_at=all_well + dt.timedelta(hours=10), key="k:1")
    message(school, due_at=all_well - dt.timedelta(days=3), status="failed", key="k:2")
    message(school, due_at=all_well - dt.timedelta(minutes=2), key="k:3")
    response = client.get("/healthz?detail=1")
    assert response.status_code == 200, response.json()
    body = response.json()
    detail = body["detail"]
    assert detail["outbox"]["status"] == "ok"
    assert 110 <= detail["outbox"]["oldest_due_seconds"] <= 130
    assert detail["queue"]["status"] == "ok" and detail["queue"]["length"] >= 0
    assert 55 <= detail["beat"]["last_run_seconds_ago"] <= 65
    assert 3590 <= detail["backup"]["last_backup_seconds_ago"] <= 3610
    assert body["checks"] == {"database": "ok", "broker": "ok"}
    # Without detail, none of it is looked at.
    assert "detail" not in client.get("/healthz").json()


def test_healthz_detail_is_503_naming_the_late_outbox(client, all_well, school, settings):
    settings.HEALTH_OUTBOX_MAX_AGE = 600
    message(school, due_at=all_well - dt.timedelta(minutes=11))
    response = client.get("/healthz?detail=1")
    assert response.status_code == 503
    assert response.json()["down"] == ["outbox"]
    assert response.json()["detail"]["outbox"]["status"] == "late"


def test_healthz_detail_is_503_when_there_is_no_backup_or_beat_stopped(
    client, all_well, settings, tmp_path
):
    settings.BACKUP_DIR = tmp_path / "empty"
    PeriodicTask.objects.update(last_run_at=all_well - dt.timedelta(minutes=30))
    response = client.get("/healthz?detail=1")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["beat", "backup"]
    assert body["detail"]["backup"]["last_backup_seconds_ago"] is None


def test_healthz_detail_is_503_when_the_queue_is_too_long(client, all_well, settings):
    settings.HEALTH_QUEUE_MAX_LENGTH = -1
    response = client.get("/healthz?detail=1")
    assert response.status_code == 503
    assert response.json()["down"] == ["queue"]
