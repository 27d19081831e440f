"""Pass rates by every breakdown over 1,000,000 results: the ORM's queries against hand-written
SQL GROUP BY, in the same run on the same data (``make bench-pass-rates``).

Needs the benchmark database seeded with 50,000 students (see docs/benchmarks.md). The million
registrations and results are inserted in a transaction that is rolled back at the end.
"""

import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/school_office_bench")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from exams.models import ExamScheme, PassRateCell  # noqa: E402
from exams.selectors import pass_rate_groups  # noqa: E402
from school.models import School  # noqa: E402

ROUNDS = 20
RUNS = int(os.environ.get("BENCH_RUNS", "5"))

BASE = """
FROM exams_examresult res
JOIN exams_examregistration reg ON reg.id = res.registration_id
JOIN exams_examround r ON r.id = reg.exam_round_id
{joins}
WHERE r.school_id = %s
GROUP BY 1, 2, 3, 4
"""
HEAD = "SELECT reg.exam_round_id, r.exam_date, {key}, {label}, COUNT(*), COUNT(*) FILTER (WHERE res.passed)"
AGE = """(date_part('year', r.exam_date) - date_part('year', s.date_of_birth)
  - CASE WHEN date_part('month', s.date_of_birth) > date_part('month', r.exam_date)
          OR (date_part('month', s.date_of_birth) = date_part('month', r.exam_date)
              AND date_part('day', s.date_of_birth) > date_part('day', r.exam_date)) THEN 1 ELSE 0 END)"""
BAND = f"""CASE WHEN s.date_of_birth IS NULL THEN 'unknown' WHEN {AGE} < 18 THEN '<18'
  WHEN {AGE} < 25 THEN '18-24' WHEN {AGE} < 35 THEN '25-34' WHEN {AGE} < 45 THEN '35-44'
  WHEN {AGE} < 55 THEN '45-54' ELSE '55+' END"""
STUDENT = "JOIN school_student s ON s.id = reg.student_id"
HAND_WRITTEN = {
    "exam_round": ("reg.exam_round_id::text", "r.name", ""),
    "level": ("l.code", "l.code", "JOIN exams_examscheme sc ON sc.id = r.scheme_id JOIN courses_level l ON l.id = sc.level_id"),
    "cycle": ("COALESCE(reg.cycle_id::text, 'none')", "COALESCE(c.code, '—')", "LEFT JOIN courses_cycle c ON c.id = reg.cycle_id"),
    "teacher": (
        "COALESCE(ct.teacher_id::text, 'none')",
        "COALESCE(u.first_name || ' ' || u.last_name, '—')",
        "LEFT JOIN courses_cycle c ON c.id = reg.cycle_id LEFT JOIN courses_cycle_teachers ct ON ct.cycle_id = c.id "
        "LEFT JOIN school_teacher t ON t.id = ct.teacher_id LEFT JOIN school_user u ON u.id = t.user_id",
    ),
    "nationality": ("s.nationality", "s.nationality", STUDENT),
    "gender": ("s.gender", "s.gender", STUDENT),
    "age_band": (BAND, BAND, STUDENT),
}  # fmt: skip


def load_million(school: School) -> int:
    scheme = ExamScheme.objects.get(exam_type__code="ellinomatheia", level__code="A1")
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO exams_examround (school_id, scheme_id, name, registration_deadline, exam_date, centre)
               SELECT %s, %s, 'Bench round ' || g, make_date(2004 + g, 3, 31), make_date(2004 + g, 5, 15), 'Bench'
               FROM generate_series(1, %s) g""",
            [school.pk, scheme.pk, ROUNDS],
        )
        cursor.execute(
            """INSERT INTO exams_examregistration (exam_round_id, student_id, cycle_id, registered_at, eligibility_override_reason)
               SELECT r.id, e.student_id, e.cycle_id, now(), ''
               FROM exams_examround r
               JOIN (SELECT DISTINCT ON (student_id) student_id, cycle_id FROM courses_enrollment
                     ORDER BY student_id, id) e ON true
               JOIN school_student s ON s.id = e.student_id AND s.school_id = r.school_id
               WHERE r.name LIKE 'Bench round %%' AND r.school_id = %s""",
            [school.pk],
        )
        cursor.execute(
            """INSERT INTO exams_examresult (registration_id, total, max_total, passed, grade, certificate_number, recorded_at)
               SELECT id, CASE WHEN pass THEN 80 ELSE 50 END, 100, pass, CASE WHEN pass THEN 'good' ELSE '' END, '', now()
               FROM (SELECT reg.id, random() < 0.85 AS pass FROM exams_examregistration reg
                     JOIN exams_examround r ON r.id = reg.exam_round_id WHERE r.name LIKE 'Bench round %%') x"""
        )
        cursor.execute("ANALYZE exams_examround, exams_examregistration, exams_examresult")
        cursor.execute(
            "SELECT count(*) FROM exams_examresult res JOIN exams_examregistration reg ON reg.id = res.registration_id "
            "JOIN exams_examround r ON r.id = reg.exam_round_id WHERE r.school_id = %s",
            [school.pk],
        )
        return cursor.fetchone()[0]


def interleaved(first, second) -> tuple[float, float, object, object]:
    """Median seconds of two calls run alternately, so that drift in the machine's load hits both."""
    times: tuple[list[float], list[float]] = ([], [])
    results: list[object] = [None, None]
    for _ in range(RUNS):
        for index, call in enumerate((first, second)):
            start = time.perf_counter()
            results[index] = call()
            times[index].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1]), results[0], results[1]


def main() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    school = School.objects.get(name="Demo Social School of Greek")
    rows = []
    with transaction.atomic():
        results = load_million(school)
        for breakdown in PassRateCell.Breakdown.values:
            key, label, joins = HAND_WRITTEN[breakdown]
            sql = HEAD.format(key=key, label=label) + BASE.format(joins=joins)

            def hand(sql: str = sql) -> list:
                with connection.cursor() as cursor:
                    cursor.execute(sql, [school.pk])
                    return cursor.fetchall()

            orm_seconds, sql_seconds, orm_rows, sql_rows = interleaved(
                lambda b=breakdown: pass_rate_groups(school_id=school.pk, breakdown=b), hand
            )
            orm_total = sum(r["candidates"] for r in orm_rows)  # type: ignore[union-attr]
            sql_total = sum(r[4] for r in sql_rows)  # type: ignore[union-attr]
            assert orm_total == sql_total, (breakdown, orm_total, sql_total)
            rows.append((breakdown, orm_seconds, sql_seconds, len(orm_rows)))  # type: ignore[arg-type]
        transaction.set_rollback(True)
    print(f"{results:,} results; median of {RUNS} runs each")
    print("| breakdown | groups | ORM s | hand-written SQL s | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for breakdown, orm_s, sql_s, groups in rows:
        print(f"| {breakdown} | {groups} | {orm_s:.2f} | {sql_s:.2f} | {orm_s / sql_s:.2f} |")
    total_orm, total_sql = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"| all seven | | {total_orm:.2f} | {total_sql:.2f} | {total_orm / total_sql:.2f} |")


if __name__ == "__main__":
    main()
