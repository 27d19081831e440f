"""The teacher's pages (courses.views): their own lessons, the ones waiting for attendance,
and the roster form that works without JavaScript."""

import datetime as dt

import pytest
from django.utils import timezone

from courses.models import Attendance
from tests.courses.attendance_records import big_lesson, consecutive_setup
from tests.factories import CycleFactory, LessonFactory

pytestmark = pytest.mark.django_db


def test_teacher_sees_only_their_cycles_lessons(client, teacher):
    mine = CycleFactory(school=teacher.school, code="MINE")
    mine.teachers.add(teacher)
    other = CycleFactory(school=teacher.school, code="NOT-MINE")
    from django.utils import timezone

    today = timezone.localdate()
    LessonFactory(cycle=mine, date=today)
    LessonFactory(cycle=other, date=today)
    client.force_login(teacher.user)
    response = client.get("/teach/")
    assert b"MINE (A1)" in response.content
    assert b"NOT-MINE" not in response.content


def test_the_teachers_page_lists_lessons_waiting_for_two_weeks(client, teacher):
    cycle = CycleFactory(school=teacher.school, code="A1-WAIT")
    cycle.teachers.add(teacher)
    today = timezone.localdate(timezone=teacher.school.zone)
    waiting = LessonFactory(cycle=cycle, date=today - dt.timedelta(days=14))
    too_old = LessonFactory(cycle=cycle, date=today - dt.timedelta(days=15))
    held = LessonFactory(cycle=cycle, date=today - dt.timedelta(days=3), status="held")
    client.force_login(teacher.user)
    page = client.get("/teach/").content.decode()
    waiting_part = page.split("Waiting for attendance")[1].split("<h2>")[0]
    assert f"/teach/lessons/{waiting.pk}/" in waiting_part
    assert f"/teach/lessons/{too_old.pk}/" not in page
    assert f"/teach/lessons/{held.pk}/" not in waiting_part


def test_teacher_page_form_saves_marks_and_everyone_present(client, teacher):
    lesson = big_lesson(teacher.school, teacher, 3)
    enrollments = list(lesson.cycle.enrollments.order_by("pk"))
    client.force_login(teacher.user)
    page = client.get(f"/teach/lessons/{lesson.pk}/")
    assert page.status_code == 200
    assert page.content.count(b'type="radio"') == 12
    client.post(
        f"/teach/lessons/{lesson.pk}/",
        {
            f"mark-{enrollments[0].pk}": "absent",
            f"mark-{enrollments[1].pk}": "late",
            "topic": "Family",
        },
    )
    assert dict(
        Attendance.objects.filter(lesson=lesson).values_list("enrollment_id", "status")
    ) == {
        enrollments[0].pk: "absent",
        enrollments[1].pk: "late",
    }
    # One student is left unmarked: the lesson keeps waiting, and the page says how many.
    lesson.refresh_from_db()
    assert lesson.status == "scheduled"
    page = client.get(f"/teach/lessons/{lesson.pk}/").content.decode()
    assert "Still to mark: 1." in page
    # "Everyone present" fills in only the unmarked student: absent and late stay.
    client.post(f"/teach/lessons/{lesson.pk}/", {"everyone_present": "1"})
    assert dict(
        Attendance.objects.filter(lesson=lesson).values_list("enrollment_id", "status")
    ) == {
        enrollments[0].pk: "absent",
        enrollments[1].pk: "late",
        enrollments[2].pk: "present",
    }
    lesson.refresh_from_db()
    assert lesson.status == "held"
    assert "Attendance saved." in client.get(f"/teach/lessons/{lesson.pk}/").content.decode()


def test_teacher_page_shows_rate_and_at_risk_badge(client, teacher):
    enrollment = consecutive_setup(teacher.school, ["present", "absent", "absent"])
    enrollment.cycle.teachers.add(teacher)
    lesson = enrollment.cycle.lessons.order_by("date").last()
    client.force_login(teacher.user)
    page = client.get(f"/teach/lessons/{lesson.pk}/").content.decode()
    assert "33%" in page
    assert "At risk" in page


def test_teacher_cannot_open_another_teachers_lesson(client, teacher):
    lesson = LessonFactory(cycle=CycleFactory(school=teacher.school))
    client.force_login(teacher.user)
    assert client.get(f"/teach/lessons/{lesson.pk}/").status_code == 404
