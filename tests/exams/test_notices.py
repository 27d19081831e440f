"""The exams' scheduled notices (exams.notices): before the deadline, the day before the
exam, and when the results are published; each once."""

import datetime as dt

import pytest

from exams.notices import exam_notices
from exams.services import exam_result_record
from notifications.models import Notification
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRegistrationFactory,
    ExamRoundFactory,
)

pytestmark = pytest.mark.django_db


def kinds():
    return sorted(Notification.objects.values_list("kind", flat=True))


def test_exam_notices_go_before_the_deadline_the_day_before_and_on_results(school):
    exam_round = ExamRoundFactory(
        school=school, registration_deadline=dt.date(2026, 11, 29), exam_date=dt.date(2026, 12, 12),
        results_published_on=None,
    )  # fmt: skip
    cycle = CycleFactory(school=school)
    waiting_to_register = EnrollmentFactory(cycle=cycle)
    registered = ExamRegistrationFactory(
        exam_round=exam_round, student=EnrollmentFactory(cycle=cycle).student
    )
    assert exam_notices(today=dt.date(2026, 11, 22)) == 1  # 7 days before the deadline
    assert Notification.objects.get(kind="exam_deadline").student == waiting_to_register.student
    assert exam_notices(today=dt.date(2026, 11, 22)) == 0
    assert exam_notices(today=dt.date(2026, 12, 11)) == 1  # the day before the exam
    assert Notification.objects.get(kind="exam_day").student == registered.student
    exam_result_record(
        registration=registered,
        points=dict.fromkeys(("reading", "writing", "listening", "speaking"), 20),
    )
    exam_round.results_published_on = dt.date(2027, 1, 20)
    exam_round.save()
    assert exam_notices(today=dt.date(2027, 1, 20)) == 1
    assert kinds() == ["exam_day", "exam_deadline", "result_published"]
