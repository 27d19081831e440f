"""A student on a phone: signs in, reads the schedule in Arabic (right to left), switches to
Greek, and opens the calendar link. Screenshots go to test-artifacts/."""

import icalendar
import pytest
from django.core.management import call_command
from django.utils import timezone

from school.demo import PASSWORDS
from school.models import User
from tests.browser import PHONE, phone_page, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo():
    call_command("seed_demo", "--today", timezone.localdate().isoformat(), verbosity=0)


def test_student_reads_the_schedule_in_arabic_then_greek_and_opens_the_calendar(live_server, demo):
    # The demo student's language, kept on their profile, is Arabic.
    User.objects.filter(username="student").update(language="ar")
    with phone_page() as page:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "student")
        page.fill("#id_password", PASSWORDS["student"])
        page.click("button[type=submit]")
        page.wait_for_url("**/me/")

        assert page.get_attribute("html", "dir") == "rtl"
        assert page.get_attribute("html", "lang") == "ar"
        assert page.locator("#lessons-title").inner_text().strip() == "دروسي"
        lesson = page.locator("li.lesson").first
        assert lesson.is_visible()
        # Mirrored: the coloured edge of a lesson card is on the right in Arabic.
        edges = lesson.evaluate(
            "e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]"
        )
        assert edges == ["6px", "1px"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "student-schedule-ar")

        with page.expect_navigation():
            page.select_option("#language", "el")
        assert page.get_attribute("html", "dir") == "ltr"
        assert page.locator("#lessons-title").inner_text().strip() == "Τα μαθήματά μου"
        edges = page.locator("li.lesson").first.evaluate(
            "e => [getComputedStyle(e).borderLeftWidth, getComputedStyle(e).borderRightWidth]"
        )
        assert edges == ["6px", "1px"]
        screenshot(page, "student-schedule-el")
        assert User.objects.get(username="student").language == "el"

        page.click("#calendar button[type=submit]")
        page.wait_for_selector("#calendar-link")
        href = page.get_attribute("#calendar-link", "href")
        assert page.get_attribute("#calendar-subscribe", "href").startswith("webcal://")
        response = page.request.get(href)
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.body())
        events = calendar.walk("VEVENT")
        assert events
        assert all(str(event["UID"]).endswith("@school-office") for event in events)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "student-calendar-el")
