"""Student records, enrollments, attendance and exam results keep who, when, before and after,
and a coordinator sees that history per record (another school's is a 404)."""

import re
from itertools import pairwise

import pytest

from courses.models import Attendance
from tests.conftest import api_as
from tests.security.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _history_page(client, model: str, pk: int):
    return client.get(f"/admin/{model}/{pk}/history/")


def test_each_kind_of_record_keeps_who_changed_what(client, world):
    coordinator = world.users["coordinator"]
    api = api_as(coordinator)
    student = world.own["student"]
    enrollment = world.own["enrollment"]
    result = world.own["result"]
    lesson = world.own["lesson"]

    assert (
        api.patch(
            f"/api/v1/students/{student.pk}/", {"email": "new@example.org"}, format="json"
        ).status_code
        == 200
    )
    assert (
        api.put(
            f"/api/v1/lessons/{lesson.pk}/attendance/",
            [{"enrollment": enrollment.pk, "status": "absent"}],
            format="json",
        ).status_code
        == 200
    )
    assert (
        api.patch(
            f"/api/v1/exam-results/{result.pk}/",
            {"reading": 10, "writing": 20, "listening": 20, "speaking": 20},
            format="json",
        ).status_code
        == 200
    )
    assert (
        api.post(
            f"/api/v1/enrollments/{enrollment.pk}/withdraw/",
            {"reason": "Moved away"},
            format="json",
        ).status_code
        == 200
    )

    mark = Attendance.objects.get(enrollment=enrollment, lesson=lesson)
    records = [
        (student, "email", student.email, "new@example.org"),
        (mark, "status", "present", "absent"),
        (result, "passed", True, False),
        (enrollment, "status", "enrolled", "withdrawn"),
    ]
    for record, field, before, after in records:
        rows = list(record.history.order_by("history_date", "history_id"))
        changes = [
            (new.history_user, new.history_date)
            for old, new in pairwise(rows)
            if (getattr(old, field), getattr(new, field)) == (before, after)
        ]
        assert len(changes) == 1, type(record).__name__
        assert changes[0][0] == coordinator, type(record).__name__

    client.force_login(coordinator)
    for model, record in [
        ("school/student", student),
        ("courses/attendance", mark),
        ("exams/examresult", result),
        ("courses/enrollment", enrollment),
    ]:
        page = _history_page(client, model, record.pk)
        assert page.status_code == 200, model
        assert coordinator.username.encode() in page.content, model


def test_another_schools_history_is_not_found(client, world):
    client.force_login(world.users["coordinator"])
    for model, kind in [
        ("school/student", "student"),
        ("courses/enrollment", "enrollment"),
        ("exams/examresult", "result"),
    ]:
        page = _history_page(client, model, world.foreign_school[kind].pk)
        assert page.status_code == 404, model


def test_teachers_and_students_have_no_history_pages(client, world):
    for role in ("teacher", "student"):
        client.force_login(world.users[role])
        page = _history_page(client, "school/student", world.own["student"].pk)
        assert page.status_code in (302, 403), role


def test_history_pages_show_labels_not_stored_values(client, world):
    coordinator = world.users["coordinator"]
    enrollment, lesson = world.own["enrollment"], world.own["lesson"]
    api = api_as(coordinator)
    api.put(
        f"/api/v1/lessons/{lesson.pk}/attendance/",
        [{"enrollment": enrollment.pk, "status": "absent"}],
        format="json",
    )
    api.patch(
        f"/api/v1/exam-results/{world.own['result'].pk}/",
        {"reading": 10, "writing": 20, "listening": 20, "speaking": 20},
        format="json",
    )
    mark = Attendance.objects.get(enrollment=enrollment, lesson=lesson)
    coordinator.language = "el"
    coordinator.save()
    client.force_login(coordinator)

    page = _history_page(client, "courses/attendance", mark.pk).content.decode()
    changes = re.sub(r"\s+", " ", page)
    assert "<strong>Κατάσταση:</strong> Παρών &nbsp;&rarr;&nbsp;&nbsp;Απών" in changes
    assert ": Απών</a>" in changes  # the record itself, as the list names it
    assert "present" not in changes and "absent" not in changes
    # Nobody had marked it before, and no reason was given: "–" and an empty cell, not "None".
    assert "None" not in changes

    page = _history_page(client, "exams/examresult", world.own["result"].pk).content.decode()
    changes = re.sub(r"\s+", " ", page)
    assert "Ναι &nbsp;&rarr;&nbsp;&nbsp;Όχι" in changes
    assert "True" not in changes
