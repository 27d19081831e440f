"""Proofs with a real Celery worker on a real Redis (a private redis-server the test starts)
against the local fake SMS gateway: sent once, survives a killed worker, retries a failing
gateway, and loses nothing when Redis restarts."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone
from kombu import Connection

from config.celery_app import app
from notifications.models import Notification
from notifications.services import BATCH, Recipient, notification_queue
from school.models import Student
from tests.browser import ARTIFACTS
from tests.factories import SchoolFactory
from tests.fake_gateway import Gateway, fake_gateway

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: self._ping(), "redis-server to answer", timeout=15)

    def _ping(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.exceptions.ConnectionError:
            return False

    def restart(self) -> None:
        """Stop and start again: Redis keeps nothing on disk, so every queued task is lost."""
        self.process.kill()
        self.process.wait(timeout=10)
        self.start()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


class Worker:
    def __init__(self, env: dict[str, str], loglevel: str = "INFO") -> None:
        self.env = env
        self.loglevel = loglevel
        self.start()

    def start(self) -> None:
        # The worker's own log is kept with the test artifacts: a failed proof is read there.
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = f"proof-{uuid.uuid4().hex[:8]}"
        self.log = open(ARTIFACTS / f"worker-{name}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", self.loglevel, "-c", "2",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"],
            cwd=ROOT, env=self.env, start_new_session=True,
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, mid-work."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def proof_rig() -> Iterator[
    tuple[RedisServer, Gateway, Worker, Callable[[list[int]], None], Callable[[], None]]
]:
    server = RedisServer()
    with fake_gateway() as gateway:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": server.url,
            "REDIS_URL": server.url,
            "SMS_BACKEND": "notifications.channels.HttpSMSBackend",
            "SMS_GATEWAY_URL": gateway.url,
            "NOTIFICATIONS_CLAIM_SECONDS": "3",
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
            "CELERY_VISIBILITY_TIMEOUT": "5",
        }
        worker = Worker(env)

        def send(ids: list[int]) -> None:
            # As the outbox does on commit: one task per batch of messages.
            with Connection(server.url) as broker:
                for start in range(0, len(ids), BATCH):
                    app.send_task(
                        "notifications.tasks.send_notifications",
                        args=[ids[start : start + BATCH]],
                        connection=broker,
                    )

        def sweep() -> None:
            with Connection(server.url) as broker:
                app.send_task("notifications.tasks.dispatch_due_notifications", connection=broker)

        try:
            yield server, gateway, worker, send, sweep
        finally:
            worker.stop()
            server.stop()


def queue_reminders(count: int) -> list[int]:
    school = SchoolFactory()
    students = Student.objects.bulk_create(
        Student(
            school=school,
            first_name="Test",
            last_name=f"Person{i}",
            phone=f"+30691{i:07d}",
            language="el",
        )
        for i in range(count)
    )
    notification_queue(
        school=school, kind="lesson_tomorrow", recipients=[Recipient(student=s) for s in students],
        context={"cycle": "A1", "date": "2026-11-23", "starts_at": "17:00", "ends_at": "20:00", "venue": "Centre"},
        dedup_key="proof",
    )  # fmt: skip
    messages = Notification.objects.filter(school=school)
    # Due now, whatever the hour the suite runs (SMS in the quiet hours would wait for 08:00).
    messages.update(due_at=timezone.now())
    return list(messages.values_list("pk", flat=True))


def sent(ids: list[int]) -> int:
    return Notification.objects.filter(pk__in=ids, status="sent").count()


def test_a_thousand_reminders_are_sent_exactly_once():
    ids = queue_reminders(1000)
    with proof_rig() as (_server, gateway, _worker, send, _sweep):
        send(ids)
        wait_for(lambda: sent(ids) == 1000, "1,000 messages sent", timeout=240)
        time.sleep(1)
    assert len(gateway.delivered) == 1000
    assert gateway.repeats == 0
    assert len(gateway.accepted) == 1000


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice():
    ids = queue_reminders(300)
    with proof_rig() as (_server, gateway, worker, send, sweep):
        send(ids)
        wait_for(lambda: sent(ids) >= 30, "the first messages", timeout=120)
        worker.kill()
        in_flight = len(ids) - sent(ids)
        assert in_flight > 0
        worker.start()
        # Redelivered tasks and the sweep pick up the rest once the dead worker's holds expire.
        deadline = time.monotonic() + 180
        while sent(ids) < len(ids) and time.monotonic() < deadline:
            sweep()
            time.sleep(2)
    assert sent(ids) == 300
    assert len(gateway.delivered) == 300  # every phone got its message once
    # A message the gateway accepted just before the kill is sent again with the same reference,
    # which the provider drops; at most one per pool process can be caught in that window.
    assert gateway.repeats <= 2


def test_a_failing_gateway_is_retried_and_a_refused_number_fails_at_once():
    ids = queue_reminders(20)
    refused = Notification.objects.get(pk=ids[0]).address
    with proof_rig() as (_server, gateway, _worker, send, sweep):
        gateway.fail_next = 25
        gateway.refuse_numbers.add(refused)
        send(ids)
        # A message the gateway failed is due again after its backoff; the sweep (beat's job
        # every minute) hands it out then.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and (
            Notification.objects.filter(pk__in=ids, status__in=["sent", "failed"]).count() < 20
        ):
            sweep()
            time.sleep(1)
    failed = Notification.objects.get(pk=ids[0])
    assert failed.status == "failed"
    assert "400" in failed.last_error
    # The gateway's 500s were retried; its first 400 ended the message: no attempt after it.
    codes = [r["_code"] for r in gateway.received if r["to"] == refused]
    assert codes[-1] == 400
    assert codes.count(400) == 1
    assert failed.attempts == len(codes)
    assert sent(ids) == 19
    assert Notification.objects.filter(pk__in=ids, attempts__gt=1).exists()
    assert len(gateway.delivered) == 19


def test_redis_restarted_mid_run_loses_nothing_after_the_sweep():
    ids = queue_reminders(200)
    with proof_rig() as (server, gateway, _worker, send, sweep):
        send(ids)
        wait_for(lambda: sent(ids) >= 20, "the first messages", timeout=120)
        server.restart()  # every task still queued in Redis is gone
        deadline = time.monotonic() + 180
        while sent(ids) < len(ids) and time.monotonic() < deadline:
            # The broker may still be coming back: try again on the next round.
            with suppress(Exception):
                sweep()
            time.sleep(2)
    assert sent(ids) == 200
    assert len(gateway.delivered) == 200
