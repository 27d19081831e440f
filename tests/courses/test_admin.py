"""The admin of cycles, enrollments and lessons leaves the rules to the services."""

import pytest

from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory

pytestmark = pytest.mark.django_db


def test_admin_leaves_seats_and_lesson_moves_to_the_services(client, coordinator):
    enrollment = EnrollmentFactory(cycle=CycleFactory(school=coordinator.school))
    lesson = LessonFactory(cycle=enrollment.cycle)
    client.force_login(coordinator)
    assert client.get("/admin/courses/enrollment/add/").status_code == 403
    page = client.get(f"/admin/courses/enrollment/{enrollment.pk}/change/")
    assert page.status_code == 200
    assert b'name="status"' not in page.content
    page = client.get(f"/admin/courses/lesson/{lesson.pk}/change/")
    assert page.status_code == 200
    assert b'name="date"' not in page.content
    assert b'name="topic"' in page.content


def test_admin_timetable_follows_the_same_rules(client, coordinator):
    client.force_login(coordinator)
    from courses.models import Level

    level = Level.objects.get(code="A1")
    data = {
        "level": level.pk, "code": "A1-ADMIN", "starts_on": "2027-02-01", "ends_on": "2027-05-28",
        "capacity": 20, "total_hours": 96,
        "timetable-TOTAL_FORMS": 2, "timetable-INITIAL_FORMS": 0,
        "timetable-0-weekday": 1, "timetable-0-starts_at": "10:00", "timetable-0-ends_at": "12:00",
        "timetable-1-weekday": 1, "timetable-1-starts_at": "11:00", "timetable-1-ends_at": "13:00",
    }  # fmt: skip
    response = client.post("/admin/courses/cycle/add/", data)
    assert response.status_code == 200
    assert b"overlap" in response.content
