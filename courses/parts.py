"""What this app shows on the pages the school app frames: the student's lessons and
attendance, the dashboard's running cycles and students at risk, and the lessons in a
calendar feed. ``register()`` (from ``CoursesConfig.ready()``) hands them to the frames."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, cast

import icalendar
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import Cycle, Enrollment, Lesson
from courses.selectors import (
    at_risk_enrollments,
    enrollments_for_certificates,
    lessons_of_student,
    lessons_of_teacher,
    running_cycles,
    student_attendance,
)
from courses.selectors.intake import application_funnel, applications_per_month
from courses.selectors.questionnaires import open_questionnaires
from school.calendar_feed import UID_DOMAIN, CalendarOwner, CalendarPart, calendar_part_register
from school.frames import OFFICE_DASHBOARD, STUDENT_PAGE, PagePart
from school.models import School, Student
from school.permissions import sees_special_category
from school.questionnaires import FORMS

# The student's page shows the lessons of the coming four weeks.
LESSON_DAYS = 28


class _WithAttendanceStats(Protocol):
    """An enrollment as ``student_attendance`` gives it: annotated, with its missed days."""

    cycle: Cycle
    attendance_rate: Decimal | None
    missed_hours: Decimal
    absence_limit_hours: Decimal
    missed_dates: list[dt.date]


@dataclass(frozen=True)
class AttendanceStanding:
    """A student's attendance in one cycle, as their page tells it: how much of the absence
    limit is used, how many hours are left, and whether they are near or over it."""

    enrollment: Enrollment
    attendance_rate: Decimal | None
    missed_hours: Decimal
    absence_limit_hours: Decimal
    missed_dates: list[dt.date]
    hours_left: Decimal
    # Percent of the limit used, 0-100.
    limit_used: int
    over_limit: bool
    # Three quarters of the limit used.
    near_limit: bool

    @property
    def cycle(self) -> Cycle:
        return self.enrollment.cycle


def attendance_standings(*, student: Student, today: dt.date) -> list[AttendanceStanding]:
    """The student's cycles not yet over, with where they stand against the absence limit
    (their real limit: it is their own data): two queries."""
    standings = []
    for enrollment in student_attendance(student=student, today=today):
        stats = cast(_WithAttendanceStats, enrollment)
        limit, missed = stats.absence_limit_hours, stats.missed_hours
        standings.append(
            AttendanceStanding(
                enrollment=enrollment,
                attendance_rate=stats.attendance_rate,
                missed_hours=missed,
                absence_limit_hours=limit,
                missed_dates=stats.missed_dates,
                hours_left=max(limit - missed, Decimal(0)),
                limit_used=min(round(100 * missed / limit), 100) if limit else 0,
                over_limit=missed > limit,
                near_limit=bool(limit) and missed >= limit * 3 / 4,
            )
        )
    return standings


# -- the student's page -------------------------------------------------------------------------


def student_lessons(request: HttpRequest, student: Student, today: dt.date) -> dict[str, Any]:
    end = today + dt.timedelta(days=LESSON_DAYS)
    return {"lessons": list(lessons_of_student(student=student, start=today, end=end))}


def student_standings(request: HttpRequest, student: Student, today: dt.date) -> dict[str, Any]:
    return {"enrollments": attendance_standings(student=student, today=today)}


def student_questionnaires(
    request: HttpRequest, student: Student, today: dt.date
) -> dict[str, Any]:
    """The questionnaires waiting for the student's answers: one query."""
    waiting = list(open_questionnaires(student=student, today=today))
    for questionnaire in waiting:
        questionnaire.form_title = FORMS[questionnaire.kind].title  # type: ignore[attr-defined]
    return {"open_questionnaires": waiting}


def student_certificates(request: HttpRequest, student: Student, today: dt.date) -> dict[str, Any]:
    return {"certificate_enrollments": list(enrollments_for_certificates(student=student))}


# -- the office dashboard -----------------------------------------------------------------------


def office_cycles(request: HttpRequest, school: School, today: dt.date) -> dict[str, Any]:
    return {"cycles": running_cycles(school_id=school.pk, today=today)}


def office_at_risk(request: HttpRequest, school: School, today: dt.date) -> dict[str, Any]:
    return {
        "at_risk": at_risk_enrollments(
            school_id=school.pk, today=today, extended_limits=sees_special_category(request.user)
        )
    }


# The funnel's steps as the dashboard names them (``courses.selectors.intake.STEPS``).
FUNNEL_STEPS = {
    "applied": gettext_lazy("Applied"),
    "tested": gettext_lazy("Placement test"),
    "offered": gettext_lazy("Offered a seat"),
    "enrolled": gettext_lazy("Enrolled"),
    "attended": gettext_lazy("Attended a first lesson"),
}


