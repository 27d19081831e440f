"""The lessons API (courses.api.lessons): cancelling and moving tell the students, holidays,
Sundays and the 22:00 rule refuse a move, teachers record the topic only."""

import datetime as dt

import pytest

from courses.models import Attendance, Lesson
from courses.services import lesson_cancel
from notifications.models import Notification
from tests.conftest import api_as
from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory, on_factory_day

pytestmark = pytest.mark.django_db


@on_factory_day
def test_cancelling_a_lesson_tells_its_students_once(coordinator):
    cycle = CycleFactory(school=coordinator.school)
    EnrollmentFactory.create_batch(3, cycle=cycle)
    EnrollmentFactory(cycle=cycle, status="waitlisted", waitlist_position=1)
    lesson = LessonFactory(cycle=cycle)
    client = api_as(coordinator)
    for _ in range(2):
        response = client.patch(
            f"/api/v1/lessons/{lesson.pk}/", {"status": "cancelled"}, format="json"
        )
        assert response.json()["status"] == "cancelled"
    told = Notification.objects.filter(kind="lesson_cancelled")
    assert told.count() == 3
    assert told.first().context["date"] == "2026-11-23"


def test_cancelling_a_lesson_puts_a_message_per_student_in_their_language(coordinator):
    from courses.models import Lesson
    from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory

    cycle = CycleFactory(school=coordinator.school)
    for language in ("ar", "fa", "uk", "fr"):
        EnrollmentFactory(cycle=cycle, student__language=language)
    lesson = LessonFactory(cycle=cycle)
    api_as(coordinator).patch(
        f"/api/v1/lessons/{lesson.pk}/", {"status": Lesson.Status.CANCELLED}, format="json"
    )
    assert sorted(
        Notification.objects.filter(kind="lesson_cancelled").values_list("language", flat=True)
    ) == ["ar", "fa", "fr", "uk"]


@on_factory_day
def test_moving_a_lesson_tells_students_and_refuses_holidays(coordinator):
    cycle = CycleFactory(school=coordinator.school)
    EnrollmentFactory(cycle=cycle)
    lesson = LessonFactory(cycle=cycle, date=dt.date(2026, 12, 21))
    client = api_as(coordinator)
    holiday = client.patch(f"/api/v1/lessons/{lesson.pk}/", {"date": "2026-12-25"}, format="json")
    assert holiday.status_code == 400
    assert holiday.json()["date"] == ["2026-12-25 is a public holiday."]
    sunday = client.patch(f"/api/v1/lessons/{lesson.pk}/", {"date": "2026-12-27"}, format="json")
    assert sunday.json()["date"] == ["No lessons on Sundays."]
    late = client.patch(f"/api/v1/lessons/{lesson.pk}/", {"ends_at": "22:30"}, format="json")
    assert late.json()["ends_at"] == ["Lessons end by 22:00."]

    moved = client.patch(
        f"/api/v1/lessons/{lesson.pk}/",
        {"date": "2026-12-22", "starts_at": "18:00", "ends_at": "21:00"},
        format="json",
    )
    assert moved.status_code == 200
    assert moved.json()["moved_from_date"] == "2026-12-21"
    notice = Notification.objects.get(kind="lesson_moved")
    assert (notice.context["date"], notice.context["starts_at"]) == ("2026-12-22", "18:00")


def test_moving_onto_a_cancelled_lessons_slot_is_400(coordinator):
    cycle = CycleFactory(school=coordinator.school)
    cancelled = lesson_cancel(lesson=LessonFactory(cycle=cycle, date=dt.date(2026, 12, 1)))
    lesson = LessonFactory(cycle=cycle, date=dt.date(2026, 12, 2))
    response = api_as(coordinator).patch(
        f"/api/v1/lessons/{lesson.pk}/", {"date": "2026-12-01"}, format="json"
    )
    assert response.status_code == 400
    assert "cancelled" in response.json()["starts_at"][0]
    assert Lesson.objects.get(pk=cancelled.pk).status == "cancelled"


