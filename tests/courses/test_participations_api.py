"""The operations and participations endpoints (API.md, "Added with the next wave")."""

import datetime as dt

import pytest

from school.models import Operation
from school.services import participation as participations
from tests.conftest import api_as
from tests.factories import CycleFactory, EnrollmentFactory, on_factory_day

pytestmark = [pytest.mark.django_db, on_factory_day]
D = dt.date


def test_coordinators_create_and_change_operations_auditors_read_them(coordinator, auditor):
    created = api_as(coordinator).post(
        "/api/v1/operations/",
        {"code": "MIS 5001234", "programme_period": "2021-2027", "starts_on": "2026-01-01",
         "funder": "ESF+ Attica"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    again = api_as(coordinator).post(
        "/api/v1/operations/",
        {"code": "MIS 5001234", "programme_period": "2021-2027", "starts_on": "2026-01-01"},
        format="json",
    )
    assert again.status_code == 400
    backwards = api_as(coordinator).patch(
        f"/api/v1/operations/{pk}/", {"ends_on": "2025-01-01"}, format="json"
    )
    assert backwards.status_code == 400
    changed = api_as(coordinator).patch(
        f"/api/v1/operations/{pk}/", {"ends_on": "2029-12-31"}, format="json"
    )
    assert changed.json()["ends_on"] == "2029-12-31"
    listed = api_as(auditor).get("/api/v1/operations/").json()["results"]
    assert [o["code"] for o in listed] == ["MIS 5001234"]
    assert api_as(auditor).patch(f"/api/v1/operations/{pk}/", {"funder": "x"}).status_code == 403


def test_a_cycle_names_its_operation(coordinator, school):
    cycle = CycleFactory(school=school)
    body = api_as(coordinator).get(f"/api/v1/cycles/{cycle.pk}/").json()
    assert body["operation"] == cycle.operation_id
    assert Operation.objects.get(pk=cycle.operation_id).school == school


@pytest.fixture
def cohort(school):
    cycle = CycleFactory(school=school, code="A1-API", starts_on=D(2026, 9, 7))
    other = CycleFactory(school=school, code="A2-API", starts_on=D(2026, 9, 7))
    answered, silent, left = (
        EnrollmentFactory(cycle=cycle, entry_date=D(2026, 9, 7)).student,
        EnrollmentFactory(cycle=cycle, entry_date=D(2026, 9, 14)).student,
        EnrollmentFactory(cycle=other, entry_date=D(2026, 9, 7)).student,
    )
    operation = cycle.operation
    participation = participations.participation_for(answered, operation)
    participations.entry_answers_record(
        participation,
        {"labour_market_status": "unemployed", "unemployed_months": 14, "homeless": "declined"},
        answered_on=D(2026, 9, 7),
    )
    gone = participations.participation_for(left, operation)
    participations.entry_answers_record(gone, {}, answered_on=D(2026, 9, 7), source="paper")
    first = participations.exit_record(gone, date=D(2026, 10, 2), reason="found_work")
    participations.exit_answers_record(first, {"employed": True}, answered_on=D(2026, 11, 20))
    return {"answered": answered, "silent": silent, "left": left, "cycle": cycle}


def test_participations_show_frozen_answers_and_each_exit_with_its_answers(auditor, cohort):
    rows = api_as(auditor).get("/api/v1/participations/").json()["results"]
    by_student = {row["student"]: row for row in rows}
    answered = by_student[cohort["answered"].pk]
    assert answered["entry_date"] == "2026-09-07"
    assert answered["entry_answers"]["labour_market_status"] == "long_term_unemployed"
    assert answered["entry_answers"]["homeless"] == "declined"
    assert "disability" not in answered["entry_answers"]
    assert by_student[cohort["silent"].pk]["entry_answers"] is None
    (exit_,) = by_student[cohort["left"].pk]["exits"]
    assert exit_ == {
        "date": "2026-10-02", "reason": "found_work",
        "answers": {"in_education": None, "employed": True, "job_searching": None},
        "answered_on": "2026-11-20", "source": "participant", "late": True,
    }  # fmt: skip
    assert by_student[cohort["left"].pk]["follow_up"] is None


def test_participations_filter_by_cycle_and_what_is_missing(coordinator, cohort):
    client = api_as(coordinator)

    def students(query):
        return {
            r["student"] for r in client.get(f"/api/v1/participations/{query}").json()["results"]
        }

    assert students(f"?cycle={cohort['cycle'].pk}") == {cohort["answered"].pk, cohort["silent"].pk}
    assert students("?missing=entry") == {cohort["silent"].pk}
    assert students("?missing=exit") == {cohort["left"].pk}  # answered late
    assert client.get("/api/v1/participations/?missing=nothing").status_code == 400


def test_teachers_and_students_see_no_participations(teacher, student_user, cohort):
    for user in (teacher.user, student_user):
        assert api_as(user).get("/api/v1/participations/").status_code == 403
        assert api_as(user).get("/api/v1/operations/").status_code == 403


@pytest.mark.parametrize("count", [3, 30])
def test_the_participations_list_runs_a_fixed_number_of_queries(
    coordinator, school, count, django_assert_num_queries
):
    cycle = CycleFactory(school=school)
    for n in range(count):
        student = EnrollmentFactory(cycle=cycle, entry_date=D(2026, 9, 7)).student
        participation = participations.participation_for(student, cycle.operation)
        participations.entry_answers_record(participation, {}, answered_on=D(2026, 9, 7))
        exit_ = participations.exit_record(
            participation, date=D(2026, 10, 1 + n % 20), reason="moved"
        )
        participations.follow_up_record(exit_, {"employed": True}, answered_on=D(2026, 11, 20))
    client = api_as(coordinator)
    # 1 the count, 2 the participations with their entry answers, 3 their exits and follow-ups
    with django_assert_num_queries(3):
        body = client.get("/api/v1/participations/?page_size=100").json()
    assert len(body["results"]) == count
    assert all(row["follow_up"]["employed"] for row in body["results"])
