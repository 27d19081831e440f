"""The cycles API (courses.api.cycles): who sees which cycle, true seat counts, and a new
cycle with its timetable checked by the timetable rules."""

import pytest

from tests.conftest import api_as
from tests.factories import CycleFactory, EnrollmentFactory, SchoolFactory, on_factory_day

pytestmark = pytest.mark.django_db


@on_factory_day
def test_teacher_sees_only_the_cycles_they_teach(teacher):
    mine = CycleFactory(school=teacher.school, code="MINE")
    mine.teachers.add(teacher)
    CycleFactory(school=teacher.school, code="OTHER")
    body = api_as(teacher.user).get("/api/v1/cycles/").json()
    assert [c["code"] for c in body["results"]] == ["MINE"]


@on_factory_day
def test_another_schools_cycle_is_404(coordinator):
    foreign = CycleFactory(school=SchoolFactory())
    client = api_as(coordinator)
    assert client.get(f"/api/v1/cycles/{foreign.pk}/").status_code == 404
    assert (
        client.patch(f"/api/v1/cycles/{foreign.pk}/", {"capacity": 3}, format="json").status_code
        == 404
    )
    assert client.post(f"/api/v1/cycles/{foreign.pk}/generate-lessons/").status_code == 404


def test_students_see_true_seat_counts(student_user):
    cycle = CycleFactory(school=student_user.school, capacity=10)
    EnrollmentFactory(cycle=cycle, student=student_user.student)
    EnrollmentFactory.create_batch(4, cycle=cycle)
    body = api_as(student_user).get("/api/v1/cycles/").json()
    assert body["results"][0]["enrolled_count"] == 5


def cycle_payload(**overrides):
    payload = {
        "code": "A1-NEW",
        "level": "A1",
        "starts_on": "2027-02-01",
        "ends_on": "2027-05-28",
        "capacity": 20,
        "total_hours": "96",
        "timetable": [{"weekday": 0, "starts_at": "17:00", "ends_at": "20:00"}],
    }
    payload.update(overrides)
    return payload


def test_coordinator_creates_a_cycle_with_its_timetable(coordinator):
    response = api_as(coordinator).post("/api/v1/cycles/", cycle_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["timetable"] == [{"weekday": 0, "starts_at": "17:00", "ends_at": "20:00"}]
    assert body["enrolled_count"] == 0
    assert body["waitlist_count"] == 0
    assert body["level"] == "A1"


@pytest.mark.parametrize(
    ("timetable", "message"),
    [
        ([{"weekday": 6, "starts_at": "10:00", "ends_at": "12:00"}], "No lessons on Sundays."),
        (
            [{"weekday": 0, "starts_at": "20:00", "ends_at": "22:30"}],
            "Monday: lessons end by 22:00.",
        ),
        (
            [{"weekday": 0, "starts_at": "18:00", "ends_at": "17:00"}],
            "Monday: a lesson must end after it starts.",
        ),
        (
            [
                {"weekday": 1, "starts_at": "10:00", "ends_at": "12:00"},
                {"weekday": 1, "starts_at": "11:00", "ends_at": "13:00"},
            ],
            "Tuesday: 10:00 and 11:00 overlap.",
        ),
        (
            [
                {"weekday": 2, "starts_at": "09:00", "ends_at": "12:00"},
                {"weekday": 2, "starts_at": "17:00", "ends_at": "19:00"},
            ],
            "Wednesday: at most 4 teaching hours a day, not 5.",
        ),
    ],
    ids=["sunday", "after-22", "end-before-start", "overlap", "over-4-hours"],
)
def test_timetable_rules_are_400_with_a_message(coordinator, timetable, message):
    response = api_as(coordinator).post(
        "/api/v1/cycles/", cycle_payload(timetable=timetable), format="json"
    )
    assert response.status_code == 400
    assert message in response.json()["timetable"]


def test_cycle_ending_before_it_starts_is_400_on_the_field(coordinator):
    response = api_as(coordinator).post(
        "/api/v1/cycles/",
        cycle_payload(starts_on="2027-05-01", ends_on="2027-04-01"),
        format="json",
    )
    assert response.status_code == 400
    assert "ends_on" in response.json()


def test_duplicate_cycle_code_is_400(coordinator):
    CycleFactory(school=coordinator.school, code="A1-NEW")
    response = api_as(coordinator).post("/api/v1/cycles/", cycle_payload(), format="json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_capacity_below_the_enrolled_count_is_400(coordinator):
    cycle = CycleFactory(school=coordinator.school, capacity=5)
    EnrollmentFactory.create_batch(3, cycle=cycle)
    response = api_as(coordinator).patch(
        f"/api/v1/cycles/{cycle.pk}/", {"capacity": 2}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["capacity"] == ["3 students are enrolled; the capacity cannot be lower."]
