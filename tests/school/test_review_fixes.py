"""Holes found in review: each test names what must not happen."""

import datetime as dt
from decimal import Decimal

import pytest

from courses.models import Lesson
from courses.services import enrollment_create, lesson_cancel
from exams.services import exam_result_record
from tests.conftest import api_as
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRegistrationFactory,
    LessonFactory,
    SchoolFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


def test_admin_history_of_another_schools_record_is_404_and_history_never_saves(
    client, coordinator
):
    foreign = StudentFactory(school=SchoolFactory(), last_name="Elsewhere")
    own = StudentFactory(school=coordinator.school)
    own.last_name = "Renamed"
    own.save()
    client.force_login(coordinator)
    assert client.get(f"/admin/school/student/{foreign.pk}/history/").status_code == 404
    foreign_version = foreign.history.first().history_id
    assert (
        client.get(f"/admin/school/student/{foreign.pk}/history/{foreign_version}/").status_code
        == 404
    )
    own_version = own.history.last().history_id
    assert client.get(f"/admin/school/student/{own.pk}/history/").status_code == 200
    assert (
        client.post(f"/admin/school/student/{own.pk}/history/{own_version}/", {}).status_code == 403
    )


def test_newcomers_do_not_jump_the_waitlist_after_a_capacity_rise():
    cycle = CycleFactory(capacity=1)
    EnrollmentFactory(cycle=cycle)
    waiting = enrollment_create(
        student=StudentFactory(school=cycle.school), cycle=cycle, today=dt.date(2026, 11, 22)
    )
    cycle.capacity = 2
    cycle.save()
    newcomer = enrollment_create(
        student=StudentFactory(school=cycle.school), cycle=cycle, today=dt.date(2026, 11, 22)
    )
    assert waiting.status == "waitlisted"
    assert (newcomer.status, newcomer.waitlist_position) == ("waitlisted", 2)


@pytest.mark.parametrize("value", ["abc", "1e5", "-1", "99999999999999999999999"])
def test_non_numeric_ids_in_office_forms_are_404(client, coordinator, value):
    cycle = CycleFactory(school=coordinator.school)
    client.force_login(coordinator)
    assert client.post(f"/office/cycles/{cycle.pk}/enroll/", {"student": value}).status_code == 404


def test_points_are_rounded_to_two_decimals_before_the_rule():
    registration = ExamRegistrationFactory()
    result = exam_result_record(
        registration=registration,
        points={"reading": "14.999", "writing": 20, "listening": 20, "speaking": 20},
    )
    assert result.passed is True
    assert result.scores.get(skill__code="reading").points == Decimal("15.00")


def test_patching_a_rounds_level_keeps_its_exam_type(coordinator):
    client = api_as(coordinator)
    made = client.post(
        "/api/v1/exam-rounds/",
        {"name": "LTR autumn", "exam_type": "long-term-residence", "level": "A2",
         "registration_deadline": "2027-08-31", "exam_date": "2027-10-16", "centre": "Athens"},
        format="json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    patched = client.patch(
        f"/api/v1/exam-rounds/{made.json()['id']}/", {"level": "A2"}, format="json"
    )
    assert patched.json()["exam_type"] == "long-term-residence"


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


def test_students_see_true_seat_counts(student_user):
    cycle = CycleFactory(school=student_user.school, capacity=10)
    EnrollmentFactory(cycle=cycle, student=student_user.student)
    EnrollmentFactory.create_batch(4, cycle=cycle)
    body = api_as(student_user).get("/api/v1/cycles/").json()
    assert body["results"][0]["enrolled_count"] == 5


def test_teachers_cannot_filter_students_by_fields_they_are_not_shown(teacher):
    cycle = CycleFactory(school=teacher.school)
    cycle.teachers.add(teacher)
    EnrollmentFactory(cycle=cycle, student__nationality="SY")
    EnrollmentFactory(cycle=cycle, student__nationality="AF")
    body = api_as(teacher.user).get("/api/v1/students/", {"nationality": "SY"}).json()
    assert body["count"] == 2
