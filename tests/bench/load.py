"""The busiest hour (``make bench-load``): 18:00 on a teaching day, against a real server.

On private services the bench starts itself (never the machine's shared ones): a PostgreSQL
cluster (``initdb`` in ``BENCH_DIR``, port 5491, kept between runs so the 50,000-student seed
is made once) and Redis (port 6390). gunicorn with 4 workers and 2 Celery workers (one process
each) serve 127.0.0.1:8391. Then, in ``BENCH_MINUTES`` (3 by default: the ten minutes
compressed):

- 300 teachers each open their lesson's roster (``GET /api/v1/lessons/{id}/attendance/``) and
  save it once (``PUT``), at random moments; a teacher whose save fails tries again (as the
  page does) until it is saved;
- 2,000 students open ``/me/``;
- a coordinator asks for the ESF participants report and follows it until it is built;
- the reminders for tomorrow's lessons (one per student of the 300 classes) are queued and go
  out through the workers (``FileSMSBackend``: nothing leaves the machine).

With ``BENCH_DRILL=1`` PostgreSQL is restarted at 40% of the run and Redis at 70%; the report
says what users saw. Afterwards: every mark in the database is the last one its teacher saved,
none twice, and every reminder went out exactly once.

Then the roster GET's throughput against ``/bench/minimal-roster/{id}/`` (``load_urls.py``):
closed loop, 8 clients each, ``BENCH_ROUNDS`` (3) rounds of ``BENCH_SECONDS`` (20) each that
alternate the two, and the CPU each group of processes used, with the lock waits seen in
``pg_locks``.
"""

import asyncio
import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/school-office-bench-load"))
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5491"))
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6390"))
WEB_PORT = int(os.environ.get("BENCH_WEB_PORT", "8391"))
STUDENTS = int(os.environ.get("BENCH_STUDENTS", "50000"))
TEACHERS = int(os.environ.get("BENCH_TEACHERS", "300"))
VISITS = int(os.environ.get("BENCH_VISITS", "2000"))
CLASS = 20
MINUTES = float(os.environ.get("BENCH_MINUTES", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
DRILL = os.environ.get("BENCH_DRILL") == "1"
ROOT = Path(__file__).resolve().parents[2]
SITE = f"http://127.0.0.1:{WEB_PORT}"
DATABASE_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/bench"
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
STATUSES = ["present", "late", "absent", "excused"]

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "tests.bench.load_settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "MEDIA_ROOT": str(BENCH_DIR / "media"),
        "SMS_BACKEND": "notifications.channels.FileSMSBackend",
        "SMS_FILE_PATH": str(BENCH_DIR / "sms.jsonl"),
        "CELERY_VISIBILITY_TIMEOUT": "30",
    }
)


# -- private services ------------------------------------------------------------------------


def as_postgres(*command: str) -> list[str]:
    binary = shutil.which(command[0]) or str(
        sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] / command[0]
    )
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return [*prefix, binary, *command[1:]]


def pg_ctl(action: str) -> None:
    options = f"-p {PG_PORT} -k {BENCH_DIR} -c listen_addresses=127.0.0.1 -c max_connections=200"
    subprocess.run(
        as_postgres("pg_ctl", "-D", str(BENCH_DIR / "data"), "-l", str(BENCH_DIR / "pg.log"),
                    "-o", options, "-m", "fast", "-w", action),
        check=action != "stop", capture_output=True,
    )  # fmt: skip


def postgres_start() -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(BENCH_DIR, "postgres")
    if not (BENCH_DIR / "data").exists():
        subprocess.run(
            as_postgres("initdb", "-D", str(BENCH_DIR / "data"), "-U", "postgres", "-A", "trust"),
            check=True, capture_output=True,
        )  # fmt: skip
    status = subprocess.run(as_postgres("pg_ctl", "-D", str(BENCH_DIR / "data"), "status"),
                            capture_output=True)  # fmt: skip
    if status.returncode != 0:
        pg_ctl("start")
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-c", "CREATE DATABASE bench"],
        capture_output=True, check=False,
    )  # fmt: skip