def office_funnel(request: HttpRequest, school: School, today: dt.date) -> dict[str, Any]:
    """The way in per month of application, newest month first, and the applications per
    month and referrer: two queries. Counts only: no applicant is named."""
    months = []
    for month in reversed(application_funnel(school=school)):
        applied = month.counts.get("applied", 0)
        steps = [
            {
                "label": FUNNEL_STEPS[step],
                "count": count,
                "drop": drop,
                "median_days": median,
                "applied": applied,
                "percent": round(100 * count / applied) if applied else 0,
            }
            for step, count, drop, median in month.steps()
        ]
        months.append({"month": month.month, "steps": steps})
    return {
        "funnel_steps": list(FUNNEL_STEPS.values()),
        "funnel_months": months,
        # The month as a date: it is the school's month, whatever zone the page shows times in.
        "applications_by_referrer": [
            {**row, "month": row["month"].date()}
            for row in reversed(applications_per_month(school=school))
        ],
    }


# -- the calendar feed --------------------------------------------------------------------------


def _place(lesson: Lesson) -> str:
    venue = lesson.room.venue if lesson.room else lesson.cycle.venue
    parts = [venue.name if venue else "", lesson.room.name if lesson.room else ""]
    if venue and venue.address:
        parts.append(venue.address)
    return ", ".join(part for part in parts if part)


def _lesson_event(lesson: Lesson, school: School, stamp: dt.datetime) -> icalendar.Event:
    zone = school.zone
    event = icalendar.Event()
    event.add("uid", f"lesson-{lesson.pk}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", dt.datetime.combine(lesson.date, lesson.starts_at, tzinfo=zone))
    event.add("dtend", dt.datetime.combine(lesson.date, lesson.ends_at, tzinfo=zone))
    summary = _("Greek lesson %(cycle)s (%(level)s)") % {
        "cycle": lesson.cycle.code,
        "level": lesson.cycle.level.code,
    }
    notes = []
    if lesson.status == Lesson.Status.CANCELLED:
        event.add("status", "CANCELLED")
        summary = _("Cancelled: %(lesson)s") % {"lesson": summary}
    else:
        event.add("status", "CONFIRMED")
    if lesson.moved_from_date:
        notes.append(_("Moved from %(day)s.") % {"day": lesson.moved_from_date.isoformat()})
    if lesson.teacher:
        notes.append(_("Teacher: %(name)s") % {"name": lesson.teacher})
    # Each change a subscriber must notice raises the sequence.
    event.add(
        "sequence",
        int(lesson.status == Lesson.Status.CANCELLED) + int(lesson.moved_from_date is not None),
    )
    event.add("summary", summary)
    place = _place(lesson)
    if place:
        event.add("location", place)
    if notes:
        event.add("description", "\n".join(notes))
    return event


def lesson_events(owner: CalendarOwner) -> Iterable[icalendar.Event]:
    """A student's lessons, or a teacher's."""
    lessons: list[Lesson] = []
    if owner.student is not None:
        lessons = list(lessons_of_student(student=owner.student, start=owner.start, end=owner.end))
    elif owner.teacher is not None:
        lessons = list(
            lessons_of_teacher(
                teacher=owner.teacher, start=owner.start, end=owner.end
            ).select_related("teacher__user")
        )
    return [_lesson_event(lesson, owner.school, owner.stamp) for lesson in lessons]


def register() -> None:
    STUDENT_PAGE.register(
        PagePart(
            "questionnaires", 5, "courses/parts/student_questionnaires.html", student_questionnaires
        )
    )
    STUDENT_PAGE.register(
        PagePart("lessons", 10, "courses/parts/student_lessons.html", student_lessons)
    )
    STUDENT_PAGE.register(
        PagePart("attendance", 20, "courses/parts/student_attendance.html", student_standings)
    )
    STUDENT_PAGE.register(
        PagePart(
            "certificates", 25, "courses/parts/student_certificates.html", student_certificates
        )
    )
    OFFICE_DASHBOARD.register(
        PagePart("running cycles", 20, "courses/parts/office_cycles.html", office_cycles)
    )
    OFFICE_DASHBOARD.register(
        PagePart("at risk", 30, "courses/parts/office_at_risk.html", office_at_risk)
    )
    OFFICE_DASHBOARD.register(
        PagePart("intake funnel", 60, "courses/parts/office_funnel.html", office_funnel)
    )
    calendar_part_register(CalendarPart("lessons", 10, lesson_events))
