"""Sending and answering questionnaires: the link in the student's language, the consent
version kept, declined answers with when they were asked, closing 4 weeks after the exit,
reminders on day 7 and day 21 once each, and none once answered."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError

from courses.services.questionnaires import (
    follow_ups_send,
    questionnaire_reminders_send,
    questionnaire_send,
    questionnaires_send_to_cycle,
)
from notifications.models import Notification
from school.errors import ConflictError
from school.models import EntryAnswers, EntrySpecialCategory, Exit, FollowUp, Questionnaire
from school.questionnaires import CONSENT_VERSION
from school.services.participation import exit_record, participation_entered, participation_for
from school.services.questionnaires import questionnaire_answer
from tests.factories import CycleFactory, EnrollmentFactory, StudentFactory

pytestmark = pytest.mark.django_db

ENTERED = dt.date(2026, 10, 5)
LEFT = dt.date(2026, 11, 2)
ENTRY = {
    "labour_market_status": "unemployed",
    "unemployed_months": "14",
    "isced_level": "3",
    "household_jobless": "no",
    "household_dependent_children": "yes",
    "household_single_adult": "no",
    "foreign_background": "yes",
    "minority": "declined",
    "disability": "no",
    "other_disadvantage": "declined",
    "homeless": "no",
    "rural_area": "no",
}
EXIT = {"in_education": "yes", "employed": "no", "job_searching": "yes"}


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC), tick=False)


@pytest.fixture
def enrollment(school):
    cycle = CycleFactory(school=school, code="A1-Q", starts_on=dt.date(2026, 10, 5))
    student = StudentFactory(
        school=school, phone="+306900000777", language="ar", date_of_birth=dt.date(1990, 1, 1)
    )
    return EnrollmentFactory(cycle=cycle, student=student, entry_date=ENTERED)


@pytest.fixture
def participation(enrollment):
    return participation_entered(
        student=enrollment.student,
        operation=enrollment.cycle.operation,
        first_entry=ENTERED,
        last_entry=ENTERED,
    )


@pytest.fixture
def left(participation):
    with at(LEFT):
        return exit_record(participation, date=LEFT, reason="withdrew")


def test_the_entry_link_goes_by_sms_in_the_students_language_and_signs_them_in(
    client, participation
):
    with at(ENTERED):
        questionnaire = questionnaire_send(participation=participation, kind="entry")
    message = Notification.objects.get(kind="questionnaire_entry")
    assert (message.channel, message.language) == ("sms", "ar")
    assert "A1-Q" in message.body
    assert questionnaire.closes_on == ENTERED + dt.timedelta(days=28)
    # The student had no account: they have one now, and the link signs them in to the page.
    link = re.search(r"https?://\S+", message.body).group(0).split("://", 1)[1].split("/", 1)[1]
    with at(ENTERED):
        response = client.post("/" + link)
        assert response["Location"] == f"/me/questionnaires/{questionnaire.pk}/"
        assert client.get(response["Location"]).status_code == 200


def test_entry_answers_keep_the_consent_version_and_declined_answers_with_when_asked(
    participation,
):
    with at(ENTERED + dt.timedelta(days=2)):
        questionnaire = questionnaire_send(participation=participation, kind="entry")
        questionnaire_answer(
            questionnaire=questionnaire, data=ENTRY, consent_version=CONSENT_VERSION
        )
    entry = EntryAnswers.objects.get(participation=participation)
    assert (entry.consent_version, entry.source) == (CONSENT_VERSION, "participant")
    assert entry.answered_on == ENTERED + dt.timedelta(days=2)
    # 14 months unemployed at 36: long-term, worked out rather than asked.
    assert entry.labour_market_status == "long_term_unemployed"
    assert entry.other_disadvantage == "declined"
    special = EntrySpecialCategory.objects.get(participation=participation)
    assert (special.minority, special.minority_asked_on) == ("declined", entry.answered_on)
    questionnaire.refresh_from_db()
    assert questionnaire.answered and not questionnaire.late
    assert questionnaire.consent_version == CONSENT_VERSION


def test_an_unknown_consent_version_is_refused(participation):
    with at(ENTERED):
        questionnaire = questionnaire_send(participation=participation, kind="entry")
        with pytest.raises(ValidationError):
            questionnaire_answer(questionnaire=questionnaire, data=ENTRY, consent_version="1999")
    assert not EntryAnswers.objects.filter(participation=participation, source="participant")


def test_a_questionnaire_is_answered_once_and_then_not_sent_again(participation):
    with at(ENTERED):
        questionnaire = questionnaire_send(participation=participation, kind="entry")
        questionnaire_answer(
            questionnaire=questionnaire, data=ENTRY, consent_version=CONSENT_VERSION
        )
        with pytest.raises(ConflictError):
            questionnaire_answer(
                questionnaire=questionnaire, data=ENTRY, consent_version=CONSENT_VERSION
            )
        with pytest.raises(ConflictError):
            questionnaire_send(participation=participation, kind="entry")


def test_no_exit_questionnaire_before_an_exit(participation):
    with at(ENTERED), pytest.raises(ConflictError):
        questionnaire_send(participation=participation, kind="exit")


def test_the_exit_questionnaire_closes_four_weeks_after_the_exit(participation, left):
    with at(LEFT):
        questionnaire = questionnaire_send(participation=participation, kind="exit")
    assert questionnaire.closes_on == LEFT + dt.timedelta(days=28)
    with at(LEFT + dt.timedelta(days=29)):
        with pytest.raises(ConflictError):
            questionnaire_answer(
                questionnaire=questionnaire, data=EXIT, consent_version=CONSENT_VERSION
            )
        with pytest.raises(ConflictError):
            questionnaire_send(participation=participation, kind="exit")
        # A paper form typed in later is kept, marked late, and not counted upon leaving.
        questionnaire_answer(
            questionnaire=questionnaire,
            data=EXIT,
            consent_version=CONSENT_VERSION,
            source="paper",
        )
    questionnaire.refresh_from_db()
    assert (questionnaire.source, questionnaire.late) == ("paper", True)
    exit_ = Exit.objects.get(pk=left.pk)
    assert (exit_.in_education, exit_.employed, exit_.source, exit_.late) == (
        True,
        False,
        "paper",
        True,
    )


def test_reminders_go_on_day_7_and_day_21_once_each(participation, left):
    with at(LEFT):
        questionnaire = questionnaire_send(participation=participation, kind="exit")
    sent = []
    for day in range(0, 29):
        with at(LEFT + dt.timedelta(days=day)):
            sent.append(questionnaire_reminders_send())
            sent[-1] += questionnaire_reminders_send()  # a second run the same day sends nothing
    assert [day for day, count in enumerate(sent) if count] == [7, 21]
    assert Notification.objects.filter(kind="questionnaire_reminder").count() == 2
    questionnaire.refresh_from_db()
    assert questionnaire.reminders_sent == 2


def test_no_reminder_once_answered(participation, left):
    with at(LEFT):
        questionnaire = questionnaire_send(participation=participation, kind="exit")
    with at(LEFT + dt.timedelta(days=3)):
        questionnaire_answer(
            questionnaire=questionnaire, data=EXIT, consent_version=CONSENT_VERSION
        )
    for day in (7, 21):
        with at(LEFT + dt.timedelta(days=day)):
            assert questionnaire_reminders_send() == 0
    assert not Notification.objects.filter(kind="questionnaire_reminder").exists()


def test_a_missed_day_is_made_up_with_one_reminder(participation, left):
    with at(LEFT):
        questionnaire_send(participation=participation, kind="exit")
    with at(LEFT + dt.timedelta(days=22)):
        assert questionnaire_reminders_send() == 1
        assert questionnaire_reminders_send() == 0


def test_the_follow_up_goes_six_months_after_the_exit(participation, left):
    with at(LEFT + dt.timedelta(days=60)), pytest.raises(ConflictError):
        questionnaire_send(participation=participation, kind="follow-up")
    with at(LEFT + dt.timedelta(days=100)):
        assert follow_ups_send() == 0
    due = dt.date(2027, 5, 2)
    with at(due):
        assert follow_ups_send() == 1
        assert follow_ups_send() == 0
        questionnaire = Questionnaire.objects.get(kind="follow-up")
        assert questionnaire.exit_id == left.pk
        questionnaire_answer(
            questionnaire=questionnaire,
            data={"employed": "yes", "improved_situation": "yes"},
            consent_version=CONSENT_VERSION,
        )
    follow_up = FollowUp.objects.get(exit=left)
    assert (follow_up.employed, follow_up.improved_situation) == (True, True)


def test_a_cycle_is_sent_the_entry_questionnaire_and_told_who_was_left_out(school, enrollment):
    unreachable = EnrollmentFactory(
        cycle=enrollment.cycle, student=StudentFactory(school=school, phone="", email="")
    )
    participation_for(unreachable.student, enrollment.cycle.operation)
    with at(ENTERED):
        result = questionnaires_send_to_cycle(cycle=enrollment.cycle, kind="entry")
    assert result.sent == 1
    assert [name for name, _why in result.skipped] == [unreachable.student.full_name]
    assert Notification.objects.filter(kind="questionnaire_entry").count() == 1


def test_enrolling_sends_the_entry_questionnaire_and_leaving_the_exit_one(school):
    from courses import services

    cycle = CycleFactory(school=school, code="A1-AUTO", starts_on=ENTERED)
    student = StudentFactory(school=school, phone="+306900000888", language="uk")
    with at(ENTERED - dt.timedelta(days=7)):
        enrollment = services.enrollment_create(student=student, cycle=cycle)
    entry = Questionnaire.objects.get(participation__student=student)
    assert (entry.kind, entry.times_sent) == ("entry", 1)
    assert Notification.objects.get(kind="questionnaire_entry").language == "uk"
    enrollment.entry_date = ENTERED
    enrollment.save()
    participation_entered(
        student=student, operation=cycle.operation, first_entry=ENTERED, last_entry=ENTERED
    )
    with at(LEFT):
        services.enrollment_withdraw(enrollment=enrollment, reason="Moved to Patras")
    exit_questionnaire = Questionnaire.objects.get(kind="exit")
    assert exit_questionnaire.exit.date == LEFT
    assert exit_questionnaire.closes_on == LEFT + dt.timedelta(days=28)
    assert Notification.objects.filter(kind="questionnaire_exit").count() == 1


def test_a_student_who_cannot_be_reached_is_still_enrolled(school):
    from courses import services

    cycle = CycleFactory(school=school, starts_on=ENTERED)
    student = StudentFactory(school=school, phone="", email="")
    with at(ENTERED):
        enrollment = services.enrollment_create(student=student, cycle=cycle)
    assert enrollment.status == "enrolled"
    assert not Notification.objects.exists()
