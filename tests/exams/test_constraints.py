"""The database itself keeps the exams app's invariants."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from exams.models import SkillScore
from exams.services import exam_result_record
from tests.factories import ExamRegistrationFactory

pytestmark = pytest.mark.django_db


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