@on_factory_day
def test_teacher_records_the_topic_but_does_not_move_lessons(teacher):
    cycle = CycleFactory(school=teacher.school)
    cycle.teachers.add(teacher)
    lesson = LessonFactory(cycle=cycle)
    client = api_as(teacher.user)
    assert (
        client.patch(
            f"/api/v1/lessons/{lesson.pk}/", {"topic": "At the market"}, format="json"
        ).json()["topic"]
        == "At the market"
    )
    assert (
        client.patch(
            f"/api/v1/lessons/{lesson.pk}/", {"date": "2026-11-24"}, format="json"
        ).status_code
        == 403
    )
    foreign = LessonFactory(cycle=CycleFactory(school=teacher.school))
    assert (
        client.patch(f"/api/v1/lessons/{foreign.pk}/", {"topic": "x"}, format="json").status_code
        == 404
    )


@on_factory_day
def test_cancelling_a_lesson_with_attendance_is_409(coordinator):
    enrollment = EnrollmentFactory(cycle=CycleFactory(school=coordinator.school))
    lesson = LessonFactory(cycle=enrollment.cycle)
    Attendance.objects.create(enrollment=enrollment, lesson=lesson, status="present")
    response = api_as(coordinator).patch(
        f"/api/v1/lessons/{lesson.pk}/", {"status": "cancelled"}, format="json"
    )
    assert response.status_code == 409


@on_factory_day
def test_lessons_filter_by_cycle_and_dates(coordinator):
    cycle = CycleFactory(school=coordinator.school)
    for day in (2, 9, 16):
        LessonFactory(cycle=cycle, date=dt.date(2026, 11, day))
    LessonFactory(cycle=CycleFactory(school=coordinator.school), date=dt.date(2026, 11, 9))
    body = (
        api_as(coordinator)
        .get(
            "/api/v1/lessons/",
            {"cycle": cycle.pk, "date_after": "2026-11-05", "date_before": "2026-11-30"},
        )
        .json()
    )
    assert [lesson["date"] for lesson in body["results"]] == ["2026-11-09", "2026-11-16"]


@on_factory_day
@pytest.mark.parametrize("query", [{}, {"page_size": 0}, {"page_size": 1}, {"page": 2}])
def test_roster_and_generated_lessons_are_whole_lists_whatever_the_page_size(coordinator, query):
    # API.md: the roster is ``[{"enrollment", "student", "name", "status"}]`` and generating
    # returns the lessons; neither is paginated, and the schema says so.
    cycle = CycleFactory(school=coordinator.school)
    EnrollmentFactory.create_batch(3, cycle=cycle)
    lesson = LessonFactory(cycle=cycle)
    LessonFactory(cycle=cycle, date=lesson.date + dt.timedelta(days=2))
    client = api_as(coordinator)
    roster = client.get(f"/api/v1/lessons/{lesson.pk}/attendance/", query)
    assert roster.status_code == 200
    assert isinstance(roster.json(), list) and len(roster.json()) == 3
    # The lesson filters are not the roster's: they do not hide the lesson.
    other_day = client.get(f"/api/v1/lessons/{lesson.pk}/attendance/", {"date": "2001-01-01"})
    assert other_day.status_code == 200
    generated = client.post(
        f"/api/v1/cycles/{cycle.pk}/generate-lessons/?{'&'.join(f'{k}={v}' for k, v in query.items())}"
    )
    assert generated.status_code == 200
    assert isinstance(generated.json(), list)
    assert len(generated.json()) == cycle.lessons.count() == 2
    schema = client.get("/api/schema/?format=json").json()["paths"]
    for path, method in (
        ("/api/v1/lessons/{id}/attendance/", "get"),
        ("/api/v1/lessons/{id}/attendance/", "put"),
        ("/api/v1/cycles/{id}/generate-lessons/", "post"),
    ):
        operation = schema[path][method]
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array", (path, method)
        assert "page_size" not in {p["name"] for p in operation.get("parameters", [])}
