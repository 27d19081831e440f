"""Roster GET and PUT latency against PostgreSQL, for 25 and 100 students (``make bench``).

Runs the real views through Django's test client (no network), inside a transaction that is
rolled back, on its own database (``school_office_bench`` unless DATABASE_URL says otherwise).
Machines here are noisy: read the ratios between rows of one run, not the absolute figures.
"""

import datetime as dt
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/school_office_bench")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "40"))
STATUSES = ["present", "late", "absent", "excused"]


def ensure_database() -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        if not admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone():
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')


def timed(call, runs: int = RUNS) -> tuple[float, float, int]:
    for _ in range(3):
        call(0)
    samples = []
    with CaptureQueriesContext(connection) as queries:
        call(1)
    count = len(
        [q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    )
    for run in range(runs):
        start = time.perf_counter()
        call(run)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1], count


def bench(students: int) -> list[tuple[str, float, float, int]]:
    from tests.factories import (
        CycleFactory,
        EnrollmentFactory,
        LessonFactory,
        SchoolFactory,
        TeacherFactory,
    )

    school = SchoolFactory()
    teacher = TeacherFactory(school=school)
    cycle = CycleFactory(school=school, capacity=students)
    cycle.teachers.add(teacher)
    enrollments = EnrollmentFactory.create_batch(students, cycle=cycle)
    lesson = LessonFactory(cycle=cycle, date=timezone.localdate() - dt.timedelta(days=1))
    client = Client()
    client.force_login(teacher.user)
    url = f"/api/v1/lessons/{lesson.pk}/attendance/"

    def payload(shift: int) -> str:
        import json

        return json.dumps(
            [
                {"enrollment": e.pk, "status": STATUSES[(i + shift) % 4]}
                for i, e in enumerate(enrollments)
            ]
        )

    def get(_run: int) -> None:
        assert client.get(url).status_code == 200

    def put_changed(run: int) -> None:
        # Every mark changes on every call: the worst case (update and history for all).
        response = client.put(url, payload(run), content_type="application/json")
        assert response.status_code == 200, response.content

    same = payload(0)

    def put_same(_run: int) -> None:
        assert client.put(url, same, content_type="application/json").status_code == 200

    return [
        (f"GET roster, {students} students", *timed(get)),
        (f"PUT all marks changed, {students} students", *timed(put_changed)),
        (f"PUT same marks again, {students} students", *timed(put_same)),
    ]


def main() -> None:
    ensure_database()
    call_command("migrate", verbosity=0)
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    rows = []
    with transaction.atomic():
        for students in (25, 100):
            rows += bench(students)
        transaction.set_rollback(True)
    print(
        f"| request | median ms | p90 ms | queries |  ({RUNS} runs each, PostgreSQL {connection.pg_version})"
    )
    print("| --- | ---: | ---: | ---: |")
    for name, median, p90, queries in rows:
        print(f"| {name} | {median:.1f} | {p90:.1f} | {queries} |")


if __name__ == "__main__":
    main()
