"""What every courses endpoint keeps to: a clean 4xx for bad input, a capped page size, and
a fixed number of queries per list whatever its length."""

import pytest

from tests.conftest import api_as
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    TeacherFactory,
    on_factory_day,
)

pytestmark = [pytest.mark.django_db, on_factory_day]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        (
            "post",
            "/api/v1/cycles/",
            {"code": "x" * 10_000, "level": "Z9", "starts_on": "yesterday"},
        ),
        ("post", "/api/v1/cycles/", {"timetable": "not a list"}),
        ("post", "/api/v1/enrollments/", {"student": "'; DROP TABLE x; --", "cycle": [1]}),
        ("patch", "/api/v1/lessons/999999/", {"status": "held"}),
        (
            "post",
            "/api/v1/students/",
            {"first_name": "ب" * 500, "date_of_birth": "31/02/1990", "phone": "12"},
        ),
        ("post", "/api/v1/cycles/1/waitlist/", {"order": "1,2"}),
    ],
)
def test_bad_input_gets_a_clean_4xx(coordinator, method, path, payload):
    response = getattr(api_as(coordinator), method)(path, payload, format="json")
    assert 400 <= response.status_code < 500


def test_huge_page_size_is_capped(coordinator):
    response = api_as(coordinator).get("/api/v1/cycles/", {"page_size": 10**9})
    assert response.status_code == 200


def fill(school, rows: int) -> None:
    teacher = TeacherFactory(school=school)
    for i in range(rows):
        cycle = CycleFactory(school=school, code=f"C{rows}-{i}")
        cycle.teachers.add(teacher)
        LessonFactory(cycle=cycle)
        EnrollmentFactory(cycle=cycle)


@pytest.mark.parametrize("rows", [5, 200])
@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # 1 count, 2 page of cycles with seat counts, 3 timetables, 4 teachers
        ("/api/v1/cycles/?page_size=500", 4),
        # 1 count, 2 page of lessons with their cycle
        ("/api/v1/lessons/?page_size=500", 2),
        # 1-2 the coordinator's permissions (special-category limits), 3 count,
        # 4 page of enrollments with student, cycle and attendance figures
        ("/api/v1/enrollments/?page_size=500", 4),
        # 1 count, 2 page of students
        ("/api/v1/students/?page_size=500", 2),
    ],
)
def test_list_endpoints_run_a_fixed_number_of_queries(
    coordinator, django_assert_num_queries, rows, path, queries
):
    fill(coordinator.school, rows)
    client = api_as(coordinator)
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.json()["count"] >= rows
