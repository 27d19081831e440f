"""The student's own page: lessons, attendance against the limit, exams; only their own."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.models import Attendance, Lesson
from exams.services import exam_result_record
from school.models import Room, Venue
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRegistrationFactory,
    ExamRoundFactory,
    LessonFactory,
    StudentFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _today(school):
    return timezone.localdate(timezone=school.zone)


def _student_in_cycle(student_user, **cycle):
    school = student_user.school
    today = _today(school)
    cycle = CycleFactory(
        school=school,
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60),
        total_hours=Decimal(30),
        **cycle,
    )
    enrollment = EnrollmentFactory(cycle=cycle, student=student_user.student)
    return cycle, enrollment


def _held(cycle, enrollment, day, status):
    lesson = LessonFactory(cycle=cycle, date=day, status=Lesson.Status.HELD)
    Attendance.objects.create(enrollment=enrollment, lesson=lesson, status=status)
    return lesson


def test_page_shows_lessons_with_time_place_teacher_and_changes(client, student_user):
    cycle, _ = _student_in_cycle(student_user, code="A1-MINE")
    today = _today(cycle.school)
    venue = Venue.objects.create(school=cycle.school, name="Library", address="1 Harbour Street")
    room = Room.objects.create(venue=venue, name="Blue room")
    teacher = TeacherFactory(
        school=cycle.school, user__first_name="Eleni", user__last_name="Testova"
    )
    LessonFactory(cycle=cycle, date=today + dt.timedelta(days=1), room=room, teacher=teacher)
    LessonFactory(cycle=cycle, date=today + dt.timedelta(days=2), status=Lesson.Status.CANCELLED)
    LessonFactory(
        cycle=cycle,
        date=today + dt.timedelta(days=3),
        moved_from_date=today + dt.timedelta(days=4),
        moved_from_starts_at=dt.time(17),
    )
    client.force_login(student_user)
    page = client.get("/me/").content.decode()
    assert page.count('<li class="lesson') == 3
    assert "17:00" in page and "20:00" in page
    assert "<bdi>Library</bdi> · <bdi>Blue room</bdi>" in page
    assert "1 Harbour Street" in page
    assert "Eleni Testova" in page
    assert "Cancelled: no lesson" in page
    assert "New day: it was on" in page


def test_attendance_rate_missed_days_and_the_limit(client, student_user):
    cycle, enrollment = _student_in_cycle(student_user)
    today = _today(cycle.school)
    # 30 hours, 10%: 3 hours may be missed. Three 3-hour lessons held, one missed.
    _held(cycle, enrollment, today - dt.timedelta(days=21), "present")
    _held(cycle, enrollment, today - dt.timedelta(days=14), "present")
    missed = _held(cycle, enrollment, today - dt.timedelta(days=7), "absent")
    client.force_login(student_user)
    page = client.get("/me/").content.decode()
    assert "You came to 67% of the lessons." in page
    assert "Hours missed: 3 of 3 allowed." in page
    assert "Careful: you can miss only 0 more hours." in page
    assert f'datetime="{missed.date:%Y-%m-%d}"' in page


def test_over_the_limit_says_so(client, student_user):
    cycle, enrollment = _student_in_cycle(student_user)
    today = _today(cycle.school)
    for days in (7, 14):
        _held(cycle, enrollment, today - dt.timedelta(days=days), "absent")
    client.force_login(student_user)
    assert "You missed more than allowed." in client.get("/me/").content.decode()


def test_exam_registration_date_centre_and_published_result(client, student_user):
    today = _today(student_user.school)
    round_ = ExamRoundFactory(
        school=student_user.school,
        name="Greek A1, spring",
        registration_deadline=today - dt.timedelta(days=60),
        exam_date=today - dt.timedelta(days=30),
        centre="Centre of Tests",
        results_published_on=today - dt.timedelta(days=1),
    )
    registration = ExamRegistrationFactory(exam_round=round_, student=student_user.student)
    points = {s: Decimal(20) for s in ("reading", "writing", "listening", "speaking")}
    exam_result_record(registration=registration, points=points)
    client.force_login(student_user)
    page = client.get("/me/").content.decode()
    assert "Greek A1, spring" in page
    assert "Centre of Tests" in page
    assert "You are registered." in page
    assert "You passed!" in page


def test_unpublished_result_stays_hidden(client, student_user):
    today = _today(student_user.school)
    round_ = ExamRoundFactory(
        school=student_user.school,
        registration_deadline=today - dt.timedelta(days=60),
        exam_date=today - dt.timedelta(days=30),
        results_published_on=None,
    )
    registration = ExamRegistrationFactory(exam_round=round_, student=student_user.student)
    points = {s: Decimal(5) for s in ("reading", "writing", "listening", "speaking")}
    exam_result_record(registration=registration, points=points)
    client.force_login(student_user)
    page = client.get("/me/").content.decode()
    assert "The results are not out yet." in page
    assert "You did not pass" not in page


def test_a_student_never_sees_another_students_data(client, student_user):
    mine, _ = _student_in_cycle(student_user, code="A1-MINE")
    today = _today(mine.school)
    LessonFactory(cycle=mine, date=today + dt.timedelta(days=1))
    other = StudentFactory(school=student_user.school, first_name="Otherperson")
    theirs = CycleFactory(
        school=student_user.school,
        code="A1-THEIRS",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
    )
    enrollment = EnrollmentFactory(cycle=theirs, student=other)
    LessonFactory(
        cycle=theirs, date=today + dt.timedelta(days=1), starts_at=dt.time(9), ends_at=dt.time(11)
    )
    _held(theirs, enrollment, today - dt.timedelta(days=2), "absent")
    ExamRegistrationFactory(
        exam_round=ExamRoundFactory(school=student_user.school, name="Their exam"), student=other
    )
    client.force_login(student_user)
    page = client.get("/me/").content.decode()
    assert "A1-MINE" in page
    assert "A1-THEIRS" not in page
    assert "Their exam" not in page
    assert "Otherperson" not in page


@pytest.mark.parametrize("lessons", [2, 12])
def test_student_page_runs_a_fixed_number_of_queries(
    client, student_user, django_assert_num_queries, lessons
):
    cycle, enrollment = _student_in_cycle(student_user)
    today = _today(cycle.school)
    teacher = TeacherFactory(school=cycle.school)
    for day in range(lessons):
        LessonFactory(cycle=cycle, date=today + dt.timedelta(days=day + 1), teacher=teacher)
        _held(
            cycle,
            enrollment,
            today - dt.timedelta(days=day + 1),
            "absent" if day % 2 else "present",
        )
    round_ = ExamRoundFactory(
        school=cycle.school,
        exam_date=today - dt.timedelta(days=5),
        registration_deadline=today - dt.timedelta(days=40),
        results_published_on=today - dt.timedelta(days=1),
    )
    registration = ExamRegistrationFactory(exam_round=round_, student=student_user.student)
    exam_result_record(
        registration=registration,
        points={s: Decimal(20) for s in ("reading", "writing", "listening", "speaking")},
    )
    client.force_login(student_user)
    client.post("/me/calendar/")
    # 1 session, 2 user, 3 the student with their school, 4 the calendar feed, 5 the open
    # questionnaires, 6 attendance figures per enrollment, 7 the days missed, 8 the coming
    # lessons with cycle, venue, room and teacher, 9 the enrollments with their valid
    # certificates, 10 exam registrations with round and result, 11 the results' skill scores.
    with django_assert_num_queries(11):
        response = client.get("/me/")
    assert response.status_code == 200
    assert response.content.count(b'<li class="lesson') == lessons


def test_page_works_for_a_student_account_without_a_record(client, school):
    user = UserFactory(school=school, role="student")
    client.force_login(user)
    assert client.get("/me/").status_code == 200


def test_a_student_gets_nothing_of_anothers_through_the_api(student_user):
    from tests.conftest import api_as

    today = _today(student_user.school)
    other = StudentFactory(school=student_user.school, first_name="Otherperson")
    theirs = CycleFactory(
        school=student_user.school,
        code="A1-THEIRS",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
    )
    enrollment = EnrollmentFactory(cycle=theirs, student=other)
    lesson = LessonFactory(cycle=theirs, date=today + dt.timedelta(days=1))
    registration = ExamRegistrationFactory(
        exam_round=ExamRoundFactory(school=student_user.school), student=other
    )
    client = api_as(student_user)
    for path in (
        f"/api/v1/students/{other.pk}/",
        f"/api/v1/enrollments/{enrollment.pk}/",
        f"/api/v1/lessons/{lesson.pk}/",
        f"/api/v1/lessons/{lesson.pk}/attendance/",
        f"/api/v1/cycles/{theirs.pk}/",
        f"/api/v1/exam-registrations/{registration.pk}/",
    ):
        response = client.get(path)
        assert response.status_code in (403, 404), path
        assert b"Otherperson" not in response.content
    for path in ("/api/v1/enrollments/", "/api/v1/lessons/", "/api/v1/exam-registrations/"):
        response = client.get(path)
        assert b"A1-THEIRS" not in response.content and b"Otherperson" not in response.content
    calendar = client.get("/api/v1/me/calendar.ics").content
    assert f"lesson-{lesson.pk}@".encode() not in calendar
    assert f"exam-{registration.pk}@".encode() not in calendar
