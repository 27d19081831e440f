import datetime as dt

import pytest

from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_front_door_is_the_sign_in_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


@pytest.mark.parametrize(
    ("fixture", "home"),
    [
        ("coordinator", "/office/"),
        ("auditor", "/office/"),
        ("teacher", "/teach/"),
        ("student_user", "/me/"),
    ],
)
def test_signing_in_leads_to_the_role_home(fixture, home, client, request):
    user = request.getfixturevalue(fixture)
    user = getattr(user, "user", user)
    response = client.post("/", {"username": user.username, "password": "pass-word-123"})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == home
    assert client.get(home).status_code == 200


@pytest.mark.parametrize(
    ("fixture", "page"),
    [
        ("teacher", "/office/"),
        ("student_user", "/office/"),
        ("student_user", "/teach/"),
        ("coordinator", "/me/"),
    ],
)
def test_other_roles_pages_are_forbidden(fixture, page, client, request):
    user = request.getfixturevalue(fixture)
    client.force_login(getattr(user, "user", user))
    assert client.get(page).status_code == 403


def test_pages_send_visitors_to_sign_in(client):
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")


def test_sign_out(client, coordinator):
    client.force_login(coordinator)
    assert client.post("/signout/").status_code == 302
    assert client.get("/office/").status_code == 302


@pytest.mark.parametrize("rows", [3, 30])
def test_dashboard_shows_only_its_own_school_with_fixed_queries(
    client, coordinator, django_assert_num_queries, rows
):
    from django.utils import timezone

    today = timezone.localdate()
    for _ in range(rows):
        cycle = CycleFactory(
            school=coordinator.school,
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=30),
        )
        EnrollmentFactory.create_batch(2, cycle=cycle)
    foreign = CycleFactory(school=SchoolFactory(), code="FOREIGN-1")
    client.force_login(coordinator)
    # 1 session, 2 user, 3 school, 4 the last two rounds (headline), 5 running cycles with seat
    # counts, 6-7 the coordinator's permissions (may they see special-category data?),
    # 8 at-risk enrollments, 9 open exam rounds, 10-11 pass rates by round and by level.
    # (With students at risk and past results, their missed dates and the headline's results
    # add one query each, whatever their number.)
    with django_assert_num_queries(11):
        response = client.get("/office/")
    assert response.status_code == 200
    assert foreign.code.encode() not in response.content
    assert response.content.count(b"2 / 20") == rows


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


def test_admin_shows_a_coordinator_only_their_schools_students(client, coordinator):
    from tests.factories import StudentFactory

    StudentFactory(school=coordinator.school, last_name="Ownschool")
    StudentFactory(school=SchoolFactory(), last_name="Otherschool")
    client.force_login(coordinator)
    response = client.get("/admin/school/student/")
    assert response.status_code == 200
    assert b"Ownschool" in response.content
    assert b"Otherschool" not in response.content


def test_special_category_data_stays_out_of_the_auditors_admin(client, auditor):
    from tests.factories import StudentFactory

    student = StudentFactory(school=auditor.school)
    client.force_login(auditor)
    response = client.get(f"/admin/school/student/{student.pk}/change/")
    assert response.status_code == 200
    assert b"Disability" not in response.content


def test_coordinator_sees_special_category_data_inline(client, coordinator):
    from tests.factories import StudentFactory

    student = StudentFactory(school=coordinator.school)
    client.force_login(coordinator)
    response = client.get(f"/admin/school/student/{student.pk}/change/")
    assert b"Disability" in response.content


def test_api_docs_and_schema_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


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
