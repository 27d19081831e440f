"""Pages framed by the school app and filled by the apps above (school/frames.py)."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from school.frames import OFFICE_DASHBOARD, STUDENT_PAGE, PageFrame, PagePart

DAY = dt.date(2026, 11, 23)


def test_parts_give_their_variables_in_their_order():
    frame: PageFrame[str] = PageFrame("test page")
    asked: list[str] = []

    def part(name: str, value: str):
        def context(request, subject, today):
            asked.append(name)
            return {name: f"{value} for {subject} on {today}"}

        return context

    frame.register(PagePart("second", 20, "b.html", part("second", "B")))
    frame.register(PagePart("first", 10, "a.html", part("first", "A")))

    assert [p.template for p in frame.parts()] == ["a.html", "b.html"]
    context = frame.context(RequestFactory().get("/"), "Maria", DAY)
    assert asked == ["first", "second"]
    assert context == {"first": "A for Maria on 2026-11-23", "second": "B for Maria on 2026-11-23"}


def test_a_part_may_not_give_a_variable_another_part_gave():
    frame: PageFrame[str] = PageFrame("test page")
    frame.register(PagePart("lessons", 10, "a.html", lambda r, s, t: {"lessons": []}))
    frame.register(PagePart("more lessons", 20, "b.html", lambda r, s, t: {"lessons": [1]}))
    with pytest.raises(ImproperlyConfigured, match="more lessons gives \\['lessons'\\]"):
        frame.context(RequestFactory().get("/"), "Maria", DAY)


def test_the_apps_fill_the_student_page_and_the_office_dashboard_in_page_order():
    assert [part.template for part in STUDENT_PAGE.parts()] == [
        "courses/parts/student_questionnaires.html",
        "courses/parts/student_lessons.html",
        "courses/parts/student_attendance.html",
        "courses/parts/student_certificates.html",
        "exams/parts/student_exams.html",
        "school/parts/student_calendar.html",
    ]
    assert [part.template for part in OFFICE_DASHBOARD.parts()] == [
        "exams/parts/office_headline.html",
        "courses/parts/office_cycles.html",
        "courses/parts/office_at_risk.html",
        "exams/parts/office_deadlines.html",
        "exams/parts/office_pass_rates.html",
        "courses/parts/office_funnel.html",
    ]
