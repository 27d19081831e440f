"""A real browser on a phone-sized screen signs in as each role and lands on its home."""

import datetime as dt

import pytest
from django.core.management import call_command

from school.demo import PASSWORDS
from tests.browser import phone_page, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # The day the demo is seeded for, so its running cycles are running.
    pytest.mark.time_machine(dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)),
]


@pytest.fixture
def demo():
    call_command("seed_demo", "--today", "2026-11-22", verbosity=0)


@pytest.mark.parametrize(
    ("username", "home", "expect"),
    [
        ("coordinator", "/office/", "table.grid >> text=A1-2026-A"),
        ("teacher", "/teach/", "ul.lessons"),
        ("student", "/me/", "ul.lessons >> text=A2-2026"),
    ],
)
def test_each_role_signs_in_on_a_phone(live_server, demo, username, home, expect):
    with phone_page() as page:
        page.goto(live_server.url + "/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORDS[username])
        page.click("button[type=submit]")
        page.wait_for_url(f"**{home}")
        assert page.locator(expect).first.is_visible()
        # Nothing wider than the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, f"home-{username}")


def test_wrong_password_says_so(live_server, demo):
    with phone_page() as page:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "coordinator")
        page.fill("#id_password", "wrong")
        page.click("button[type=submit]")
        assert page.locator("[role=alert]").is_visible()
