"""Dates and numbers as each language writes them (config/formats): the Greek month in the
genitive after a day."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory

pytestmark = pytest.mark.django_db


def test_dates_and_numbers_in_the_readers_language(client, student_user):
    today = timezone.localdate(timezone=student_user.school.zone)
    cycle = CycleFactory(
        school=student_user.school,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=40),
    )
    EnrollmentFactory(cycle=cycle, student=student_user.student)
    day = today + dt.timedelta(days=1)
    LessonFactory(cycle=cycle, date=day)
    client.force_login(student_user)
    months = {
        "el": ["Ιανουαρίου", "Φεβρουαρίου", "Μαρτίου", "Απριλίου", "Μαΐου", "Ιουνίου", "Ιουλίου", "Αυγούστου", "Σεπτεμβρίου", "Οκτωβρίου", "Νοεμβρίου", "Δεκεμβρίου"],
        "ar": ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
        "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    }  # fmt: skip
    for language, names in months.items():
        client.post("/i18n/setlang/", {"language": language, "next": "/me/"})
        page = client.get("/me/").content.decode()
        assert names[day.month - 1] in page, language
    client.post("/i18n/setlang/", {"language": "fa", "next": "/me/"})
    assert "17:00 تا 20:00" in client.get("/me/").content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("el", "30 Νοεμβρίου"), ("uk", "30 листопада"), ("fr", "30 novembre"), ("en", "November 30")],
)
def test_a_day_and_its_month_read_as_each_language_writes_them(language, expected):
    with translation.override(language):
        assert date_format(dt.date(2026, 11, 30), "MONTH_DAY_FORMAT") == expected


@time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC))
def test_greek_pages_put_the_month_in_the_genitive(client, student_user, teacher):
    day = dt.date(2026, 11, 30)
    cycle = CycleFactory(
        school=student_user.school, starts_on=day - dt.timedelta(days=7),
        ends_on=day + dt.timedelta(days=40),
    )  # fmt: skip
    cycle.teachers.add(teacher)
    EnrollmentFactory(cycle=cycle, student=student_user.student)
    LessonFactory(cycle=cycle, date=day + dt.timedelta(days=1))
    for user in (student_user, teacher.user):
        user.language = "el"
        user.save()

    client.force_login(student_user)
    page = client.get("/me/").content.decode()
    assert "Τρίτη 1 Δεκεμβρίου 2026" in page
    assert "Δεκέμβριος" not in page

    client.force_login(teacher.user)
    page = client.get("/teach/").content.decode()
    assert "Δευτέρα 30 Νοεμβρίου" in page
    assert "Νοέμβριος" not in page
