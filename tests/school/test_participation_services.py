"""Participations: entry answers frozen at entry, long-term unemployment worked out and
contradictions refused, audited corrections, exits with their own answers, the follow-up."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from courses import services as courses_services
from school.errors import ConflictError
from school.models import EntryAnswers, Exit, Participation
from school.services import participation as participations
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    StudentFactory,
    on_factory_day,
)

pytestmark = [pytest.mark.django_db, on_factory_day]
ENTRY = dt.date(2026, 10, 5)


def entered(student, operation, day=ENTRY):
    return participations.participation_entered(
        student=student, operation=operation, first_entry=day, last_entry=day
    )


@pytest.fixture
def operation(school):
    return participations.operation_for(school, ENTRY)


@pytest.mark.parametrize(
    ("born", "months", "status"),
    [
        (dt.date(2000, 1, 1), 7, "unemployed"),  # 26 at entry: more than 12 months needed
        (dt.date(2000, 1, 1), 12, "unemployed"),
        (dt.date(2000, 1, 1), 13, "long_term_unemployed"),
        (dt.date(2003, 1, 1), 6, "unemployed"),  # 23 at entry: more than 6 months needed
        (dt.date(2003, 1, 1), 7, "long_term_unemployed"),
    ],
)
def test_long_term_unemployment_is_worked_out_from_months_and_age_at_entry(
    school, operation, born, months, status
):
    participation = entered(StudentFactory(school=school, date_of_birth=born), operation)
    entry = participations.entry_answers_record(
        participation,
        {"labour_market_status": "unemployed", "unemployed_months": months},
        answered_on=ENTRY,
    )
    assert (entry.labour_market_status, entry.unemployed_months) == (status, months)


@pytest.mark.parametrize(
    "answers",
    [
        {"labour_market_status": "employed", "unemployed_months": 4},
        {"labour_market_status": "long_term_unemployed", "unemployed_months": 1},
        {"labour_market_status": "long_term_unemployed"},
        {"household_jobless": "maybe"},
    ],
)
def test_a_contradiction_is_refused_and_nothing_is_kept(school, operation, answers):
    participation = entered(StudentFactory(school=school), operation)
    with pytest.raises(ValidationError):
        participations.entry_answers_record(participation, answers, answered_on=ENTRY)
    assert not EntryAnswers.objects.filter(participation=participation).exists()


def test_a_later_change_of_the_student_never_touches_the_entry_answers(school, operation):
    student = StudentFactory(
        school=school, labour_market_status="", date_of_birth=dt.date(1990, 1, 1)
    )
    participation = entered(student, operation)
    participations.entry_answers_record(
        participation,
        {"labour_market_status": "unemployed", "unemployed_months": 3, "homeless": "declined"},
        answered_on=ENTRY,
    )
    student.labour_market_status = "employed"
    student.unemployed_months = None
    student.date_of_birth = dt.date(2005, 1, 1)
    student.save()
    entry = EntryAnswers.objects.get(participation=participation)
    assert (entry.labour_market_status, entry.unemployed_months) == ("unemployed", 3)
    assert entry.date_of_birth == dt.date(1990, 1, 1)
    assert (entry.homeless, entry.answered_on) == ("declined", ENTRY)


def test_answers_are_recorded_once_then_corrected_with_a_reason_in_the_history(
    school, operation, coordinator
):
    participation = entered(StudentFactory(school=school), operation)
    participations.entry_answers_record(
        participation, {"labour_market_status": "inactive"}, answered_on=ENTRY, source="paper"
    )
    with pytest.raises(ConflictError):
        participations.entry_answers_record(
            participation, {"labour_market_status": "employed"}, answered_on=ENTRY
        )
    with pytest.raises(ValidationError):
        participations.entry_answers_correct(
            participation, {"labour_market_status": "employed"}, reason=" ", by=coordinator
        )
    entry = participations.entry_answers_correct(
        participation,
        {"labour_market_status": "employed"},
        reason="Typed from the wrong paper form",
        by=coordinator,
    )
    assert entry.labour_market_status == "employed"
    last = entry.history.first()
    assert (last.history_change_reason, last.history_user) == (
        "Typed from the wrong paper form",
        coordinator,
    )


def test_future_dated_answers_are_refused(school, operation):
    participation = entered(StudentFactory(school=school), operation)
    exit_ = participations.exit_record(participation, date=dt.date(2026, 11, 2), reason="moved")
    with pytest.raises(ValidationError):
        participations.entry_answers_record(participation, {}, answered_on=dt.date(2026, 12, 1))
    with pytest.raises(ValidationError):
        participations.exit_answers_record(
            exit_, {"employed": True}, answered_on=dt.date(2026, 12, 1)
        )


@pytest.mark.parametrize(
    ("answered_on", "late"),
    [
        (dt.date(2026, 10, 20), True),  # before the exit
        (dt.date(2026, 10, 21), False),  # the exit day
        (dt.date(2026, 11, 18), False),  # day 28
        (dt.date(2026, 11, 19), True),  # day 29
    ],
)
def test_exit_answers_count_only_within_four_weeks_of_that_exit(
    school, operation, answered_on, late
):
    participation = entered(StudentFactory(school=school), operation)
    exit_ = participations.exit_record(participation, date=dt.date(2026, 10, 21), reason="withdrew")
    exit_ = participations.exit_answers_record(exit_, {"employed": True}, answered_on=answered_on)
    assert exit_.late is late
    assert Exit.objects.get(pk=exit_.pk).employed is True


def test_exit_answers_are_not_replaced(school, operation):
    participation = entered(StudentFactory(school=school), operation)
    exit_ = participations.exit_record(participation, date=dt.date(2026, 11, 2), reason="withdrew")
    participations.exit_answers_record(exit_, {"employed": True}, answered_on=dt.date(2026, 11, 9))
    with pytest.raises(ConflictError):
        participations.exit_answers_record(
            exit_, {"employed": False}, answered_on=dt.date(2026, 11, 10)
        )


def test_withdrawing_after_the_first_lesson_is_an_exit_and_a_re_entry_stays_one_participation(
    school, coordinator
):
    a1 = CycleFactory(school=school, code="A1", starts_on=dt.date(2026, 9, 7))
    a2 = CycleFactory(school=school, code="A2", starts_on=dt.date(2026, 11, 2))
    assert a1.operation == a2.operation
    enrollment = EnrollmentFactory(cycle=a1)
    lesson = LessonFactory(cycle=a1, date=dt.date(2026, 9, 7), status="held")
    courses_services.attendance_save(
        lesson=lesson, marks=[(enrollment.pk, "present")], by=coordinator
    )
    participation = Participation.objects.get(student=enrollment.student)
    assert participation.entry_date == dt.date(2026, 9, 7)
    courses_services.enrollment_withdraw(
        enrollment=enrollment, reason="Moved to Athens", today=dt.date(2026, 10, 1)
    )
    assert list(Exit.objects.values_list("date", "reason")) == [(dt.date(2026, 10, 1), "withdrew")]

    again = EnrollmentFactory(cycle=a2, student=enrollment.student)
    lesson2 = LessonFactory(cycle=a2, date=dt.date(2026, 11, 2), status="held")
    courses_services.attendance_save(lesson=lesson2, marks=[(again.pk, "present")], by=coordinator)
    participation.refresh_from_db()
    assert Participation.objects.filter(student=enrollment.student).count() == 1
    assert (participation.entry_date, participation.last_entry_date) == (
        dt.date(2026, 9, 7),
        dt.date(2026, 11, 2),
    )


def test_follow_up_counts_within_the_window_around_six_months(school, operation):
    participation = entered(StudentFactory(school=school), operation, dt.date(2026, 1, 5))
    exit_ = participations.exit_record(participation, date=dt.date(2026, 4, 30), reason="completed")
    assert participations.follow_up_counts(exit_, dt.date(2026, 10, 30))
    assert participations.follow_up_counts(exit_, dt.date(2026, 11, 27))
    assert not participations.follow_up_counts(exit_, dt.date(2026, 11, 28))
    follow_up = participations.follow_up_record(
        exit_, {"employed": True}, answered_on=dt.date(2026, 10, 28)
    )
    assert follow_up.exit == exit_
    with pytest.raises(ConflictError):
        participations.follow_up_record(
            exit_, {"employed": False}, answered_on=dt.date(2026, 11, 1)
        )
