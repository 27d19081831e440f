"""A user's lessons and exams as iCalendar (RFC 5545), for phones that subscribe to it."""

import datetime as dt

import icalendar
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import Lesson
from courses.selectors import lessons_of_student, lessons_of_teacher
from courses.services import school_today
from exams.selectors import exam_registrations_of_student
from school.choices import Role
from school.models import School, User

PAST_DAYS = 60
FUTURE_DAYS = 366
# UIDs stay the same for the life of a lesson or registration, so a calendar app updates the
# event in place when a lesson moves or is cancelled instead of adding a second one.
UID_DOMAIN = "school-office"


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


def calendar_for(*, user: User) -> bytes:
    """The user's calendar: a student's lessons and exams, a teacher's lessons, in the school's
    time zone (with its VTIMEZONE) and in the user's language. Nothing for other roles."""
    school = user.school
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//School office//Lessons and exams//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    with translation.override(user.language):
        calendar.add("x-wr-calname", _("My Greek lessons"))
        if school is None:
            return calendar.to_ical()
        calendar.add("x-wr-timezone", school.time_zone)
        calendar.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
        stamp = timezone.now().replace(microsecond=0)
        today = school_today(school)
        start, end = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)
        student = getattr(user, "student", None) if user.role == Role.STUDENT else None
        teacher = getattr(user, "teacher", None) if user.role == Role.TEACHER else None
        lessons: list[Lesson] = []
        if student is not None:
            lessons = list(lessons_of_student(student=student, start=start, end=end))
        elif teacher is not None:
            lessons = list(
                lessons_of_teacher(teacher=teacher, start=start, end=end).select_related(
                    "teacher__user"
                )
            )
        for lesson in lessons:
            calendar.add_component(_lesson_event(lesson, school, stamp))
        if student is not None:
            for registration in exam_registrations_of_student(student=student):
                exam_round = registration.exam_round
                event = icalendar.Event()
                event.add("uid", f"exam-{registration.pk}@{UID_DOMAIN}")
                event.add("dtstamp", stamp)
                # The centre sets the hour; the day is what the school knows.
                event.add("dtstart", exam_round.exam_date)
                event.add("dtend", exam_round.exam_date + dt.timedelta(days=1))
                event.add("summary", _("Exam: %(round)s") % {"round": exam_round.name})
                event.add("location", exam_round.centre)
                event.add("status", "CONFIRMED")
                event.add("transp", "TRANSPARENT")
                calendar.add_component(event)
        calendar.add_missing_timezones()
    return calendar.to_ical()
