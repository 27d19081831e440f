"""The enrollments API (courses.api.enrollments): only coordinators enroll, seats then the
waitlist, withdrawal and promotion, the A2 prerequisite and placement."""

import datetime as dt

import pytest

from courses.models import Enrollment
from tests.conftest import api_as
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    SchoolFactory,
    StudentFactory,
    on_factory_day,
)

pytestmark = [pytest.mark.django_db, on_factory_day]


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


def test_enrolling_seats_then_waitlists_and_a_withdrawal_promotes_the_first_waiting(coordinator):
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


def test_the_waitlist_is_reordered_and_promotion_waits_for_a_free_seat(coordinator):
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
