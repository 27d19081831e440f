import datetime as dt

import pytest

from courses.models import Attendance, Enrollment
from notifications.models import Notification
from tests.conftest import api_as
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    SchoolFactory,
    StudentFactory,
    TeacherFactory,
    UserFactory,
    on_factory_day,
)

pytestmark = [pytest.mark.django_db, on_factory_day]


# -- scoping -----------------------------------------------------------------------------------


def test_teacher_sees_only_the_cycles_they_teach(teacher):
    mine = CycleFactory(school=teacher.school, code="MINE")
    mine.teachers.add(teacher)
    CycleFactory(school=teacher.school, code="OTHER")
    body = api_as(teacher.user).get("/api/v1/cycles/").json()
    assert [c["code"] for c in body["results"]] == ["MINE"]


def test_another_schools_cycle_is_404(coordinator):
    foreign = CycleFactory(school=SchoolFactory())
    client = api_as(coordinator)
    assert client.get(f"/api/v1/cycles/{foreign.pk}/").status_code == 404
    assert (
        client.patch(f"/api/v1/cycles/{foreign.pk}/", {"capacity": 3}, format="json").status_code
        == 404
    )
    assert client.post(f"/api/v1/cycles/{foreign.pk}/generate-lessons/").status_code == 404


def test_student_sees_only_their_own_enrollments(student_user):
    own = EnrollmentFactory(
        cycle=CycleFactory(school=student_user.school), student=student_user.student
    )
    other = EnrollmentFactory(cycle=own.cycle)
    client = api_as(student_user)
    body = client.get("/api/v1/enrollments/").json()
    assert [e["id"] for e in body["results"]] == [own.pk]
    assert client.get(f"/api/v1/enrollments/{other.pk}/").status_code == 404
    assert client.get("/api/v1/students/").json()["results"][0]["id"] == student_user.student.pk


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


@pytest.mark.parametrize("fixture", ["auditor", "teacher", "student_user"])
def test_only_coordinators_enroll(fixture, request, school):
    user = request.getfixturevalue(fixture)
    user = getattr(user, "user", user)
    cycle = CycleFactory(school=school)
    student = StudentFactory(school=school)
    response = api_as(user).post(
        "/api/v1/enrollments/", {"student": student.pk, "cycle": cycle.pk}, format="json"
    )
    assert response.status_code == 403


# -- enrollment over the API -------------------------------------------------------------------


def test_enroll_then_waitlist_then_withdraw_promotes(coordinator):
    cycle = CycleFactory(school=coordinator.school, capacity=1)
    a, b = StudentFactory.create_batch(2, school=coordinator.school)
    client = api_as(coordinator)
    first = client.post("/api/v1/enrollments/", {"student": a.pk, "cycle": cycle.pk}, format="json")
    second = client.post(
        "/api/v1/enrollments/", {"student": b.pk, "cycle": cycle.pk}, format="json"
    )
    assert (first.status_code, first.json()["status"]) == (201, "enrolled")
    assert (second.json()["status"], second.json()["waitlist_position"]) == ("waitlisted", 1)

    again = client.post("/api/v1/enrollments/", {"student": a.pk, "cycle": cycle.pk}, format="json")
    assert again.status_code == 409
    assert "already has an enrollment" in again.json()["detail"]

    no_reason = client.post(
        f"/api/v1/enrollments/{first.json()['id']}/withdraw/", {}, format="json"
    )
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()

    out = client.post(
        f"/api/v1/enrollments/{first.json()['id']}/withdraw/",
        {"reason": "Found work"},
        format="json",
    )
    assert out.status_code == 200
    assert out.json()["status"] == "withdrawn"
    assert Enrollment.objects.get(pk=second.json()["id"]).status == "enrolled"


def test_enrolling_an_invisible_student_is_400(coordinator):
    cycle = CycleFactory(school=coordinator.school)
    foreign = StudentFactory(school=SchoolFactory())
    response = api_as(coordinator).post(
        "/api/v1/enrollments/", {"student": foreign.pk, "cycle": cycle.pk}, format="json"
    )
    assert response.status_code == 400
    assert "student" in response.json()


