"""Attendance for the courses tests: a lesson's marks, an enrollment with a run of held
lessons, a lesson with many students."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from courses.models import Attendance, Enrollment
from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory

NOW = dt.datetime(2026, 11, 23, 21, 0, tzinfo=dt.UTC)  # Monday 23:00 in Athens


def marks(lesson, *statuses):
    enrollments = list(Enrollment.objects.filter(cycle=lesson.cycle).order_by("pk"))
    return [(e.pk, s) for e, s in zip(enrollments, statuses, strict=True)]


def consecutive_setup(school, pattern, total_hours=Decimal(300)):
    cycle = CycleFactory(
        school=school,
        total_hours=total_hours,
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2027, 1, 31),
    )
    enrollment = EnrollmentFactory(cycle=cycle)
    for i, status in enumerate(pattern):
        lesson = LessonFactory(
            cycle=cycle, date=dt.date(2026, 10, 5) + dt.timedelta(days=7 * i), status="held"
        )
        Attendance.objects.create(enrollment=enrollment, lesson=lesson, status=status)
    return enrollment


def big_lesson(school, teacher, students):
    cycle = CycleFactory(school=school, capacity=students)
    cycle.teachers.add(teacher)
    EnrollmentFactory.create_batch(students, cycle=cycle)
    return LessonFactory(cycle=cycle, date=timezone.localdate() - dt.timedelta(days=1))
