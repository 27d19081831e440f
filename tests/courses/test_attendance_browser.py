"""A teacher takes attendance on a phone in a real browser, online and then offline."""

import datetime as dt

import pytest
from django.utils import timezone

from courses.models import Attendance
from tests.browser import assert_accessible, phone_page, screenshot
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
        # Three students are still unmarked: the page says so beside the Save button.
        status = page.locator(".save-bar #sync-status.pending")
        assert "Still to mark: 3." in status.inner_text()
        browser.close()
    assert marks_in_db(lesson, enrollments) == ["absent", "late", None, None, None]
    lesson.refresh_from_db()
    assert lesson.status == "scheduled"


@pytest.fixture
def twenty_students():
    school = SchoolFactory()
    teacher = TeacherFactory(school=school, user__username="eleni")
    cycle = CycleFactory(school=school, code="A1-TWENTY", capacity=20)
    cycle.teachers.add(teacher)
    enrollments = [
        EnrollmentFactory(
            cycle=cycle,
            student__first_name="Αμίνα",
            student__last_name=f"Χαντάντ{chr(0x3B1 + i)}",
            student__first_name_latin="Amina",
            student__last_name_latin=f"Haddad{chr(0x61 + i)}",
        )
        for i in range(20)
    ]
    today = timezone.localdate(timezone=school.zone)
    lesson = LessonFactory(
        cycle=cycle, date=today, starts_at=dt.time(0), ends_at=dt.time(1), hours=1
    )
    return lesson, enrollments


def test_twenty_students_everyone_present_undo_and_a_keyboard_never_hidden(
    live_server, twenty_students
):
    lesson, enrollments = twenty_students
    with phone_page() as page:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "eleni")
        page.fill("#id_password", "pass-word-123")
        page.click("button.primary")
        page.wait_for_url("**/teach/")
        page.goto(f"{live_server.url}/teach/lessons/{lesson.pk}/")
        assert_accessible(page, "roster")

        # Each student shows the name in Latin letters too, and each mark button's
        # accessible name says whose mark it is.
        first = rows(page).nth(0)
        assert "Amina Haddada" in first.inner_text()
        button = first.locator("button.cycle")
        assert (
            page.get_by_role("button", name="Αμίνα Χαντάντα Amina Haddada Tap to mark").count() == 1
        )
        assert button.get_attribute("aria-labelledby")

        # Two students marked first; "everyone present" fills in only the other eighteen.
        for _ in range(3):
            rows(page).nth(0).locator("button.cycle").click()  # absent
        rows(page).nth(1).locator("button.cycle").click()
        rows(page).nth(1).locator("button.cycle").click()  # late
        page.click("[data-everyone-present]")
        statuses = [
            rows(page).nth(i).locator("button.cycle").get_attribute("data-status")
            for i in range(20)
        ]
        assert statuses == ["absent", "late", *["present"] * 18]
        assert "18" in page.locator(".save-bar #sync-status").inner_text()

        # Undone, the eighteen are unmarked again; the two marks made by hand stay.
        page.click("[data-everyone-present]")
        statuses = [
            rows(page).nth(i).locator("button.cycle").get_attribute("data-status")
            for i in range(20)
        ]
        assert statuses == ["absent", "late", *[""] * 18]

        # Saved with eighteen unmarked: the answer shows beside the button, the lesson waits.
        page.click("button.primary")
        page.locator(".save-bar #sync-status", has_text="Still to mark: 18.").wait_for()
        assert marks_in_db(lesson, enrollments)[:3] == ["absent", "late", None]
        lesson.refresh_from_db()
        assert lesson.status == "scheduled"

        # The fast path: one tap for everyone present, one to save.
        page.click("[data-everyone-present]")
        page.click("button.primary")
        page.wait_for_selector(".save-bar #sync-status.saved")
        lesson.refresh_from_db()
        assert lesson.status == "held"
        assert marks_in_db(lesson, enrollments) == ["absent", "late", *["present"] * 18]

        # With a keyboard, every focused mark button stays above the sticky Save bar.
        page.locator("button.cycle").first.focus()
        hidden = []
        for number in range(20):
            if number:
                page.keyboard.press("Tab")
            box = page.evaluate(
                """() => {
                  const focused = document.activeElement.getBoundingClientRect();
                  const bar = document.querySelector('.save-bar').getBoundingClientRect();
                  return {bottom: focused.bottom, top: focused.top, bar: bar.top, id: document.activeElement.id};
                }"""
            )
            assert box["id"] == f"mark-{enrollments[number].pk}"
            if box["bottom"] > box["bar"] or box["top"] < 0:
                hidden.append(number)
        assert hidden == []
        screenshot(page, "attendance-twenty")
