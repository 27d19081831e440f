"""Queue and send N reminders (default 100,000) through a real Redis and Celery worker to the
local fake SMS gateway, and in the same run time N bare no-op tasks on the same broker
(``make bench-notifications``). Reports both rates and their ratio.

Uses its own redis-server (random port) and the benchmark database; the reminders' students
and messages are deleted at the end.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/school_office_bench")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from kombu import Connection  # noqa: E402

from config.celery_app import app  # noqa: E402
from notifications.models import Notification  # noqa: E402
from notifications.services import BATCH  # noqa: E402
from school.models import School, Student  # noqa: E402
from tests.fake_gateway import fake_gateway  # noqa: E402
from tests.notifications.test_worker_proofs import RedisServer, Worker  # noqa: E402

COUNT = int(os.environ.get("BENCH_MESSAGES", "100000"))


def main() -> None:
    call_command("migrate", verbosity=0)
    school, _ = School.objects.get_or_create(
        name="Notification benchmark school", defaults={"country": "GR"}
    )
    Notification.objects.filter(school=school).delete()
    Student.objects.filter(school=school).delete()
    students = Student.objects.bulk_create(
        (
            Student(school=school, first_name="Bench", last_name=f"P{i}", phone=f"+30692{i:07d}")
            for i in range(COUNT)
        ),
        batch_size=5000,
    )
    now = timezone.now()
    Notification.objects.bulk_create(
        (
            Notification(
                school=school, student=s, kind="lesson_tomorrow", channel="sms", address=str(s.phone),
                language="el", body="Αύριο μάθημα A1, 17:00-20:00.", dedup_key=f"bench:{s.pk}", due_at=now,
            )
            for s in students
        ),
        batch_size=5000,
    )  # fmt: skip
    ids = list(Notification.objects.filter(school=school).values_list("pk", flat=True))
    server = RedisServer()
    with fake_gateway() as gateway:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": server.url,
            "REDIS_URL": server.url,
            "SMS_BACKEND": "notifications.channels.HttpSMSBackend",
            "SMS_GATEWAY_URL": gateway.url,
            # Workers keep their database connection, as in production (CONN_MAX_AGE=60).
            "CONN_MAX_AGE": "60",
        }
        # A line per task at INFO would cost the bare tasks more than the batches.
        worker = Worker(env, loglevel="WARNING")
        try:
            with Connection(server.url) as broker:
                # Bare tasks first: the broker and worker's own cost per task.
                start = time.perf_counter()
                for _ in range(COUNT):
                    app.send_task("notifications.tasks.noop", connection=broker)
                import redis

                client = redis.Redis.from_url(server.url)
                while client.llen("celery") > 0:
                    time.sleep(0.05)
                time.sleep(0.5)
                noop_seconds = time.perf_counter() - start

                start = time.perf_counter()
                # As the app dispatches them (on commit, and from the sweep): in batches.
                for first in range(0, len(ids), BATCH):
                    batch = ids[first : first + BATCH]
                    app.send_task(
                        "notifications.tasks.send_notifications", args=[batch], connection=broker
                    )
                while Notification.objects.filter(school=school, status="sent").count() < COUNT:
                    time.sleep(0.5)
                send_seconds = time.perf_counter() - start
        finally:
            worker.stop()
            server.stop()
    delivered = len(gateway.delivered)
    Notification.objects.filter(school=school).delete()
    Student.objects.filter(school=school).delete()
    noop_rate, send_rate = COUNT / noop_seconds, COUNT / send_seconds
    print(f"| {COUNT:,} bare no-op tasks | {noop_seconds:.1f} s | {noop_rate:,.0f} tasks/s |")
    print(
        f"| {COUNT:,} reminders sent to the gateway | {send_seconds:.1f} s | {send_rate:,.0f} messages/s |"
    )
    print(
        f"ratio (sent messages/s ÷ no-op tasks/s): {send_rate / noop_rate:.2f}; delivered {delivered:,}, repeats {gateway.repeats}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