class Redis:
    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)
        if self.process.poll() is not None:
            raise RuntimeError(f"redis-server did not start on port {REDIS_PORT} (in use?)")

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


def spawn(command: list[str], log: str) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env={**os.environ}, start_new_session=True,
        stdout=open(BENCH_DIR / log, "ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# -- CPU and locks ---------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        found.append(parent)
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return found


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            # Its own time and that of its children that exited (PostgreSQL's backends: one
            # per connection, gone when the request ends).
            total += sum(int(f) for f in fields[11:15])
        except OSError:
            pass
    return total / ticks


def postmaster_pid() -> int:
    return int((BENCH_DIR / "data" / "postmaster.pid").read_text().split()[0])


# -- the data --------------------------------------------------------------------------------


def prepare() -> dict:
    """A fresh set of 300 classes of 20 new students at the demo school, each with ten held
    lessons marked, today's lesson (started an hour ago, not marked) and tomorrow's; teachers
    with API tokens; 2,000 of the students and the coordinator signed in (sessions)."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from courses.models import Attendance, Cycle, Enrollment, Lesson, Level
    from school.models import School, Student, Teacher, User

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--students", str(STUDENTS), verbosity=0)
    school = School.objects.order_by("pk").first()
    assert school is not None
    stamp = timezone.now().strftime("%H%M%S")
    now = timezone.localtime()
    today = now.date()
    # Today's lesson started before now (it takes marks) and ends by 22:00 (a rule).
    started = min(
        (now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0), dt.time(19)
    )
    level = Level.objects.get(code="A1")
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(username=f"load-{stamp}-t{i}", role="teacher", school=school,
                 first_name="Teacher", last_name=f"T{i}")
            for i in range(TEACHERS)
        )  # fmt: skip
        teachers = Teacher.objects.bulk_create(Teacher(user=u, school=school) for u in users)
        tokens = [Token.objects.create(user=u).key for u in users]
        cycles = Cycle.objects.bulk_create(
            Cycle(school=school, level=level, code=f"LOAD-{stamp}-{i}", starts_on=today - dt.timedelta(days=40),
                  ends_on=today + dt.timedelta(days=60), capacity=CLASS, total_hours=Decimal(120))
            for i in range(TEACHERS)
        )  # fmt: skip
        for cycle, teacher in zip(cycles, teachers, strict=True):
            cycle.teachers.add(teacher)
        students = Student.objects.bulk_create(
            Student(school=school, first_name="Learner", last_name=f"L{stamp}-{i}",
                    phone=f"+3069{i:08d}", language="el")
            for i in range(TEACHERS * CLASS)
        )  # fmt: skip
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(cycle=cycles[i // CLASS], student=s, status="enrolled")
            for i, s in enumerate(students)
        )  # fmt: skip
        past = Lesson.objects.bulk_create(
            Lesson(cycle=c, date=today - dt.timedelta(days=3 * (d + 1)), starts_at=dt.time(17),
                   ends_at=dt.time(20), hours=Decimal(3), status="held")
            for c in cycles for d in range(10)
        )  # fmt: skip
        rng = random.Random(7)
        by_cycle: dict[int, list] = {}
        for e in enrollments:
            by_cycle.setdefault(e.cycle_id, []).append(e)
        Attendance.objects.bulk_create(
            Attendance(lesson=lesson, enrollment=e, status=rng.choice(STATUSES))
            for lesson in past for e in by_cycle[lesson.cycle_id]
        )  # fmt: skip
        lessons = Lesson.objects.bulk_create(
            Lesson(cycle=c, date=today, starts_at=started, ends_at=dt.time(22),
                   hours=Decimal(3)) for c in cycles
        )  # fmt: skip
        Lesson.objects.bulk_create(
            Lesson(cycle=c, date=today + dt.timedelta(days=1), starts_at=dt.time(17),
                   ends_at=dt.time(20), hours=Decimal(3)) for c in cycles
        )  # fmt: skip
        visitors = User.objects.bulk_create(
            User(username=f"load-{stamp}-s{i}", role="student", school=school) for i in range(VISITS)
        )  # fmt: skip
        for user, student in zip(visitors, students, strict=False):
            student.user = user
        Student.objects.bulk_update(students[:VISITS], ["user"])

    def session(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key or ""

    from django.db import connection

    with connection.cursor() as cursor:
        # As autovacuum would after such a load: fresh statistics for the new classes.
        cursor.execute("ANALYZE")
    coordinator = User.objects.get(username="coordinator")
    return {
        "school": school.pk,
        "lessons": [lesson.pk for lesson in lessons],
        "enrollments": [[e.pk for e in by_cycle[c.pk]] for c in cycles],
        "tokens": tokens,
        "students": [session(u) for u in visitors],
        "coordinator": Token.objects.get_or_create(user=coordinator)[0].key,
        "reminder_students": [s.pk for s in students],
    }


def queue_reminders(data: dict) -> list[int]:
    from django.utils import timezone

    from notifications.models import Notification
    from notifications.services import Recipient, notification_queue
    from school.models import School, Student

    school = School.objects.get(pk=data["school"])
    key = f"load-reminders-{timezone.now().timestamp()}"
    notification_queue(
        school=school, kind="lesson_tomorrow",
        recipients=[Recipient(student=s) for s in Student.objects.filter(pk__in=data["reminder_students"])],
        context={"cycle": "A1", "date": "tomorrow", "starts_at": "17:00", "ends_at": "20:00", "venue": "Centre"},
        dedup_key=key, due_at=timezone.now(),
    )  # fmt: skip
    return list(Notification.objects.filter(dedup_key__startswith=key).values_list("pk", flat=True))


# -- the load ----------------------------------------------------------------------------------


class Log:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.rows: list[tuple[str, float, int, float]] = []  # kind, at, status, ms

    def add(self, kind: str, status: int, started: float) -> None:
        self.rows.append(
            (kind, started - self.started, status, (time.monotonic() - started) * 1000)
        )


async def call(client, log: Log, kind: str, method: str, url: str, **kwargs) -> "object | None":
    import httpx

    started = time.monotonic()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError:
        log.add(kind, 0, started)
        return None
    log.add(kind, response.status_code, started)
    return response


async def teacher(
    client, log: Log, lesson: int, enrollments: list[int], token: str, at: float, saved: dict
) -> None:
    await asyncio.sleep(at)
    headers = {"Authorization": f"Token {token}"}
    url = f"/api/v1/lessons/{lesson}/attendance/"
    await call(client, log, "roster GET", "GET", url, headers=headers)
    marks = [{"enrollment": e, "status": random.choice(STATUSES)} for e in enrollments]
    for _attempt in range(60):
        response = await call(client, log, "roster PUT", "PUT", url, headers=headers, json=marks)
        if response is not None and response.status_code == 200:
            saved[lesson] = {m["enrollment"]: m["status"] for m in marks}
            return
        await asyncio.sleep(2)


async def student(client, log: Log, session: str, at: float) -> None:
    await asyncio.sleep(at)
    await call(client, log, "/me/ GET", "GET", "/me/", headers={"Cookie": f"sessionid={session}"})


async def coordinator(client, log: Log, token: str, at: float, outcome: dict) -> None:
    await asyncio.sleep(at)
    headers = {"Authorization": f"Token {token}"}
    body = {"kind": "esf-participants", "from": "2026-01-01", "to": "2026-12-31"}
    asked = time.monotonic()
    for _attempt in range(30):
        response = await call(
            client, log, "report POST", "POST", "/api/v1/reports/", headers=headers, json=body
        )
        if response is not None and response.status_code in (200, 201, 202):
            break
        await asyncio.sleep(2)
    else:
        return
    url = f"/api/v1/reports/{response.json()['id']}/"
    while time.monotonic() - asked < MINUTES * 60 + 120:
        await asyncio.sleep(2)
        response = await call(client, log, "report GET", "GET", url, headers=headers)
        if (
            response is not None
            and response.status_code == 200
            and response.json()["status"] in ("done", "failed")
        ):
            outcome.update(status=response.json()["status"], seconds=time.monotonic() - asked)
            return


async def busiest_hour(
    data: dict, redis: Redis
) -> tuple[Log, dict, dict, list[int], list[tuple[str, float]]]:
    import httpx

    log, saved, report = Log(), {}, {}
    total = MINUTES * 60
    rng = random.Random(11)
    limits = httpx.Limits(max_connections=48, max_keepalive_connections=48)
    events: list[tuple[str, float]] = []
    reminders: list[int] = []
    async with httpx.AsyncClient(base_url=SITE, timeout=60, limits=limits) as client:
        jobs = [
            teacher(client, log, lesson, enrollments, token, rng.uniform(0, total), saved)
            for lesson, enrollments, token in zip(
                data["lessons"], data["enrollments"], data["tokens"], strict=True
            )
        ]
        jobs += [student(client, log, s, rng.uniform(0, total)) for s in data["students"]]
        jobs.append(coordinator(client, log, data["coordinator"], total * 0.1, report))

        async def reminders_go_out() -> None:
            await asyncio.sleep(total * 0.2)
            reminders.extend(await asyncio.to_thread(queue_reminders, data))
            events.append(("reminders queued", time.monotonic() - log.started))

        async def drill() -> None:
            await asyncio.sleep(total * 0.4)
            events.append(("PostgreSQL restart begins", time.monotonic() - log.started))
            await asyncio.to_thread(pg_ctl, "restart")
            events.append(("PostgreSQL back", time.monotonic() - log.started))
            await asyncio.sleep(total * 0.3)
            events.append(("Redis restart begins", time.monotonic() - log.started))
            await asyncio.to_thread(redis.restart)
            events.append(("Redis back", time.monotonic() - log.started))

        jobs.append(reminders_go_out())
        if DRILL:
            jobs.append(drill())
        tasks = [asyncio.ensure_future(job) for job in jobs]
        _done, pending = await asyncio.wait(tasks, timeout=total + 240)
        for task in pending:
            print(f"- still waiting after {total + 240:.0f} s: {task.get_coro()}")
            task.cancel()
    return log, saved, report, reminders, events


async def throughput(urls: list[str], headers: dict) -> tuple[float, int]:
    import httpx

    done = errors = 0
    deadline = time.monotonic() + SECONDS
    async with httpx.AsyncClient(base_url=SITE, timeout=60) as client:

        async def loop(offset: int) -> None:
            nonlocal done, errors
            i = offset
            while time.monotonic() < deadline:
                response = await client.get(urls[i % len(urls)], headers=headers)
                done += 1
                errors += response.status_code != 200
                i += 7

        await asyncio.gather(*(loop(n) for n in range(8)))
    return done / SECONDS, errors


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    postgres_start()
    redis = Redis()
    redis.start()
    data = prepare()
    from django.db import connection

    web = None
    workers = []
    (BENCH_DIR / "sms.jsonl").unlink(missing_ok=True)
    try:
        web = spawn([sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "python:config.gunicorn",
                     "--bind", f"127.0.0.1:{WEB_PORT}", "--workers", "4"], "web.log")  # fmt: skip
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(BENCH_DIR / "prometheus")
        workers = [
            spawn([sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "1", "-l", "WARNING",
                   "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"load{n}@%h"],
                  f"worker{n}.log")
            for n in range(2)
        ]  # fmt: skip
        time.sleep(6)
        web_pids = lambda: descendants(web.pid)  # noqa: E731
        cpu_before = {"web": cpu_seconds(web_pids()), "db": cpu_seconds(descendants(postmaster_pid())),
                      "workers": sum(cpu_seconds(descendants(w.pid)) for w in workers),
                      "client": time.process_time()}  # fmt: skip
        if os.environ.get("BENCH_ONLY_THROUGHPUT") == "1":
            compare_throughput(data, web_pids)
            return
        wall = time.monotonic()
        log, saved, report, reminders, events = asyncio.run(busiest_hour(data, redis))
        wall = time.monotonic() - wall
        cpu_after = {"web": cpu_seconds(web_pids()), "db": cpu_seconds(descendants(postmaster_pid())),
                     "workers": sum(cpu_seconds(descendants(w.pid)) for w in workers),
                     "client": time.process_time()}  # fmt: skip
        connection.close()
        # Every reminder out, then count.
        from notifications.models import Notification

        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            left = Notification.objects.filter(pk__in=reminders, status="queued").count()
            if not left:
                break
            from config.celery_app import app

            app.send_task("notifications.tasks.dispatch_due_notifications")
            time.sleep(5)
        print_results(data, log, saved, report, reminders, events, wall, cpu_before, cpu_after)
        compare_throughput(data, web_pids)
    finally:
        for process in [web, *workers]:
            if process:
                stop(process)
        redis.stop()


def print_results(data, log, saved, report, reminders, events, wall, before, after) -> None:
    from collections import Counter

    from courses.models import Attendance
    from notifications.models import Notification

    print(f"\n## The busiest hour: {TEACHERS} teachers, {VISITS} students, {MINUTES:g} minutes"
          f"{' with the failure drill' if DRILL else ''} (wall {wall:.0f} s)\n")  # fmt: skip
    print("| request | count | p50 ms | p95 ms | p99 ms | not 200 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    kinds = sorted({row[0] for row in log.rows})
    for kind in kinds:
        ok = [ms for k, _at, status, ms in log.rows if k == kind and status == 200]
        bad = Counter(status for k, _at, status, _ms in log.rows if k == kind and status != 200)
        if ok:
            print(f"| {kind} | {len(ok)} | {percentile(ok, 50):.0f} | {percentile(ok, 95):.0f} | "
                  f"{percentile(ok, 99):.0f} | {dict(bad) or 0} |")  # fmt: skip
    for name, at in events:
        print(f"- {at:.1f} s: {name}")
    failures = [
        (k, round(at, 1), status)
        for k, at, status, _ms in log.rows
        if status != 200 and k != "report POST"
    ]
    if failures:
        first, last = failures[0][1], failures[-1][1]
        print(f"- answers other than 200: {len(failures)}, between {first} s and {last} s: "
              f"{dict(Counter(s for _k, _at, s in failures))}")  # fmt: skip
    marks = Attendance.objects.filter(lesson_id__in=data["lessons"])
    stored = {
        (lesson, e): s for lesson, e, s in marks.values_list("lesson_id", "enrollment_id", "status")
    }
    expected = {(lesson, e): s for lesson, m in saved.items() for e, s in m.items()}
    lost = sum(1 for key, status in expected.items() if stored.get(key) != status)
    print(f"- rosters saved: {len(saved)} of {TEACHERS}; marks expected {len(expected)}, stored "
          f"{len(stored)}, lost or different {lost}, extra {len(set(stored) - set(expected))}")  # fmt: skip
    sent = Notification.objects.filter(pk__in=reminders, status="sent").count()
    lines = (
        (BENCH_DIR / "sms.jsonl").read_text().splitlines()
        if (BENCH_DIR / "sms.jsonl").exists()
        else []
    )
    references = Counter(json.loads(line).get("reference") for line in lines)
    twice = sum(1 for _ref, n in references.items() if n > 1)
    print(
        f"- reminders: {len(reminders)} queued, {sent} sent, SMS written {len(lines)}, sent twice {twice}"
    )
    from school.models import Report

    built = Report.objects.order_by("-pk").first()
    took = (
        (built.finished_at - built.started_at).total_seconds()
        if built and built.finished_at and built.started_at
        else None
    )
    print(f"- ESF report: as the coordinator saw it {report or 'not finished'}; in the database "
          f"{built.status if built else None}, built in {took} s")  # fmt: skip
    print("- CPU seconds per wall second: " + ", ".join(
        f"{name} {(after[name] - before[name]) / wall:.2f}" for name in before))  # fmt: skip


async def watch_locks(waits: list[int]) -> None:
    """Lock waits in the private PostgreSQL, sampled twice a second while a phase runs."""
    import psycopg

    started = time.monotonic()
    async with await psycopg.AsyncConnection.connect(
        f"host=127.0.0.1 port={PG_PORT} user=postgres dbname=bench", autocommit=True
    ) as conn:
        while time.monotonic() - started < SECONDS:
            cursor = await conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            row = await cursor.fetchone()
            waits.append(row[0] if row else 0)
            await asyncio.sleep(0.5)


async def measured(urls: list[str], headers: dict, waits: list[int]) -> tuple[float, int]:
    return (await asyncio.gather(throughput(urls, headers), watch_locks(waits)))[0]


@dataclass
class Phase:
    """What one view got over every round of the comparison."""

    requests: float = 0
    errors: int = 0
    seconds: float = 0
    web: float = 0
    db: float = 0
    waits: int = 0
    rates: list[float] = field(default_factory=list)


def compare_throughput(data: dict, web_pids) -> None:
    """The roster GET against the minimal view, in ``BENCH_ROUNDS`` rounds that alternate the
    two (``BENCH_SECONDS`` each), so that whatever else the machine runs weighs on both alike:
    requests per second over all rounds, and the CPU each request cost web and database."""
    token = data["tokens"][0]
    headers = {"Authorization": f"Token {token}"}
    lessons = data["lessons"][:1]
    views = {
        "roster (API)": [f"/api/v1/lessons/{lesson}/attendance/" for lesson in lessons],
        "minimal .values() GROUP BY": [f"/bench/minimal-roster/{lesson}/" for lesson in lessons],
    }
    phases = {name: Phase() for name in views}

    async def warm_up() -> None:
        # Each gunicorn worker's first requests import and set up what the view needs (DRF, the
        # translations, a database connection): not what is measured, and not the first view's
        # cost alone.
        import httpx

        async with httpx.AsyncClient(base_url=SITE, timeout=60) as client:
            for urls in views.values():
                await asyncio.gather(*(client.get(urls[0], headers=headers) for _ in range(16)))

    asyncio.run(warm_up())
    for _round in range(ROUNDS):
        for name, urls in views.items():
            waits: list[int] = []
            web0, db0 = cpu_seconds(web_pids()), cpu_seconds(descendants(postmaster_pid()))
            started = time.monotonic()
            rate, errors = asyncio.run(measured(urls, headers, waits))
            phase = phases[name]
            phase.seconds += time.monotonic() - started
            phase.requests += rate * SECONDS
            phase.rates.append(rate)
            phase.errors += errors
            phase.web += cpu_seconds(web_pids()) - web0
            phase.db += cpu_seconds(descendants(postmaster_pid())) - db0
            phase.waits = max([phase.waits, *waits])
    print(f"\n## Roster GET throughput, closed loop, 8 clients, {ROUNDS} rounds of {SECONDS:g} s "
          "each, alternating\n")  # fmt: skip
    print("| view | requests/s | each round | errors | CPU web | CPU db | web ms / request | "
          "db ms / request | lock waits (max) |")  # fmt: skip
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, p in phases.items():
        print(f"| {name} | {p.requests / (ROUNDS * SECONDS):.1f} | "
              f"{', '.join(f'{r:.1f}' for r in p.rates)} | {p.errors} | {p.web / p.seconds:.2f} | "
              f"{p.db / p.seconds:.2f} | {1000 * p.web / max(p.requests, 1):.1f} | "
              f"{1000 * p.db / max(p.requests, 1):.1f} | {p.waits} |")  # fmt: skip
    roster, minimal = phases.values()
    each = ", ".join(f"{r / m:.2f}" for r, m in zip(roster.rates, minimal.rates, strict=True))
    print(f"\nRoster GET / minimal view: {roster.requests / minimal.requests:.2f} (rounds: {each})")
    print(
        f"Load average (1, 5, 15 min) on this machine's {os.cpu_count()} cores: {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
