"""An applicant on a phone (390x844): applies in Persian (right to left), gets the SMS, and
later accepts the seat offered from the link in the next SMS, landing on the cycle's roster.
Each page is checked with axe-core and for sideways scrolling; screenshots go to
test-artifacts/."""

import datetime as dt
import re
import uuid

import pytest
from django.test import Client

from courses.models import Applicant, Enrollment
from courses.services import intake
from notifications.models import Notification
from school.models import PartnerOrganisation
from tests.browser import assert_accessible, assert_fits_the_phone, phone_page, screenshot
from tests.factories import (
    FACTORY_DAY,
    CycleFactory,
    TimetableSlotFactory,
    UserFactory,
    level,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.time_machine(FACTORY_DAY),
]


@pytest.fixture
def own_limits(settings):
    # The rate limits count in a cache of this test's own: other tests (the schema fuzzing)
    # may have used up the shared one's allowance for 127.0.0.1.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"apply-browser-{uuid.uuid4()}",
        }
    }


def _check(page, where: str) -> None:
    assert page.get_attribute("html", "lang") == "fa", where
    assert page.get_attribute("html", "dir") == "rtl", where
    assert_fits_the_phone(page, where)
    assert_accessible(page, where)


def _sms_link(applicant: Applicant, kind: str) -> str:
    message = Notification.objects.get(kind=kind, person=f"applicant:{applicant.pk}")
    assert message.channel == "sms" and message.language == "fa"
    return re.search(r"https?://\S+", message.body).group(0)


def test_an_applicant_applies_in_persian_and_accepts_a_seat_from_the_sms(
    live_server, settings, school, own_limits
):
    settings.SITE_URL = live_server.url
    PartnerOrganisation.objects.create(school=school, name="Social services of Kypseli")
    cycle = CycleFactory(school=school, code="A1-EVENING", level=level("A1"))
    TimetableSlotFactory(cycle=cycle, weekday=0, starts_at=dt.time(17), ends_at=dt.time(20))
    TimetableSlotFactory(cycle=cycle, weekday=2, starts_at=dt.time(17), ends_at=dt.time(20))
    coordinator = UserFactory(school=school, role="coordinator")

    with phone_page() as page:
        page.goto(f"{live_server.url}/apply/{school.slug}/")
        # The applicant picks their language on the page itself.
        page.click("form.languages button[value=fa]")
        page.wait_for_selector("html[lang=fa]")
        _check(page, "apply fa")
        screenshot(page, "apply-fa")

        # Sending nothing names every missing answer, in Persian, and stays accessible.
        page.click("form.application button.primary")
        page.wait_for_selector("#errors")
        assert "لطفاً پاسخ‌هایی را که در پایین مشخص شده‌اند بررسی کنید." in page.inner_text("#errors")
        assert page.locator("p.error").count() >= 10
        _check(page, "apply fa with errors")
        screenshot(page, "apply-fa-errors")

        page.fill("#id_first_name", "لیلا")
        page.fill("#id_last_name", "کریمی")
        page.fill("#id_first_name_latin", "Leila")
        page.fill("#id_last_name_latin", "Karimi")
        page.fill("#id_phone", "690 000 0501")  # a Greek mobile, typed without +30
        assert page.input_value("#id_language") == "fa"
        page.select_option("#id_nationality", "AF")
        page.fill("#id_date_of_birth", "1994-03-02")
        page.check("input[name=gender][value=female]")
        page.check("input[name=greek_level][value=words]")
        for time in ("evening", "mon", "wed"):
            page.check(f"input[name=availability][value={time}]")
        page.check("input[name=referrer][value=myself]")
        page.check("#id_consent")
        screenshot(page, "apply-fa-filled")
        page.click("form.application button.primary")
        page.wait_for_url("**/thanks/**")
        _check(page, "apply fa thanks")
        reference = page.inner_text(".reference")
        screenshot(page, "apply-fa-thanks")

        applicant = Applicant.objects.get(reference=reference)
        assert str(applicant.phone) == "+306900000501"
        assert (applicant.language, applicant.referrer) == ("fa", None)
        # The confirmation went out by SMS, in Persian, with the reference.
        confirmation = Notification.objects.get(
            kind="application_received", person=f"applicant:{applicant.pk}"
        )
        assert confirmation.language == "fa" and reference in confirmation.body

        # The office invites, places and offers a seat (their pages are tested on their own).
        session = intake.placement_session_create(
            school=school, starts_at=FACTORY_DAY + dt.timedelta(days=2), capacity=10
        )
        intake.applicant_invite(applicant=applicant, session=session, by=coordinator)
        intake.applicant_place(applicant=applicant, level=level("A1"), by=coordinator)
        intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator)

        page.goto(_sms_link(applicant, "seat_offer"))
        _check(page, "seat offer fa")
        assert "A1-EVENING" in page.inner_text(".facts-list")
        assert page.locator(".slots li").count() == 2
        screenshot(page, "seat-offer-fa")
        page.click("button[value=accept]")
        page.wait_for_selector("[data-answer=accepted]")
        _check(page, "seat offer fa accepted")
        screenshot(page, "seat-offer-fa-accepted")

    enrollment = Enrollment.objects.get(cycle=cycle, status="enrolled")
    applicant.refresh_from_db()
    assert applicant.status == "enrolled" and applicant.enrollment == enrollment
    assert enrollment.student.first_name_latin == "Leila"
    # On the cycle's roster in the office.
    office = Client()
    office.force_login(coordinator)
    roster = office.get(f"/office/cycles/{cycle.pk}/").content.decode()
    assert "کریمی" in roster or "Karimi" in roster
