"""The students API (courses.api.students): a teacher sees only their students' names and
cannot filter by what they are not shown."""

import pytest

from tests.conftest import api_as
from tests.factories import CycleFactory, EnrollmentFactory, StudentFactory, on_factory_day

pytestmark = pytest.mark.django_db


@on_factory_day
def test_teacher_sees_names_only_of_their_students(teacher):
    cycle = CycleFactory(school=teacher.school)
    cycle.teachers.add(teacher)
    EnrollmentFactory(cycle=cycle)
    StudentFactory(school=teacher.school, last_name="Notmystudent")
    body = api_as(teacher.user).get("/api/v1/students/").json()
    assert body["count"] == 1
    assert set(body["results"][0]) == {
        "id", "first_name", "last_name", "first_name_latin", "last_name_latin", "language",
    }  # fmt: skip


def test_teachers_cannot_filter_students_by_fields_they_are_not_shown(teacher):
    cycle = CycleFactory(school=teacher.school)
    cycle.teachers.add(teacher)
    EnrollmentFactory(cycle=cycle, student__nationality="SY")
    EnrollmentFactory(cycle=cycle, student__nationality="AF")
    body = api_as(teacher.user).get("/api/v1/students/", {"nationality": "SY"}).json()
    assert body["count"] == 2
