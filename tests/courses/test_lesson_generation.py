"""Lessons from the timetable (courses.services.lessons): public holidays and closures
skipped, generating again changes nothing, a timetable change redoes only future lessons."""

import datetime as dt
from decimal import Decimal

import pytest

from courses.calendar import Slot
from courses.models import Attendance, Closure, Lesson, TimetableSlot
from courses.services import cycle_update, lesson_move, lessons_generate
from tests.conftest import api_as
from tests.factories import CycleFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db


def monday_wednesday_cycle(**kwargs):
    cycle = CycleFactory(**kwargs)
    TimetableSlot.objects.create(cycle=cycle, weekday=0, starts_at=dt.time(17), ends_at=dt.time(20))
    TimetableSlot.objects.create(cycle=cycle, weekday=2, starts_at=dt.time(17), ends_at=dt.time(20))
    return cycle


def test_lessons_skip_greek_public_holidays():
    # 2026: 25 March (Wed), Easter Monday 13 April, Whit Monday 1 June, 28 October (Wed).
    cycle = monday_wednesday_cycle(starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 10, 31))
    dates = {lesson.date for lesson in lessons_generate(cycle=cycle)}
    for holiday in (
        dt.date(2026, 3, 25),
        dt.date(2026, 4, 13),
        dt.date(2026, 6, 1),
        dt.date(2026, 10, 28),
    ):
        assert holiday not in dates
    assert dt.date(2026, 3, 23) in dates
    assert all(day.weekday() in (0, 2) for day in dates)


def test_lessons_skip_school_closures_and_generating_again_changes_nothing():
    cycle = monday_wednesday_cycle(starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 30))
    Closure.objects.create(
        school=cycle.school,
        starts_on=dt.date(2026, 11, 9),
        ends_on=dt.date(2026, 11, 11),
        reason="Elections",
    )
    first = lessons_generate(cycle=cycle)
    assert [lesson.date.day for lesson in first] == [2, 4, 16, 18, 23, 25, 30]
    assert all(lesson.hours == 3 for lesson in first)
    again = lessons_generate(cycle=cycle)
    assert [lesson.pk for lesson in again] == [lesson.pk for lesson in first]


def test_timetable_change_regenerates_only_future_unmarked_lessons():
    cycle = monday_wednesday_cycle(starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 30))
    lessons = lessons_generate(cycle=cycle)
    enrollment = EnrollmentFactory(cycle=cycle)
    marked = lessons[3]  # 11 Nov, a Wednesday in the future of "today" below
    Attendance.objects.create(enrollment=enrollment, lesson=marked, status="present")
    today = dt.date(2026, 11, 5)

    cycle_update(
        cycle=cycle,
        timetable=[Slot(1, dt.time(10), dt.time(13)), Slot(3, dt.time(10), dt.time(13))],
        today=today,
    )

    remaining = list(cycle.lessons.order_by("date"))
    past = [lesson.date.day for lesson in remaining if lesson.date <= today]
    future = [(lesson.date.day, lesson.starts_at) for lesson in remaining if lesson.date > today]
    assert past == [2, 4]  # kept as they were
    assert (11, dt.time(17)) in future  # has attendance, kept
    assert (10, dt.time(10)) in future and (12, dt.time(10)) in future  # new Tue/Thu lessons
    assert not any(day in (9, 16, 18, 23, 25, 30) for day, _ in future)  # old Mon/Wed gone


def test_moved_lesson_is_not_brought_back_by_generating_again():
    cycle = monday_wednesday_cycle(starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 30))
    lesson = lessons_generate(cycle=cycle)[2]
    lesson_move(lesson=lesson, date=dt.date(2026, 11, 10))
    lessons_generate(cycle=cycle)
    assert not cycle.lessons.filter(date=dt.date(2026, 11, 9)).exists()
    assert cycle.lessons.get(date=dt.date(2026, 11, 10)).moved_from_date == dt.date(2026, 11, 9)


def test_generate_lessons_api_returns_the_lessons(coordinator):
    cycle = monday_wednesday_cycle(
        school=coordinator.school, starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 8)
    )
    response = api_as(coordinator).post(f"/api/v1/cycles/{cycle.pk}/generate-lessons/")
    assert response.status_code == 200
    assert [(r["date"], r["starts_at"], r["status"]) for r in response.json()] == [
        ("2026-11-02", "17:00", "scheduled"),
        ("2026-11-04", "17:00", "scheduled"),
    ]
    assert (
        api_as(coordinator).post(f"/api/v1/cycles/{cycle.pk}/generate-lessons/").json()
        == response.json()
    )
    assert Lesson.objects.filter(cycle=cycle).count() == 2


def test_lesson_hours_come_from_its_times():
    assert Lesson.hours_between(dt.time(17), dt.time(19, 30)) == Decimal("2.50")
