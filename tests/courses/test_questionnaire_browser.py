"""Participants answer their questionnaires on a phone (390x844), from the link in their
message: the entry questionnaire in Arabic (right to left) and in Ukrainian, and the exit one.
Each page is checked with axe-core; screenshots go to test-artifacts/."""

import datetime as dt
import re

import pytest

from courses.services.questionnaires import questionnaire_send
from notifications.models import Notification
from school.models import EntryAnswers, EntrySpecialCategory, Exit, Questionnaire
from school.services.participation import exit_record, participation_entered
from tests.browser import assert_accessible, assert_fits_the_phone, phone_page, screenshot
from tests.factories import FACTORY_DAY, CycleFactory, EnrollmentFactory, StudentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.time_machine(FACTORY_DAY),
]
ENTERED = dt.date(2026, 11, 16)


def _participant(school, cycle, language, phone):
    student = StudentFactory(
        school=school, language=language, phone=phone, date_of_birth=dt.date(1995, 3, 1)
    )
    EnrollmentFactory(cycle=cycle, student=student, entry_date=ENTERED)
    return participation_entered(
        student=student, operation=cycle.operation, first_entry=ENTERED, last_entry=ENTERED
    )


def _link(kind, participation):
    message = Notification.objects.get(kind=f"questionnaire_{kind}", student=participation.student)
    return re.search(r"https?://\S+", message.body).group(0)


def _open(page, link, where):
    page.goto(link)
    page.click("button[type=submit]")  # the sign-in link's "Sign in now"
    page.wait_for_url("**/me/questionnaires/*/")
    assert_fits_the_phone(page, where)
    assert_accessible(page, where)


def _choose(page, answers):
    for name, value in answers.items():
        if name == "unemployed_months":
            page.fill(f"input[name={name}]", value)
        else:
            page.check(f"input[name={name}][value='{value}']")


ENTRY = {
    "labour_market_status": "unemployed",
    "unemployed_months": "8",
    "isced_level": "2",
    "household_jobless": "yes",
    "household_dependent_children": "yes",
    "household_single_adult": "no",
    "foreign_background": "yes",
    "minority": "declined",
    "disability": "no",
    "other_disadvantage": "no",
    "homeless": "declined",
    "rural_area": "no",
}


@pytest.fixture
def cycle(school, settings, live_server):
    settings.SITE_URL = live_server.url
    return CycleFactory(school=school, code="A1-PHONE", starts_on=ENTERED)


@pytest.mark.parametrize(
    ("language", "direction", "thanks"),
    [("ar", "rtl", "شكراً"), ("uk", "ltr", "Дякуємо")],
)
def test_a_participant_answers_the_entry_questionnaire_on_a_phone(
    school, cycle, language, direction, thanks
):
    participation = _participant(school, cycle, language, "+306900000101")
    questionnaire_send(participation=participation, kind="entry")
    with phone_page() as page:
        where = f"entry {language}"
        _open(page, _link("entry", participation), where)
        assert page.get_attribute("html", "lang") == language
        assert page.get_attribute("html", "dir") == direction
        # Sending with nothing chosen names what is missing, and keeps the page accessible.
        page.click("form button.primary")
        assert page.locator(".question.invalid").count() == 11
        assert_accessible(page, where + " with errors")
        _choose(page, ENTRY)
        screenshot(page, f"questionnaire-entry-{language}")
        page.click("form button.primary")
        page.wait_for_selector(".alert")
        assert thanks in page.inner_text(".alert")
        screenshot(page, f"questionnaire-entry-{language}-thanks")
    entry = EntryAnswers.objects.get(participation=participation)
    # 8 months at 31: not long-term (more than 12 months from 25 on).
    assert (entry.labour_market_status, entry.unemployed_months) == ("unemployed", 8)
    assert (entry.homeless, entry.source) == ("declined", "participant")
    assert EntrySpecialCategory.objects.get(participation=participation).minority == "declined"
    assert Questionnaire.objects.get(participation=participation).answered


def test_a_leaver_answers_the_exit_questionnaire_on_a_phone(school, cycle):
    participation = _participant(school, cycle, "fa", "+306900000102")
    exit_ = exit_record(participation, date=dt.date(2026, 11, 20), reason="found_work")
    questionnaire_send(participation=participation, kind="exit")
    with phone_page() as page:
        _open(page, _link("exit", participation), "exit fa")
        assert page.get_attribute("html", "dir") == "rtl"
        _choose(page, {"in_education": "no", "employed": "yes", "job_searching": "no"})
        screenshot(page, "questionnaire-exit-fa")
        page.click("form button.primary")
        page.wait_for_selector(".alert")
    exit_.refresh_from_db()
    assert (exit_.in_education, exit_.employed, exit_.job_searching) == (False, True, False)
    assert not Exit.objects.get(pk=exit_.pk).late
