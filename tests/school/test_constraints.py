"""The database itself keeps the invariants the product relies on."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from courses.models import Enrollment, Lesson, TimetableSlot
from exams.models import ExamSkill, SkillScore
from exams.services import exam_result_record
from school.models import SpecialCategoryData, User
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRegistrationFactory,
    LessonFactory,
    StudentFactory,
)

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


def test_score_above_the_skill_maximum_is_refused_by_the_database():
    registration = ExamRegistrationFactory()
    result = exam_result_record(
        registration=registration,
        points={"reading": 20, "writing": 20, "listening": 20, "speaking": 20},
    )
    score = SkillScore.objects.get(result=result, skill__code="reading")
    score.points = Decimal(26)
    with pytest.raises(IntegrityError), transaction.atomic():
        score.save()


@pytest.mark.parametrize("points", [Decimal(-1), Decimal("25.5")])
def test_score_out_of_bounds_is_refused_by_the_results_service(points):
    registration = ExamRegistrationFactory()
    with pytest.raises(ValidationError) as error:
        exam_result_record(
            registration=registration,
            points={"reading": points, "writing": 20, "listening": 20, "speaking": 20},
        )
    assert "reading" in error.value.message_dict


def test_failing_one_skill_fails_the_exam():
    registration = ExamRegistrationFactory()
    # 14/25 = 56% in writing, under the 60% threshold; the total alone would pass.
    result = exam_result_record(
        registration=registration,
        points={"reading": 25, "writing": 14, "listening": 25, "speaking": 25},
    )
    assert result.passed is False
    assert result.grade == ""
    assert result.total == Decimal(89)


@pytest.mark.parametrize(("each", "grade"), [(15, "good"), (19, "very_good"), (23, "excellent")])
def test_pass_gets_the_grade_band_of_its_total(each, grade):
    registration = ExamRegistrationFactory()
    result = exam_result_record(
        registration=registration,
        points=dict.fromkeys(("reading", "writing", "listening", "speaking"), each),
    )
    assert result.passed is True
    assert result.grade == grade


def test_skill_thresholds_are_data():
    registration = ExamRegistrationFactory()
    ExamSkill.objects.filter(scheme=registration.exam_round.scheme, code="speaking").update(
        max_points=20, pass_percent=50
    )
    result = exam_result_record(
        registration=registration,
        points={"reading": 15, "writing": 15, "listening": 15, "speaking": 10},
    )
    assert result.passed is True
    assert result.max_total == Decimal(95)


def test_user_with_a_role_needs_a_school():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="lost", role="teacher", school=None)


def test_declined_special_category_answer_records_when_it_was_asked():
    student = StudentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SpecialCategoryData.objects.create(student=student, disability="declined")
    SpecialCategoryData.objects.create(
        student=student, disability="declined", disability_asked_on=dt.date(2026, 10, 5)
    )


def test_lesson_hours_come_from_its_times():
    assert Lesson.hours_between(dt.time(17), dt.time(19, 30)) == Decimal("2.50")
