"""The exams API (exams.api): rounds, registrations one by one or a whole cycle, results
by the pass rule with their bad input."""

import datetime as dt

import pytest

from tests.conftest import api_as
from tests.exams.candidates import completed_a1, points, registered
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRegistrationFactory,
    ExamRoundFactory,
)

pytestmark = pytest.mark.django_db


def test_exam_rounds_are_created_and_moved_and_a_deadline_after_the_exam_is_400(coordinator):
    client = api_as(coordinator)
    made = client.post(
        "/api/v1/exam-rounds/",
        {
            "name": "October 2027",
            "level": "A2",
            "registration_deadline": "2027-08-31",
            "exam_date": "2027-10-16",
            "centre": "Piraeus",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    moved = client.patch(
        f"/api/v1/exam-rounds/{made.json()['id']}/", {"exam_date": "2027-10-23"}, format="json"
    )
    assert moved.json()["exam_date"] == "2027-10-23"
    reversed_dates = client.patch(
        f"/api/v1/exam-rounds/{made.json()['id']}/",
        {"registration_deadline": "2027-11-01"},
        format="json",
    )
    assert reversed_dates.status_code == 400


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


def test_registering_a_whole_cycle_skips_who_cannot_sit_and_says_why(coordinator):
    school = coordinator.school
    exam_round = ExamRoundFactory(
        school=school, registration_deadline=dt.date(2099, 1, 1), exam_date=dt.date(2099, 5, 15)
    )
    cycle = CycleFactory(school=school)
    EnrollmentFactory.create_batch(3, cycle=cycle)
    EnrollmentFactory(cycle=cycle, student__date_of_birth=None)
    response = api_as(coordinator).post(
        f"/api/v1/exam-rounds/{exam_round.pk}/register-cycle/", {"cycle": cycle.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["registered"]) == 3
    assert len(body["skipped"]) == 1
    assert "no date of birth" in body["skipped"][0]["reason"]


def test_registration_api_answers_409_after_the_deadline(coordinator):
    exam_round = ExamRoundFactory(
        school=coordinator.school,
        registration_deadline=dt.date(2020, 3, 31),
        exam_date=dt.date(2020, 5, 15),
    )
    student = completed_a1(coordinator.school).student
    response = api_as(coordinator).post(
        "/api/v1/exam-registrations/",
        {"student": student.pk, "exam_round": exam_round.pk},
        format="json",
    )
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


def test_results_api_records_by_the_pass_rule(coordinator):
    registration = registered(coordinator)
    client = api_as(coordinator)
    response = client.post(
        "/api/v1/exam-results/",
        {"registration": registration.pk, **points(20), "certificate_number": "A1-123"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total"], body["passed"], body["grade"]) == ("80.00", True, "very_good")
    assert body["reading"] == "20.00"

    again = client.post(
        "/api/v1/exam-results/", {"registration": registration.pk, **points(20)}, format="json"
    )
    assert again.status_code == 409

    failed = client.patch(f"/api/v1/exam-results/{body['id']}/", {"writing": 14}, format="json")
    assert failed.status_code == 200
    assert (failed.json()["passed"], failed.json()["grade"]) == (False, None)  # no band
    assert failed.json()["certificate_number"] == "A1-123"


@pytest.mark.parametrize(
    "bad", [{"reading": 26}, {"reading": -1}, {"reading": "many"}, {"reading": None}]
)
def test_points_out_of_range_are_400(coordinator, bad):
    registration = registered(coordinator)
    response = api_as(coordinator).post(
        "/api/v1/exam-results/",
        {"registration": registration.pk, **points(20), **bad},
        format="json",
    )
    assert response.status_code == 400


def test_result_for_someone_not_registered_is_400(coordinator):
    foreign = ExamRegistrationFactory()
    response = api_as(coordinator).post(
        "/api/v1/exam-results/", {"registration": foreign.pk, **points(20)}, format="json"
    )
    assert response.status_code == 400
    assert "registration" in response.json()


def test_long_term_residence_exam_has_its_history_module(coordinator):
    from exams.models import ExamScheme

    scheme = ExamScheme.objects.get(exam_type__code="long-term-residence", level__code="A2")
    registration = ExamRegistrationFactory(
        exam_round=ExamRoundFactory(school=coordinator.school, scheme=scheme)
    )
    client = api_as(coordinator)
    missing = client.post(
        "/api/v1/exam-results/", {"registration": registration.pk, **points(20)}, format="json"
    )
    assert "history-culture" in missing.json()
    ok = client.post(
        "/api/v1/exam-results/",
        {"registration": registration.pk, **points(20), "points": {"history-culture": 18}},
        format="json",
    )
    assert ok.status_code == 201
    assert ok.json()["points"] == {"history-culture": "18.00"}
