"""What this app shows on the pages the school app frames: the student's exams, the
dashboard's headline pass rate, open registrations and pass-rate charts, and exam days in a
calendar feed. ``register()`` (from ``ExamsConfig.ready()``) hands them to the frames."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

import icalendar
from django.http import HttpRequest
from django.utils.translation import gettext as _

from exams.selectors import (
    exam_registrations_of_student,
    headline_pass_rate,
    pass_rates,
    upcoming_deadlines,
)
from school.calendar_feed import UID_DOMAIN, CalendarOwner, CalendarPart, calendar_part_register
from school.frames import OFFICE_DASHBOARD, STUDENT_PAGE, PagePart
from school.models import School, Student

# -- the student's page -------------------------------------------------------------------------


def student_exams(request: HttpRequest, student: Student, today: dt.date) -> dict[str, Any]:
    return {"registrations": exam_registrations_of_student(student=student)}


# -- the office dashboard -----------------------------------------------------------------------


def office_headline(request: HttpRequest, school: School, today: dt.date) -> dict[str, Any]:
    passed, sat, rounds = headline_pass_rate(school_id=school.pk)
    return {
        "headline": {
            "passed": passed,
            "sat": sat,
            "rounds": rounds,
            "percent": round(100 * passed / sat) if sat else None,
        }
    }


def office_deadlines(request: HttpRequest, school: School, today: dt.date) -> dict[str, Any]:
    return {"deadlines": upcoming_deadlines(school_id=school.pk, today=today)}


def _bars(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A bar chart in HTML: each row's pass rate as a <meter> under its label."""
    bars = [
        {**row, "percent": round(row["pass_rate"] * 100) if row["pass_rate"] is not None else 0}
        for row in rows
    ]
    return {"name": name, "rows": bars}


def office_pass_rates(request: HttpRequest, school: School, today: dt.date) -> dict[str, Any]:
    return {
        "by_round": _bars("round", pass_rates(school_id=school.pk, by="exam_round")),
        "by_level": _bars("level", pass_rates(school_id=school.pk, by="level")),
    }


# -- the calendar feed --------------------------------------------------------------------------


def exam_events(owner: CalendarOwner) -> Iterable[icalendar.Event]:
    """A student's exam days, whenever they are."""
    if owner.student is None:
        return []
    events = []
    for registration in exam_registrations_of_student(student=owner.student):
        exam_round = registration.exam_round
        event = icalendar.Event()
        event.add("uid", f"exam-{registration.pk}@{UID_DOMAIN}")
        event.add("dtstamp", owner.stamp)
        # The centre sets the hour; the day is what the school knows.
        event.add("dtstart", exam_round.exam_date)
        event.add("dtend", exam_round.exam_date + dt.timedelta(days=1))
        event.add("summary", _("Exam: %(round)s") % {"round": exam_round.name})
        event.add("location", exam_round.centre)
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        events.append(event)
    return events


def register() -> None:
    STUDENT_PAGE.register(PagePart("exams", 30, "exams/parts/student_exams.html", student_exams))
    OFFICE_DASHBOARD.register(
        PagePart("headline", 10, "exams/parts/office_headline.html", office_headline)
    )
    OFFICE_DASHBOARD.register(
        PagePart("deadlines", 40, "exams/parts/office_deadlines.html", office_deadlines)
    )
    OFFICE_DASHBOARD.register(
        PagePart("pass rates", 50, "exams/parts/office_pass_rates.html", office_pass_rates)
    )
    calendar_part_register(CalendarPart("exams", 20, exam_events))
