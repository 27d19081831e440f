"""Registering a candidate (exams.services.exam_registration_create): a cycle at the level,
the age rule, an override with its reason, the deadline, once per round."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from exams.services import exam_registration_create
from school.errors import ConflictError
from tests.exams.candidates import TODAY, completed_a1
from tests.factories import ExamRoundFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_registration_needs_a_cycle_at_the_level_and_keeps_it(school):
    exam_round = ExamRoundFactory(school=school)
    enrollment = completed_a1(school)
    registration = exam_registration_create(
        student=enrollment.student, exam_round=exam_round, today=TODAY
    )
    assert registration.cycle == enrollment.cycle
    stranger = StudentFactory(school=school)
    with pytest.raises(ValidationError, match="has not completed and is not in a A1 cycle"):
        exam_registration_create(student=stranger, exam_round=exam_round, today=TODAY)


def test_candidate_must_be_eight_on_31_may_of_the_exam_year(school):
    exam_round = ExamRoundFactory(school=school)  # exam 15 May 2027
    young = completed_a1(school, date_of_birth=dt.date(2019, 6, 1))  # 7 on 31 May 2027
    with pytest.raises(ValidationError, match="at least 8 on 2027-05-31"):
        exam_registration_create(student=young.student, exam_round=exam_round, today=TODAY)
    just = completed_a1(school, date_of_birth=dt.date(2019, 5, 31))
    assert exam_registration_create(student=just.student, exam_round=exam_round, today=TODAY)


def test_override_with_a_reason_is_kept(school):
    exam_round = ExamRoundFactory(school=school)
    student = StudentFactory(school=school)
    registration = exam_registration_create(
        student=student,
        exam_round=exam_round,
        override_reason="Studied privately; placement test 40/50",
        today=TODAY,
    )
    assert registration.eligibility_override_reason.startswith("Studied privately")


def test_after_the_deadline_or_twice_is_a_conflict(school):
    exam_round = ExamRoundFactory(school=school)
    enrollment = completed_a1(school)
    with pytest.raises(ConflictError, match="closed on 2027-03-31"):
        exam_registration_create(
            student=enrollment.student, exam_round=exam_round, today=dt.date(2027, 4, 1)
        )
    exam_registration_create(student=enrollment.student, exam_round=exam_round, today=TODAY)
    with pytest.raises(ConflictError, match="already registered"):
        exam_registration_create(student=enrollment.student, exam_round=exam_round, today=TODAY)