def test_enrolling_in_a_finished_cycle_is_409(coordinator):
    cycle = CycleFactory(
        school=coordinator.school, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 6, 1)
    )
    student = StudentFactory(school=coordinator.school)
    response = api_as(coordinator).post(
        "/api/v1/enrollments/", {"student": student.pk, "cycle": cycle.pk}, format="json"
    )
    assert response.status_code == 409


def test_a2_without_prerequisite_is_400_and_placement_unlocks_it(coordinator):
    from tests.factories import level

    cycle = CycleFactory(school=coordinator.school, level=level("A2"))
    student = StudentFactory(school=coordinator.school)
    client = api_as(coordinator)
    refused = client.post(
        "/api/v1/enrollments/", {"student": student.pk, "cycle": cycle.pk}, format="json"
    )
    assert refused.status_code == 400
    assert "placement decision" in refused.json()["student"][0]
    placed = client.post(
        "/api/v1/placements/",
        {"student": student.pk, "level": "A2", "note": "Interview"},
        format="json",
    )
    assert placed.status_code == 201
    assert placed.json()["decided_by"] == coordinator.pk
    assert (
        client.post(
            "/api/v1/enrollments/", {"student": student.pk, "cycle": cycle.pk}, format="json"
        ).status_code
        == 201
    )


def test_reorder_and_promote_over_the_api(coordinator):
    cycle = CycleFactory(school=coordinator.school, capacity=1)
    EnrollmentFactory(cycle=cycle)
    a = EnrollmentFactory(cycle=cycle, status="waitlisted", waitlist_position=1)
    b = EnrollmentFactory(cycle=cycle, status="waitlisted", waitlist_position=2)
    client = api_as(coordinator)
    response = client.post(
        f"/api/v1/cycles/{cycle.pk}/waitlist/", {"order": [b.pk, a.pk]}, format="json"
    )
    assert response.json() == {"order": [b.pk, a.pk]}
    assert client.post(f"/api/v1/enrollments/{b.pk}/promote/").status_code == 409
    client.patch(f"/api/v1/cycles/{cycle.pk}/", {"capacity": 2}, format="json")
    promoted = client.post(f"/api/v1/enrollments/{b.pk}/promote/")
    assert promoted.json()["status"] == "enrolled"


# -- lessons -----------------------------------------------------------------------------------


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


def test_cancelling_a_lesson_with_attendance_is_409(coordinator):
    enrollment = EnrollmentFactory(cycle=CycleFactory(school=coordinator.school))
    lesson = LessonFactory(cycle=enrollment.cycle)
    Attendance.objects.create(enrollment=enrollment, lesson=lesson, status="present")
    response = api_as(coordinator).patch(
        f"/api/v1/lessons/{lesson.pk}/", {"status": "cancelled"}, format="json"
    )
    assert response.status_code == 409


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


# -- bad input ---------------------------------------------------------------------------------


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


# -- query budgets -----------------------------------------------------------------------------


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


def test_closures_api(coordinator, auditor):
    client = api_as(coordinator)
    made = client.post(
        "/api/v1/closures/",
        {"starts_on": "2026-12-24", "ends_on": "2027-01-06", "reason": "Christmas"},
        format="json",
    )
    assert made.status_code == 201
    reversed_dates = client.post(
        "/api/v1/closures/",
        {"starts_on": "2027-01-06", "ends_on": "2026-12-24", "reason": "x"},
        format="json",
    )
    assert reversed_dates.status_code == 400
    assert "ends_on" in reversed_dates.json()
    assert [c["reason"] for c in api_as(auditor).get("/api/v1/closures/").json()["results"]] == [
        "Christmas"
    ]
    assert (
        api_as(auditor)
        .post(
            "/api/v1/closures/",
            {"starts_on": "2027-02-01", "ends_on": "2027-02-01", "reason": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    other_school = api_as(UserFactory(role="coordinator"))
    assert other_school.get("/api/v1/closures/").json()["count"] == 0
    assert client.delete(f"/api/v1/closures/{made.json()['id']}/").status_code == 204
