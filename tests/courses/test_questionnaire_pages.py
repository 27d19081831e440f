"""The questionnaires' pages: the participant's (own only, closed after its last day, answers
checked), and the office's cycle page (send to the cycle, paper forms, a fixed number of
queries)."""

import datetime as dt

import pytest
from django.test import Client

from courses.services.questionnaires import questionnaire_send
from notifications.models import Notification
from school.models import EntryAnswers, Exit, Questionnaire
from school.questionnaires import CONSENT_VERSION
from school.services.participation import exit_record, participation_entered
from tests.factories import CycleFactory, EnrollmentFactory, StudentFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)),
]
ENTERED = dt.date(2026, 11, 2)
ENTRY = {
    "labour_market_status": "inactive_in_education",
    "isced_level": "6",
    "household_jobless": "no",
    "household_dependent_children": "no",
    "household_single_adult": "no",
    "foreign_background": "yes",
    "minority": "no",
    "disability": "declined",
    "other_disadvantage": "no",
    "homeless": "no",
    "rural_area": "yes",
    "consent_version": CONSENT_VERSION,
}


@pytest.fixture
def cycle(school):
    return CycleFactory(school=school, code="A1-PAGES", starts_on=ENTERED)


def _participant(school, cycle, **student):
    enrollment = EnrollmentFactory(
        cycle=cycle,
        student=StudentFactory(school=school, **{"phone": "+306900000555", **student}),
        entry_date=ENTERED,
    )
    participation = participation_entered(
        student=enrollment.student,
        operation=cycle.operation,
        first_entry=ENTERED,
        last_entry=ENTERED,
    )
    return enrollment, participation


def _account(enrollment):
    """The account the first sending made for the student."""
    enrollment.student.refresh_from_db()
    return enrollment.student.user


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_participant_answers_on_their_page_and_sees_it_on_me(school, cycle):
    enrollment, participation = _participant(school, cycle, language="el")
    questionnaire = questionnaire_send(participation=participation, kind="entry")
    client = _signed_in(_account(enrollment))
    me = client.get("/me/")
    assert f"/me/questionnaires/{questionnaire.pk}/" in me.content.decode()
    page = client.get(f"/me/questionnaires/{questionnaire.pk}/")
    assert page.status_code == 200
    assert page.content.decode().count("<fieldset") == 12
    # A missing answer: the page comes back with it marked, nothing is kept.
    missing = client.post(f"/me/questionnaires/{questionnaire.pk}/", {**ENTRY, "homeless": ""})
    assert missing.status_code == 400
    assert 'class="question invalid" id="q-homeless"' in missing.content.decode()
    assert not EntryAnswers.objects.filter(source="participant").exists()
    done = client.post(f"/me/questionnaires/{questionnaire.pk}/", ENTRY)
    assert done.status_code == 302
    entry = EntryAnswers.objects.get(participation=participation)
    assert (entry.labour_market_status, entry.rural_area, entry.isced_level) == (
        "inactive_in_education",
        True,
        6,
    )
    assert f"/me/questionnaires/{questionnaire.pk}/" not in client.get("/me/").content.decode()


def test_another_students_questionnaire_is_a_404(school, cycle):
    _enrollment, participation = _participant(school, cycle)
    questionnaire = questionnaire_send(participation=participation, kind="entry")
    other, _ = _participant(school, cycle)
    other.student.user = UserFactory(school=school, role="student")
    other.student.save()
    response = _signed_in(other.student.user).get(f"/me/questionnaires/{questionnaire.pk}/")
    assert response.status_code == 404


def test_a_closed_questionnaire_says_so_and_takes_no_answers(school, cycle, time_machine):
    enrollment, participation = _participant(school, cycle, language="en")
    exit_ = exit_record(participation, date=dt.date(2026, 11, 20), reason="withdrew")
    questionnaire = questionnaire_send(participation=participation, kind="exit")
    time_machine.move_to(dt.datetime(2026, 12, 20, 10, 0, tzinfo=dt.UTC))
    client = _signed_in(_account(enrollment))
    page = client.get(f"/me/questionnaires/{questionnaire.pk}/")
    assert "closed" in page.content.decode()
    client.post(
        f"/me/questionnaires/{questionnaire.pk}/",
        {
            "in_education": "no",
            "employed": "no",
            "job_searching": "yes",
            "consent_version": CONSENT_VERSION,
        },
    )
    assert Exit.objects.get(pk=exit_.pk).answered_on is None


