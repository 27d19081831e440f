"""Fixtures several courses test files share."""

import datetime as dt
from decimal import Decimal

import pytest

from config.celery_app import app as celery_app
from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory


@pytest.fixture
def lesson(teacher):
    cycle = CycleFactory(school=teacher.school, total_hours=Decimal(30))
    cycle.teachers.add(teacher)
    EnrollmentFactory.create_batch(3, cycle=cycle)
    return LessonFactory(cycle=cycle, date=dt.date(2026, 11, 23))


@pytest.fixture
def eager():
    """Celery runs tasks in the calling process, as a worker would run the same function."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False
