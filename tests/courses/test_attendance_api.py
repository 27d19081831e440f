"""The roster API (/api/v1/lessons/{id}/attendance/): read and saved whole, who may write,
the figures it shows, and a fixed number of queries."""

import datetime as dt
import math
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from courses.models import Attendance
from school.models import SpecialCategoryData
from tests.conftest import api_as
from tests.courses.attendance_records import NOW, big_lesson, consecutive_setup, marks
from tests.factories import CycleFactory, LessonFactory, SchoolFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def roster_payload(lesson, *statuses):
    return [{"enrollment": e, "status": s} for e, s in marks(lesson, *statuses)]


def test_roster_is_read_and_saved_whole_or_not_at_all(lesson, teacher):
    client = api_as(teacher.user)
    url = f"/api/v1/lessons/{lesson.pk}/attendance/"
    before = client.get(url).json()
    assert [entry["status"] for entry in before] == [None, None, None]
    assert set(before[0]) == {
        "enrollment",
        "student",
        "name",
        "status",
        "attendance_rate",
        "at_risk",
    }

    lesson.date = timezone.localdate() - dt.timedelta(days=1)
    lesson.save()
    saved = client.put(url, roster_payload(lesson, "present", "absent", "late"), format="json")
    assert saved.status_code == 200, saved.content
    assert sorted(entry["status"] for entry in saved.json()) == ["absent", "late", "present"]

    bad = client.put(
        url,
        [
            *roster_payload(lesson, "present", "present", "present")[:2],
            {"enrollment": 10**9, "status": "present"},
        ],
        format="json",
    )
    assert bad.status_code == 400
    assert sorted(entry["status"] for entry in client.get(url).json()) == [
        "absent",
        "late",
        "present",
    ]

    with_topic = client.put(
        url,
        {"marks": roster_payload(lesson, "present", "present", "present"), "topic": "Numbers"},
        format="json",
    )
    assert with_topic.status_code == 200
    lesson.refresh_from_db()
    assert lesson.topic == "Numbers"


def test_put_on_a_future_or_cancelled_lesson_is_409(lesson, coordinator):
    client = api_as(coordinator)
    lesson.date = timezone.localdate() + dt.timedelta(days=2)
    lesson.save()
    assert (
        client.put(f"/api/v1/lessons/{lesson.pk}/attendance/", [], format="json").status_code == 409
    )
    lesson.status = "cancelled"
    lesson.save()
    assert (
        client.put(f"/api/v1/lessons/{lesson.pk}/attendance/", [], format="json").status_code == 409
    )


def test_only_the_cycles_teachers_and_coordinators_write(lesson, auditor, student_user):
    other_teacher = TeacherFactory(school=lesson.cycle.school)
    url = f"/api/v1/lessons/{lesson.pk}/attendance/"
    assert api_as(other_teacher.user).put(url, [], format="json").status_code == 404
    assert api_as(auditor).get(url).status_code == 200
    assert api_as(auditor).put(url, [], format="json").status_code == 403
    assert api_as(student_user).get(url).status_code == 403
    foreign = LessonFactory(cycle=CycleFactory(school=SchoolFactory()))
    assert api_as(auditor).get(f"/api/v1/lessons/{foreign.pk}/attendance/").status_code == 404


def test_teachers_roster_does_not_give_special_category_data_away(teacher):
    enrollment = consecutive_setup(
        teacher.school, ["absent", "present", "absent", "present"], total_hours=Decimal(30)
    )
    enrollment.cycle.teachers.add(teacher)
    SpecialCategoryData.objects.create(
        student=enrollment.student, disability="yes", disability_asked_on=dt.date(2026, 10, 5)
    )
    lesson = enrollment.cycle.lessons.order_by("date").last()
    roster = api_as(teacher.user).get(f"/api/v1/lessons/{lesson.pk}/attendance/").json()
    assert roster[0]["at_risk"] is True


def test_a_refused_correction_says_why_in_the_teachers_language(client, lesson, teacher):
    # A Greek-speaking teacher marks a lesson three weeks old, on their phone (the API, with
    # their token) and on the plain page: both say why, in Greek, and nothing is saved.
    teacher.user.language = "el"
    teacher.user.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=teacher.user).key}")
    everyone = marks(lesson, "present", "present", "present")
    reason = "Παρουσίες παλαιότερες από 7 μέρες διορθώνει ο συντονιστής."
    with time_machine.travel(NOW + dt.timedelta(days=21), tick=False):
        client.force_login(teacher.user)
        response = api.put(
            f"/api/v1/lessons/{lesson.pk}/attendance/",
            [{"enrollment": pk, "status": status} for pk, status in everyone],
            format="json",
        )
        page = client.post(
            f"/teach/lessons/{lesson.pk}/",
            {f"mark-{pk}": status for pk, status in everyone},
            follow=True,
        )
    assert response.status_code == 403
    assert response.json() == {"detail": reason}
    assert page.status_code == 200 and reason in page.content.decode()
    assert not Attendance.objects.filter(lesson=lesson).exists()


def test_enrollment_shows_its_rate_and_risk(coordinator):
    enrollment = consecutive_setup(coordinator.school, ["present", "absent", "absent"])
    body = api_as(coordinator).get(f"/api/v1/enrollments/{enrollment.pk}/").json()
    assert body["attendance_rate"] == pytest.approx(1 / 3, abs=0.001)
    assert body["at_risk"] is True


def insert_batches(model, rows: int) -> int:
    """Statements a bulk insert of ``rows`` takes: one on PostgreSQL, more on SQLite."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return math.ceil(rows / connection.ops.bulk_batch_size(fields, [None] * rows))


@pytest.mark.parametrize("students", [25, 100])
def test_roster_put_and_get_run_a_fixed_number_of_queries(
    teacher, django_assert_num_queries, students
):
    lesson = big_lesson(teacher.school, teacher, students)
    client = api_as(teacher.user)
    url = f"/api/v1/lessons/{lesson.pk}/attendance/"
    # 1 the lesson (scoped to the teacher's cycles) with its cycle and school, 2 the roster with
    # every mark of its students (the figures are added up from them)
    with django_assert_num_queries(2):
        client.get(url)
    # 1 lesson in scope, 2 lock the lesson, 3 enrollments of the cycle, 4 existing marks,
    # 5 insert marks, 6 insert their history, 7 students still unmarked, 8 lesson held with
    # topic and teacher, 9 entry dates, 10 the first and latest entry per operation, 11 their
    # participations, 12 the new participations, 13 those to freeze entry answers for (the
    # first entry only), 14 the roster for the answer; plus the savepoint pair
    # of the test's transaction (BEGIN and COMMIT in production, which are not counted).
    statuses = ["present", "late", "absent", "excused"]
    payload = [
        {"enrollment": e.pk, "status": statuses[i % 4]}
        for i, e in enumerate(lesson.cycle.enrollments.order_by("pk"))
    ]
    # SQLite splits a bulk insert to stay under its limit of parameters per statement.
    extra = insert_batches(Attendance, students) + insert_batches(
        Attendance.history.model, students
    )
    with django_assert_num_queries(16 + extra - 2) as captured:
        assert client.put(url, payload, format="json").status_code == 200
    statements = [
        q for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 14 + extra - 2
    # A correction: changed marks are updated (one statement) with their history (one more);
    # the five now present enter: entries and participations read (two), the new participations
    # inserted and read back (two).
    payload[:5] = [{"enrollment": p["enrollment"], "status": "present"} for p in payload[:5]]
    with django_assert_num_queries(16):
        assert client.put(url, payload, format="json").status_code == 200
