"""The pass rule and the grade bands (exams.services.exam_result_record): every skill at its
threshold, points rounded first, thresholds as data, the qualification gained."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from exams.models import ExamSkill
from exams.services import exam_result_record
from tests.exams.candidates import points, registered
from tests.factories import ExamRegistrationFactory

pytestmark = pytest.mark.django_db


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


def test_points_are_rounded_to_two_decimals_before_the_rule():
    registration = ExamRegistrationFactory()
    result = exam_result_record(
        registration=registration,
        points={"reading": "14.999", "writing": 20, "listening": 20, "speaking": 20},
    )
    assert result.passed is True
    assert result.scores.get(skill__code="reading").points == Decimal("15.00")


def test_qualification_gained_follows_the_pass(coordinator):
    registration = registered(coordinator)
    result = exam_result_record(registration=registration, points=points(20))
    registration.student.refresh_from_db()
    assert registration.student.qualification_gained_on == dt.date(2027, 7, 20)
    exam_result_record(registration=registration, points=points(20, speaking=10))
    registration.student.refresh_from_db()
    assert registration.student.qualification_gained_on is None
    assert result.history.count() == 2
