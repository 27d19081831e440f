"""The roster adds up each student's marks itself (``roster_for_lesson``, the busiest read of
the site); its figures must be those of the general query (``with_attendance_stats``) that
every other page and the API's enrollments use, whatever the marks."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from courses.models import Attendance, Enrollment, Lesson
from courses.selectors import roster_for_lesson, with_attendance_stats
from school.models import SpecialCategoryData
from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory

pytestmark = pytest.mark.django_db
STATUSES = ["present", "late", "absent", "excused"]


@pytest.fixture
def lesson(school):
    """Eighteen students with random marks over fifteen lessons of uneven hours (the last two held
    on the same day, one cancelled with marks left on it, two not held yet), a withdrawn student
    marked for the lesson (on the roster) and one not marked (not on it), two with a disability
    or a documented hospitalisation (the extended limit), some never marked at all."""
    rng = random.Random(18)
    school.at_risk_consecutive_absences = 3
    school.save()
    cycle = CycleFactory(school=school, total_hours=Decimal("37.50"), absence_limit_percent=15)
    day = dt.date(2026, 9, 7)
    lessons = []
    for number in range(15):
        if number != 12:  # the last held lesson is on the same day as the one before
            day += dt.timedelta(days=2)
        hours = [Decimal("1.5"), Decimal("2.25"), Decimal(3)][number % 3]
        status = (
            Lesson.Status.CANCELLED
            if number == 8
            else Lesson.Status.SCHEDULED
            if number >= 13
            else Lesson.Status.HELD
        )
        starts = dt.time(10) if number == 12 else dt.time(17)
        lessons.append(
            LessonFactory(
                cycle=cycle,
                date=day,
                starts_at=starts,
                ends_at=dt.time(20),
                hours=hours,
                status=status,
            )
        )
    today = lessons[13]
    enrollments = EnrollmentFactory.create_batch(18, cycle=cycle)
    marked_out = EnrollmentFactory(cycle=cycle, status="withdrawn", withdrawal_reason="Moved")
    EnrollmentFactory(cycle=cycle, status="withdrawn", withdrawal_reason="Moved")
    for enrollment in [*enrollments[:15], marked_out]:
        for lesson in lessons[:14]:
            if lesson is not today and rng.random() < 0.1:
                continue  # joined late or not marked
            if lesson is today and rng.random() < 0.3:
                continue  # this lesson is being marked
            status = rng.choice(STATUSES) if rng.random() < 0.5 else "present"
            Attendance.objects.create(enrollment=enrollment, lesson=lesson, status=status)
    # Runs of absences to the end, with an excused one inside, and one broken on the same day.
    for enrollment, pattern in (
        (enrollments[0], ["absent", "excused", "absent", "absent"]),
        (enrollments[1], ["absent", "absent", "absent", "absent"]),
        (enrollments[2], ["present", "absent", "absent", "present"]),
    ):
        for lesson, status in zip(lessons[9:13], pattern, strict=True):
            Attendance.objects.update_or_create(
                enrollment=enrollment, lesson=lesson, defaults={"status": status}
            )
    for lesson, status in ((lessons[11], "present"), (lessons[12], "absent")):
        Attendance.objects.update_or_create(
            enrollment=enrollments[3], lesson=lesson, defaults={"status": status}
        )
    SpecialCategoryData.objects.create(
        student=enrollments[1].student, disability="yes", disability_asked_on=dt.date(2026, 9, 1)
    )
    SpecialCategoryData.objects.create(
        student=enrollments[4].student, documented_hospitalisation=True
    )
    return today


def places(value: Decimal | None, exponent: str) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(exponent), ROUND_HALF_UP)


@pytest.mark.parametrize("extended_limits", [False, True])
def test_the_roster_has_the_figures_of_every_other_page(lesson, extended_limits):
    lesson = Lesson.objects.select_related("cycle__school").get(pk=lesson.pk)
    roster = roster_for_lesson(lesson=lesson, extended_limits=extended_limits)
    on_roster = Enrollment.objects.filter(cycle=lesson.cycle).exclude(
        status="withdrawn", attendance__lesson=lesson
    )
    assert on_roster.count() == 19  # the withdrawn student without a mark is left out
    general = {
        e.pk: e
        for e in with_attendance_stats(
            Enrollment.objects.filter(pk__in=[entry.pk for entry in roster]),
            extended_limits=extended_limits,
        ).select_related("student")
    }
    assert len(roster) == 19
    marks = dict(Attendance.objects.filter(lesson=lesson).values_list("enrollment_id", "status"))
    for entry in roster:
        expected = general[entry.pk]
        assert entry.mark == marks.get(entry.pk)
        assert entry.full_name == expected.student.full_name
        for figure in (
            "held_hours", "attended_hours", "missed_hours", "absences_in_a_row", "at_risk",
        ):  # fmt: skip
            assert getattr(entry, figure) == getattr(expected, figure), (entry.pk, figure)
        # PostgreSQL rounds the rate and the limit to their fields' places, as the roster does
        # (15% of 37.50 hours is 5.625: 5.63); SQLite hands them over unrounded.
        assert entry.attendance_rate == places(expected.attendance_rate, "0.0001")
        assert entry.absence_limit_hours == places(expected.absence_limit_hours, "0.01")
    # The data covers what it is meant to: both limits, both reasons to be at risk, none.
    assert len({entry.absence_limit_hours for entry in roster}) == (2 if extended_limits else 1)
    runs = {entry.absences_in_a_row for entry in roster}
    assert {0, 1} <= runs and max(runs) >= 3
    assert any(entry.at_risk and entry.absences_in_a_row < 3 for entry in roster)
    assert not all(entry.at_risk for entry in roster)
    assert any(entry.attendance_rate is None for entry in roster)
    assert [(e.last_name, e.first_name, e.pk) for e in roster] == sorted(
        (e.last_name, e.first_name, e.pk) for e in roster
    )
