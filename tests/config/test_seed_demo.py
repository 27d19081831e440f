import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from courses.models import Attendance, Cycle, Enrollment, Lesson
from exams.models import ExamResult, ExamRound
from school.models import School, Student, User

pytestmark = pytest.mark.django_db
TODAY = "2026-11-22"


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            School,
            User,
            Student,
            Cycle,
            Lesson,
            Enrollment,
            Attendance,
            ExamRound,
            ExamResult,
        )
    }


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--today", TODAY, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seed_demo_makes_a_plausible_school_and_a_second_run_adds_nothing():
    output = seed()
    first = counts()
    assert first["School"] == 1
    assert first["Student"] == 60
    # Two A1 cycles and one A2 cycle running, and last spring's A1 cycle.
    running = Cycle.objects.filter(
        starts_on__lte=dt.date(2026, 11, 22), ends_on__gte=dt.date(2026, 11, 22)
    )
    assert sorted(running.values_list("level__code", flat=True)) == ["A1", "A1", "A2"]
    assert first["Attendance"] > 500
    assert first["ExamResult"] == 18
    assert ExamResult.objects.filter(passed=True).count() >= 15
    assert Enrollment.objects.filter(status="waitlisted").count() == 2
    assert Student.objects.values("nationality").distinct().count() >= 8
    assert {u.role for u in User.objects.all()} == {"coordinator", "teacher", "student", "auditor"}
    for username in ("coordinator", "teacher", "student", "auditor"):
        assert username in output

    assert "already there" in seed()
    assert counts() == first


def test_seed_demo_scales_with_archive_cohorts_and_stays_idempotent():
    seed("--students", "100")
    first = counts()
    assert first["Student"] == 100
    archive = Enrollment.objects.filter(cycle__code__startswith="A1-ARCHIVE")
    assert archive.count() == 40
    # Every archive student has a mark for each of their cycle's 60 held lessons.
    assert Attendance.objects.filter(enrollment__in=archive).count() == 40 * 60
    assert (
        not Lesson.objects.filter(cycle__code__startswith="A1-ARCHIVE")
        .exclude(status="held")
        .exists()
    )

    seed("--students", "100")
    assert counts() == first
    seed("--students", "110")
    assert Student.objects.count() == 110
    assert (
        Attendance.objects.filter(enrollment__cycle__code__startswith="A1-ARCHIVE").count()
        == 50 * 60
    )
