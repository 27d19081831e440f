"""A teacher takes attendance on a phone in a real browser, online and then offline."""

import datetime as dt

import pytest
from django.utils import timezone

from courses.models import Attendance
from tests.browser import phone_page, screenshot
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    SchoolFactory,
    TeacherFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def todays_lesson():
    school = SchoolFactory()
    teacher = TeacherFactory(school=school, user__username="eleni")
    cycle = CycleFactory(school=school, code="A1-TODAY")
    cycle.teachers.add(teacher)
    enrollments = [
        EnrollmentFactory(cycle=cycle, student__last_name=f"Student{i}") for i in range(5)
    ]
    today = timezone.localdate(timezone=school.zone)
    # Started at midnight, so attendance is open whatever the hour the test runs.
    lesson = LessonFactory(
        cycle=cycle, date=today, starts_at=dt.time(0), ends_at=dt.time(1), hours=1
    )
    return lesson, enrollments


def rows(page):
    return page.locator("li.mark")


def marks_in_db(lesson, enrollments):
    by_id = dict(Attendance.objects.filter(lesson=lesson).values_list("enrollment_id", "status"))
    return [by_id.get(e.pk) for e in enrollments]


def test_teacher_marks_saves_reloads_then_works_offline(live_server, todays_lesson):
    lesson, enrollments = todays_lesson
    with phone_page() as page:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "eleni")
        page.fill("#id_password", "pass-word-123")
        page.click("button.primary")
        page.wait_for_url("**/teach/")
        page.click("a.lesson-link >> text=A1-TODAY")
        page.wait_for_url(f"**/teach/lessons/{lesson.pk}/")

        # One tap cycles present -> late -> absent -> excused.
        page.click("[data-everyone-present]")
        rows(page).nth(1).locator("button.cycle").click()  # late
        for _ in range(2):
            rows(page).nth(2).locator("button.cycle").click()  # absent
        page.fill("#topic", "Greetings and introductions")
        page.click("button.primary")
        page.wait_for_selector("#sync-status.saved")
        assert marks_in_db(lesson, enrollments) == [
            "present",
            "late",
            "absent",
            "present",
            "present",
        ]

        page.reload()
        assert [rows(page).nth(i).locator("button.cycle").get_attribute("data-status") for i in range(5)] == [
            "present", "late", "absent", "present", "present",
        ]  # fmt: skip
        screenshot(page, "attendance-saved")

        # The network drops before saving: the marks wait on the phone, shown as pending.
        page.context.set_offline(True)
        for _ in range(3):
            rows(page).nth(3).locator(
                "button.cycle"
            ).click()  # present -> late -> absent -> excused
        page.click("button.primary")
        page.wait_for_selector("#sync-status.pending")
        assert page.evaluate(f"localStorage.getItem('attendance:{lesson.pk}')") is not None
        assert marks_in_db(lesson, enrollments)[3] == "present"
        screenshot(page, "attendance-pending")

        # The connection returns: the marks go out by themselves, once.
        page.context.set_offline(False)
        page.wait_for_selector("#sync-status.saved", timeout=20_000)
        assert marks_in_db(lesson, enrollments) == [
            "present",
            "late",
            "absent",
            "excused",
            "present",
        ]
        assert page.evaluate(f"localStorage.getItem('attendance:{lesson.pk}')") is None
        history = Attendance.history.filter(
            enrollment_id=enrollments[3].pk, lesson_id=lesson.pk
        ).count()
        assert history == 2  # created, then changed once: nothing was sent twice

        page.reload()
        assert rows(page).nth(3).locator("button.cycle").get_attribute("data-status") == "excused"


def test_the_page_works_without_javascript(live_server, todays_lesson):
    from playwright.sync_api import sync_playwright

    from tests.browser import FLAGS, PHONE, chromium_path

    lesson, enrollments = todays_lesson
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
        page.goto(live_server.url + "/")
        page.fill("#id_username", "eleni")
        page.fill("#id_password", "pass-word-123")
        page.click("button.primary")
        page.wait_for_url("**/teach/")
        page.goto(f"{live_server.url}/teach/lessons/{lesson.pk}/")
        page.check(f"input[name=mark-{enrollments[0].pk}][value=absent]")
        page.check(f"input[name=mark-{enrollments[1].pk}][value=late]")
        page.click("button.primary")
        page.wait_for_selector(".messages .success")
        browser.close()
    assert marks_in_db(lesson, enrollments)[:2] == ["absent", "late"]
