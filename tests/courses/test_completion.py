"""Completing a cycle (courses.services.completion.cycle_complete): the absence limit and
the extended limit decide, once the cycle has ended and every lesson is marked."""

import datetime as dt
from decimal import Decimal

import pytest

from courses.models import Attendance, Enrollment, Lesson
from courses.services import cycle_complete
from school.errors import ConflictError
from school.models import SpecialCategoryData
from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)


def test_completion_follows_the_absence_limit():
    # 10 lessons of 3 hours: 30 hours in all; the limit is 10% = 3 hours, 20% = 6 for disability.
    cycle = CycleFactory(
        starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 11, 13), total_hours=Decimal(30)
    )
    lessons = [
        LessonFactory(cycle=cycle, date=dt.date(2026, 9, 7) + dt.timedelta(weeks=i), status="held")
        for i in range(10)
    ]
    within, over, extended, waiting = (EnrollmentFactory(cycle=cycle) for _ in range(4))
    waiting.status, waiting.waitlist_position = "waitlisted", 1
    waiting.save()
    SpecialCategoryData.objects.create(
        student=extended.student, disability="yes", disability_asked_on=dt.date(2026, 9, 7)
    )
    misses = {within: 1, over: 2, extended: 2}
    for enrollment, missed in misses.items():
        for i, lesson in enumerate(lessons):
            Attendance.objects.create(
                enrollment=enrollment, lesson=lesson, status="absent" if i < missed else "present"
            )

    summary = cycle_complete(cycle=cycle, today=TODAY)

    assert summary == {"completed": 2, "over_absence_limit": 1, "waitlist_closed": 1}
    statuses = dict(Enrollment.objects.filter(cycle=cycle).values_list("pk", "status"))
    assert statuses == {
        within.pk: "completed",
        over.pk: "withdrawn",
        extended.pk: "completed",
        waiting.pk: "withdrawn",
    }
    within.refresh_from_db()
    assert within.entry_date == dt.date(2026, 9, 14)  # the first lesson attended
    assert within.exit_date == lessons[-1].date


def test_completion_waits_for_the_end_and_every_lesson_marked():
    cycle = CycleFactory()
    with pytest.raises(ConflictError, match="has not ended"):
        cycle_complete(cycle=cycle, today=TODAY)
    ended = CycleFactory(starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 10, 30))
    LessonFactory(cycle=ended, date=dt.date(2026, 10, 5), status=Lesson.Status.SCHEDULED)
    with pytest.raises(ConflictError, match="held or cancelled"):
        cycle_complete(cycle=ended, today=TODAY)
