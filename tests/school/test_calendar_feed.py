"""The calendar feed: valid iCalendar, stable UIDs, the school's time zone, cancelled lessons,
exams; the secret address works until renewed, is not guessable and stays out of the logs."""

import datetime as dt
import logging
import zoneinfo

import icalendar
import pytest
from django.utils import timezone

from courses.models import Lesson
from school.models import CalendarFeed, Venue
from school.services import calendar_feed_renew, calendar_feed_token
from tests.conftest import api_as
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRegistrationFactory,
    ExamRoundFactory,
    LessonFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def timetable(student_user):
    school = student_user.school
    school.time_zone = "Europe/Athens"
    school.save()
    today = timezone.localdate(timezone=school.zone)
    venue = Venue.objects.create(school=school, name="Community centre")
    cycle = CycleFactory(
        school=school,
        code="A1-FEED",
        venue=venue,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=60),
    )
    EnrollmentFactory(cycle=cycle, student=student_user.student)
    held = LessonFactory(cycle=cycle, date=today + dt.timedelta(days=2))
    cancelled = LessonFactory(
        cycle=cycle, date=today + dt.timedelta(days=9), status=Lesson.Status.CANCELLED
    )
    exam = ExamRegistrationFactory(
        exam_round=ExamRoundFactory(
            school=school,
            name="Greek A1, spring",
            registration_deadline=today + dt.timedelta(days=20),
            exam_date=today + dt.timedelta(days=40),
            centre="Centre of Tests",
        ),
        student=student_user.student,
    )
    return {"lesson": held, "cancelled": cancelled, "exam": exam}


def test_api_feed_parses_back_with_lessons_exams_and_the_schools_time_zone(student_user, timetable):
    response = api_as(student_user).get("/api/v1/me/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Athens"]
    events = _events(response.content)
    lesson = timetable["lesson"]
    event = events[f"lesson-{lesson.pk}@school-office"]
    start = event.decoded("DTSTART")
    assert start.tzinfo == zoneinfo.ZoneInfo("Europe/Athens")
    assert (start.date(), start.time()) == (lesson.date, dt.time(17))
    assert event.decoded("DTEND").time() == dt.time(20)
    assert "A1-FEED" in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == "Community centre"
    assert str(event["STATUS"]) == "CONFIRMED"
    cancelled = events[f"lesson-{timetable['cancelled'].pk}@school-office"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    exam = events[f"exam-{timetable['exam'].pk}@school-office"]
    assert exam.decoded("DTSTART") == timetable["exam"].exam_round.exam_date
    assert str(exam["LOCATION"]) == "Centre of Tests"


def test_uids_are_stable_when_a_lesson_moves(student_user, timetable):
    client = api_as(student_user)
    before = set(_events(client.get("/api/v1/me/calendar.ics").content))
    lesson = timetable["lesson"]
    Lesson.objects.filter(pk=lesson.pk).update(
        moved_from_date=lesson.date, date=lesson.date + dt.timedelta(days=1)
    )
    after = _events(client.get("/api/v1/me/calendar.ics").content)
    assert set(after) == before
    moved = after[f"lesson-{lesson.pk}@school-office"]
    assert moved.decoded("DTSTART").date() == lesson.date + dt.timedelta(days=1)
    assert int(moved["SEQUENCE"]) == 1


def test_feed_is_in_the_users_language(student_user, timetable):
    student_user.language = "fr"
    student_user.save()
    events = _events(api_as(student_user).get("/api/v1/me/calendar.ics").content)
    cancelled = events[f"lesson-{timetable['cancelled'].pk}@school-office"]
    assert str(cancelled["SUMMARY"]).startswith("Annulé")


def test_api_feed_needs_a_sign_in(api):
    assert api.get("/api/v1/me/calendar.ics").status_code == 401


def test_secret_address_works_without_sign_in_and_dies_on_renewal(client, student_user, timetable):
    feed = calendar_feed_renew(user=student_user)
    old = f"/calendar/{calendar_feed_token(feed)}.ics"
    response = client.get(old)
    assert response.status_code == 200
    assert f"lesson-{timetable['lesson'].pk}@school-office" in _events(response.content)
    client.force_login(student_user)
    assert client.post("/me/calendar/").status_code == 302
    client.logout()
    assert client.get(old).status_code == 404
    feed.refresh_from_db()
    assert client.get(f"/calendar/{calendar_feed_token(feed)}.ics").status_code == 200


def test_secret_address_is_long_random_and_not_stored(student_user):
    feed = calendar_feed_renew(user=student_user)
    token = calendar_feed_token(feed)
    assert len(token) >= 64
    row = CalendarFeed.objects.values().get(pk=feed.pk)
    assert all(token not in str(value) for value in row.values())
    again = calendar_feed_renew(user=student_user)
    assert calendar_feed_token(again) != token


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # the signature off by one character
        lambda t: t[:16] + "0" * 64,  # a real id with a made-up signature
        lambda t: "0" * 16 + t[16:],  # a made-up id with a real signature
        lambda t: t[:20],
    ],
)
def test_guessed_or_altered_addresses_are_refused(client, student_user, timetable, mangle):
    token = calendar_feed_token(calendar_feed_renew(user=student_user))
    assert client.get(f"/calendar/{mangle(token)}.ics").status_code == 404


def test_one_students_address_gives_only_their_own_lessons(client, student_user, timetable):
    other_user = UserFactory(school=student_user.school, role="student")
    other = StudentFactory(school=student_user.school, user=other_user)
    theirs = CycleFactory(school=student_user.school, code="A1-THEIRS")
    EnrollmentFactory(cycle=theirs, student=other)
    their_lesson = LessonFactory(cycle=theirs, date=timetable["lesson"].date)
    mine = client.get(
        f"/calendar/{calendar_feed_token(calendar_feed_renew(user=student_user))}.ics"
    )
    assert f"lesson-{their_lesson.pk}@school-office" not in _events(mine.content)
    assert b"A1-THEIRS" not in mine.content
    theirs_feed = client.get(
        f"/calendar/{calendar_feed_token(calendar_feed_renew(user=other_user))}.ics"
    )
    assert f"lesson-{their_lesson.pk}@school-office" in _events(theirs_feed.content)
    assert f"lesson-{timetable['lesson'].pk}@school-office" not in _events(theirs_feed.content)


def test_tokens_stay_out_of_the_logs(client, student_user, caplog):
    token = calendar_feed_token(calendar_feed_renew(user=student_user))
    wrong = token[:-4] + "abcd"
    with caplog.at_level(logging.INFO):
        assert client.get(f"/calendar/{wrong}.ics").status_code == 404
        client.get(f"/signin/link/{'x' * 43}/")
    assert caplog.records, "Django logs a 404; the filter must rewrite it, not drop it"
    assert wrong not in caplog.text
    assert token[:16] not in caplog.text
    assert "/calendar/[hidden]" in caplog.text


def test_staff_roles_get_no_students_in_their_feed(coordinator, timetable):
    body = api_as(coordinator).get("/api/v1/me/calendar.ics").content
    assert _events(body) == {}
