"""POST /api/v1/participations/{id}/questionnaires/: sends the link by the student's channel;
400 for an unknown kind, 409 when it does not apply, 403 for other roles, 404 out of scope."""

import datetime as dt

import pytest
import time_machine

from notifications.models import Notification
from school.models import Questionnaire
from school.questionnaires import CONSENT_VERSION
from school.services.participation import exit_record, participation_entered
from school.services.questionnaires import questionnaire_answer
from tests.conftest import api_as
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)),
]
ENTERED = dt.date(2026, 11, 2)


def _participation(school, **student):
    cycle = CycleFactory(school=school, starts_on=ENTERED)
    enrolled = EnrollmentFactory(
        cycle=cycle, student=StudentFactory(school=school, **student), entry_date=ENTERED
    )
    return participation_entered(
        student=enrolled.student, operation=cycle.operation, first_entry=ENTERED, last_entry=ENTERED
    )


def _send(user, participation, kind):
    return api_as(user).post(
        f"/api/v1/participations/{participation.pk}/questionnaires/", {"kind": kind}, format="json"
    )


def test_sends_the_entry_questionnaire_by_email(coordinator, school):
    participation = _participation(
        school, phone="", email="lena@example.org", language="uk", contact_channel="email"
    )
    response = _send(coordinator, participation, "entry")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["times_sent"]) == ("entry", "open", 1)
    assert body["closes_on"] == "2026-12-21"
    message = Notification.objects.get(kind="questionnaire_entry")
    assert (message.channel, message.address, message.language) == (
        "email",
        "lena@example.org",
        "uk",
    )
    assert f"next=/me/questionnaires/{body['id']}/" in message.body
    # Sent again: a second message, the same questionnaire.
    assert _send(coordinator, participation, "entry").json()["times_sent"] == 2
    assert Notification.objects.filter(kind="questionnaire_entry").count() == 2


def test_an_unknown_kind_is_a_400(coordinator, school):
    response = _send(coordinator, _participation(school), "halfway")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_what_does_not_apply_is_a_409_with_the_reason(coordinator, school):
    participation = _participation(school)
    response = _send(coordinator, participation, "exit")
    assert response.status_code == 409
    assert "not left" in response.json()["detail"]
    assert _send(coordinator, participation, "follow-up").status_code == 409
    questionnaire = Questionnaire.objects.get(
        pk=_send(coordinator, participation, "entry").json()["id"]
    )
    questionnaire_answer(
        questionnaire=questionnaire,
        data={
            "labour_market_status": "employed",
            "isced_level": "4",
            "household_jobless": "no",
            "household_dependent_children": "no",
            "household_single_adult": "no",
            "foreign_background": "yes",
            "minority": "no",
            "disability": "no",
            "other_disadvantage": "no",
            "homeless": "no",
            "rural_area": "no",
        },
        consent_version=CONSENT_VERSION,
    )
    assert _send(coordinator, participation, "entry").status_code == 409


def test_an_exit_questionnaire_past_its_four_weeks_is_a_409(coordinator, school):
    participation = _participation(school)
    exit_record(participation, date=dt.date(2026, 11, 5), reason="withdrew")
    assert _send(coordinator, participation, "exit").status_code == 202
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)):
        response = _send(coordinator, participation, "exit")
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


@pytest.mark.parametrize("role", ["auditor", "teacher", "student"])
def test_only_a_coordinator_sends(school, role):
    user = UserFactory(school=school, role=role)
    assert _send(user, _participation(school), "entry").status_code == 403


def test_another_schools_participation_is_a_404(coordinator):
    assert _send(coordinator, _participation(SchoolFactory()), "entry").status_code == 404


def test_sending_runs_a_fixed_number_of_queries(coordinator, school, django_assert_num_queries):
    participation = _participation(school, phone="+306900000999")
    # The student's account is made on the first sending; a second sending is the steady state.
    _send(coordinator, participation, "entry")
    # 1 the participation in scope; 2-3 savepoint, the participation locked; 4 entry answers
    # given?; 5 the questionnaire; 6-8 the student's account (locked, in a savepoint); 9-10 old
    # links cleared, the new link; 11 the cycle for the text; 12-16 the outbox (savepoint, known
    # keys, insert, due now, release); 17 sent once more; 18 read back; 19 release.
    with django_assert_num_queries(19):
        assert _send(coordinator, participation, "entry").status_code == 202


def test_the_message_log_never_shows_the_questionnaire_link(coordinator, school):
    participation = _participation(school, phone="+306900000444")
    _send(coordinator, participation, "entry")
    rows = api_as(coordinator).get("/api/v1/notifications/").json()["results"]
    assert [row["kind"] for row in rows] == ["questionnaire_entry"]
    assert "/signin/link/" not in rows[0]["body"]
