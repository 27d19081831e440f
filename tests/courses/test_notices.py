"""The courses' scheduled notices (courses.notices) queue each message once, to the right
people: tomorrow's lessons, absence alerts, the coordinators' at-risk digest."""

import datetime as dt

import pytest

from courses.models import Attendance
from courses.notices import absence_alerts, at_risk_digest, lessons_tomorrow
from notifications.models import Notification
from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)  # 10:00 in Athens


def test_lesson_tomorrow_is_due_at_four_the_day_before_and_queued_once(school):
    cycle = CycleFactory(school=school)
    EnrollmentFactory.create_batch(2, cycle=cycle)
    EnrollmentFactory(cycle=cycle, status="waitlisted", waitlist_position=1)
    LessonFactory(cycle=cycle, date=dt.date(2026, 11, 23))
    LessonFactory(cycle=cycle, date=dt.date(2026, 11, 24))
    assert lessons_tomorrow(now=NOW) == 2
    assert lessons_tomorrow(now=NOW) == 0
    due = set(Notification.objects.values_list("due_at", flat=True))
    assert due == {dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.UTC)}  # 16:00 in Athens


def test_absence_alert_after_n_absences_with_the_dates(school):
    cycle = CycleFactory(school=school)
    enrollment = EnrollmentFactory(cycle=cycle)
    for day in (2, 9, 16):
        lesson = LessonFactory(cycle=cycle, date=dt.date(2026, 11, day), status="held")
        Attendance.objects.create(
            enrollment=enrollment, lesson=lesson, status="absent" if day != 9 else "present"
        )
    assert absence_alerts(today=dt.date(2026, 11, 22)) == 1
    assert absence_alerts(today=dt.date(2026, 11, 22)) == 0
    message = Notification.objects.get(kind="absence_alert")
    assert "02/11, 16/11" in message.body


def test_at_risk_digest_goes_to_coordinators_once_a_day(school):
    UserFactory(school=school, role="coordinator")
    cycle = CycleFactory(
        school=school, starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2027, 1, 31)
    )
    enrollment = EnrollmentFactory(cycle=cycle)
    for day in (2, 9):
        lesson = LessonFactory(cycle=cycle, date=dt.date(2026, 11, day), status="held")
        Attendance.objects.create(enrollment=enrollment, lesson=lesson, status="absent")
    assert at_risk_digest(today=dt.date(2026, 11, 22)) == 1
    assert at_risk_digest(today=dt.date(2026, 11, 22)) == 0
    assert enrollment.student.full_name in Notification.objects.get(kind="at_risk_digest").body