def test_the_office_sends_the_entry_questionnaire_to_a_cycle(school, cycle, coordinator):
    for _ in range(3):
        _participant(school, cycle)
    client = _signed_in(coordinator)
    response = client.post(f"/office/cycles/{cycle.pk}/questionnaires/send/", {"kind": "entry"})
    assert response.status_code == 302
    assert Notification.objects.filter(kind="questionnaire_entry").count() == 3
    page = client.get(f"/office/cycles/{cycle.pk}/questionnaires/")
    assert page.content.decode().count("open until") == 3


def test_the_auditor_reads_the_page_and_sends_nothing(school, cycle, auditor):
    _participant(school, cycle)
    client = _signed_in(auditor)
    page = client.get(f"/office/cycles/{cycle.pk}/questionnaires/")
    assert page.status_code == 200
    assert "/questionnaires/send/" not in page.content.decode()
    assert (
        client.post(
            f"/office/cycles/{cycle.pk}/questionnaires/send/", {"kind": "entry"}
        ).status_code
        == 403
    )


def test_a_paper_form_is_kept_as_paper_with_who_typed_it(school, cycle, coordinator):
    enrollment, participation = _participant(school, cycle, phone="", email="")
    client = _signed_in(coordinator)
    path = f"/office/enrollments/{enrollment.pk}/questionnaires/entry/paper/"
    assert client.get(path).status_code == 200
    response = client.post(path, {**ENTRY, "answered_on": "2026-11-03"})
    assert response.status_code == 302
    entry = EntryAnswers.objects.get(participation=participation)
    assert (entry.source, entry.recorded_by, entry.answered_on) == (
        "paper",
        coordinator,
        dt.date(2026, 11, 3),
    )
    questionnaire = Questionnaire.objects.get(participation=participation)
    assert (questionnaire.source, questionnaire.recorded_by, questionnaire.late) == (
        "paper",
        coordinator,
        False,
    )
    # A date in the future is refused.
    assert client.post(path, {**ENTRY, "answered_on": "2026-12-30"}).status_code == 302


def test_the_cycle_page_runs_a_fixed_number_of_queries(
    school, cycle, coordinator, django_assert_num_queries
):
    client = _signed_in(coordinator)
    for count in (1, 4):
        while cycle.enrollments.count() < count:
            _enrollment, participation = _participant(school, cycle)
            questionnaire_send(participation=participation, kind="entry")
        # session, user; the cycle; its enrollments; their participations; their questionnaires
        with django_assert_num_queries(6):
            assert client.get(f"/office/cycles/{cycle.pk}/questionnaires/").status_code == 200


def test_a_coordinator_without_the_special_category_permission_types_in_the_rest(
    school, cycle, coordinator
):
    from django.contrib.auth.models import Group, Permission

    from school.models import EntrySpecialCategory

    Group.objects.get(name="coordinator").permissions.remove(
        Permission.objects.get(codename="view_specialcategorydata")
    )
    enrollment, participation = _participant(school, cycle)
    client = _signed_in(coordinator)
    path = f"/office/enrollments/{enrollment.pk}/questionnaires/entry/paper/"
    page = client.get(path).content.decode()
    assert page.count("<fieldset") == 10
    assert 'name="disability"' not in page
    answers = {k: v for k, v in ENTRY.items() if k not in ("disability", "minority")}
    assert client.post(path, {**answers, "answered_on": "2026-11-03"}).status_code == 302
    assert EntryAnswers.objects.get(participation=participation).source == "paper"
    assert not EntrySpecialCategory.objects.filter(participation=participation).exists()
