"""The database itself keeps the school app's invariants."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from school.models import SpecialCategoryData, User
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


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
