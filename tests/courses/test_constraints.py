"""The database itself keeps the courses app's invariants."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from courses.models import Enrollment, TimetableSlot
from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory

pytestmark = pytest.mark.django_db


def test_second_enrollment_of_a_student_in_a_cycle_is_refused():
    enrollment = EnrollmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(
            student=enrollment.student,
            cycle=enrollment.cycle,
            status="waitlisted",
            waitlist_position=1,
        )


def test_two_waitlisted_cannot_share_a_position():
    cycle = CycleFactory()
    EnrollmentFactory(cycle=cycle, status="waitlisted", waitlist_position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(cycle=cycle, status="waitlisted", waitlist_position=1)


@pytest.mark.parametrize(
    ("status", "position"), [("waitlisted", None), ("enrolled", 3)], ids=["no-place", "stray-place"]
)
def test_waitlist_position_exactly_when_waitlisted(status, position):
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(status=status, waitlist_position=position)


def test_withdrawal_needs_a_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(status="withdrawn", withdrawal_reason="")


def test_lesson_ending_after_22_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        LessonFactory(starts_at=dt.time(20), ends_at=dt.time(22, 30), hours=Decimal("2.5"))


def test_lesson_of_more_than_four_hours_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        LessonFactory(starts_at=dt.time(9), ends_at=dt.time(14), hours=Decimal(5))


def test_timetable_has_no_sunday():
    cycle = CycleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TimetableSlot.objects.create(
            cycle=cycle, weekday=6, starts_at=dt.time(10), ends_at=dt.time(12)
        )


def test_cycle_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        CycleFactory(starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 9, 1))


def test_attendance_is_one_mark_per_enrollment_and_lesson():
    enrollment = EnrollmentFactory()
    lesson = LessonFactory(cycle=enrollment.cycle)
    enrollment.attendance.create(lesson=lesson, status="present")
    with pytest.raises(IntegrityError), transaction.atomic():
        enrollment.attendance.create(lesson=lesson, status="absent")
