"""Skill and exam names as published are translated; a school's own names are kept."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from exams.services import exam_result_record
from tests.factories import ExamRegistrationFactory, ExamRoundFactory

pytestmark = pytest.mark.django_db


def test_skill_and_exam_names_as_published_are_translated_and_a_schools_own_are_kept(
    client, student_user, catalogue
):
    catalogue("el", {"Reading": "Ανάγνωση", "Certificate of attainment in Greek": "Πιστοποιητικό"})
    exam_round = ExamRoundFactory(
        school=student_user.school, exam_date=dt.date(2026, 5, 16),
        registration_deadline=dt.date(2026, 3, 31), results_published_on=dt.date(2026, 7, 1),
    )  # fmt: skip
    skills = {skill.code: skill for skill in exam_round.scheme.skills.all()}
    skills["writing"].name = "Writing a letter"
    skills["writing"].save()
    registration = ExamRegistrationFactory(exam_round=exam_round, student=student_user.student)
    exam_result_record(registration=registration, points={code: Decimal(20) for code in skills})
    with translation.override("el"):
        assert str(exam_round.scheme) == "Πιστοποιητικό A1"
        assert [s.display_name for s in exam_round.scheme.skills.all()][:2] == [
            "Ανάγνωση",
            "Writing a letter",
        ]
    student_user.language = "el"
    student_user.save()
    client.force_login(student_user)
    page = client.get("/me/").content.decode()
    assert "<bdi>Ανάγνωση</bdi>: 20 / 25" in page
    assert "<bdi>Writing a letter</bdi>" in page
    assert "<bdi>Reading</bdi>" not in page
