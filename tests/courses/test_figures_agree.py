"""One set of marks, one set of figures: the API, every page that shows attendance and the
attendance-sheets export agree with a count over the raw marks.

`make test` runs this file on PostgreSQL and again on SQLite (what `make run` uses). The expected
figures are worked out here in Python from the marks, so both runs pin the same numbers: SQLite
once showed 0% where PostgreSQL showed 93%, because it divided whole hours as integers.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from openpyxl import load_workbook

from courses.models import Attendance, Lesson
from school.reports import ReportRequest, report_write
from tests.conftest import api_as
from tests.factories import (
    FACTORY_DAY,
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    UserFactory,
    on_factory_day,
)

pytestmark = [pytest.mark.django_db, on_factory_day]
TODAY = FACTORY_DAY.date()
TOTAL_HOURS = Decimal(39)  # the cycle's; the absence limit is 10% of it: 3.9 hours


@pytest.fixture
def marks(teacher):
    """Thirteen three-hour lessons, all held and in the past: whole hours, which SQLite keeps
    as integers. Amira misses one lesson (3 hours, under the limit); Bilal is excused twice
    and absent once (9 hours missed, past the limit)."""
    cycle = CycleFactory(school=teacher.school, code="A1-FIGURES", total_hours=TOTAL_HOURS)
    cycle.teachers.add(teacher)
    amira = EnrollmentFactory(cycle=cycle, student__first_name="Amira", student__last_name="Aa")
    bilal = EnrollmentFactory(cycle=cycle, student__first_name="Bilal", student__last_name="Bb")
    lessons = []
    for number in range(13):
        lessons.append(
            LessonFactory(
                cycle=cycle,
                date=TODAY - dt.timedelta(days=30 - 2 * number),
                starts_at=dt.time(17),
                ends_at=dt.time(20),
                hours=Decimal(3),
                status=Lesson.Status.HELD,
            )
        )
    plan = {
        amira.pk: {4: "absent", 7: "late"},
        bilal.pk: {2: "excused", 9: "excused", 11: "absent", 5: "late"},
    }
    for enrollment_id, exceptions in plan.items():
        for number, lesson in enumerate(lessons):
            Attendance.objects.create(
                enrollment_id=enrollment_id,
                lesson=lesson,
                status=exceptions.get(number, "present"),
                marked_by=teacher.user,
            )
    # The last lesson on the teacher's page, to read the roster's figures there.
    return cycle, amira, bilal, lessons[-1]


def shown(hours: Decimal) -> str:
    """Hours as the pages write them: whole, or with two decimals (3, 37.50)."""
    return floatformat(hours, -2)


def expected(enrollment) -> dict:
    """The figures, counted in Python over the raw marks."""
    attended = held = missed = Decimal(0)
    for mark in Attendance.objects.filter(enrollment=enrollment, lesson__status="held"):
        held += mark.lesson.hours
        if mark.status in ("present", "late"):
            attended += mark.lesson.hours
        else:
            missed += mark.lesson.hours
    rate = (attended / held).quantize(Decimal("0.0001"))
    return {
        "attended": attended,
        "held": held,
        "missed": missed,
        "limit": TOTAL_HOURS / 10,
        "rate": rate,
        "percent": round(rate * 100),
    }


def test_the_api_every_page_and_the_export_show_the_same_attendance(
    marks, coordinator, teacher, client, tmp_path
):
    cycle, amira, bilal, last_lesson = marks
    figures = {e.pk: expected(e) for e in (amira, bilal)}
    # The arithmetic this dataset is about: not whole numbers, and one past the limit.
    assert figures[amira.pk]["rate"] == Decimal("0.9231")  # 36 of 39 hours
    assert figures[bilal.pk]["missed"] == Decimal(9) > Decimal("3.9")

    # The API: a rate between 0 and 1, and whether the student is at risk.
    for enrollment in (amira, bilal):
        body = api_as(coordinator).get(f"/api/v1/enrollments/{enrollment.pk}/").json()
        assert Decimal(str(body["attendance_rate"])) == figures[enrollment.pk]["rate"]
        assert body["at_risk"] is (enrollment == bilal)

    # The coordinator's enrollment page and cycle roster.
    client.force_login(coordinator)
    for enrollment in (amira, bilal):
        f = figures[enrollment.pk]
        page = client.get(f"/office/enrollments/{enrollment.pk}/").content.decode()
        assert f"{f['percent']}%" in page
        assert f"{shown(f['attended'])} of {shown(f['held'])} hours" in page
        assert f"{shown(f['missed'])} / {shown(f['limit'])}" in page
    roster = client.get(f"/office/cycles/{cycle.pk}/").content.decode()
    for enrollment in (amira, bilal):
        f = figures[enrollment.pk]
        assert f"{f['percent']}%" in roster
        assert f"{shown(f['missed'])} / {shown(f['limit'])}" in roster

    # The teacher's roster of the last lesson.
    client.force_login(teacher.user)
    page = client.get(f"/teach/lessons/{last_lesson.pk}/").content.decode()
    for enrollment in (amira, bilal):
        assert f"{figures[enrollment.pk]['percent']}%" in page

    # The student's own page.
    amira.student.user = UserFactory(school=cycle.school, role="student")
    amira.student.save()
    client.force_login(amira.student.user)
    page = client.get("/me/").content.decode()
    assert f"{figures[amira.pk]['percent']}%" in page

    # The attendance sheet: hours attended and the rate, per participant.
    path = tmp_path / "sheets.xlsx"
    report_write(
        kind="attendance-sheets",
        request=ReportRequest(
            school=cycle.school,
            start=TODAY - dt.timedelta(days=60),
            end=TODAY,
            cycle_code=cycle.code,
        ),
        path=str(path),
        progress=lambda n: None,
    )
    rows = {
        row[2]: row
        for row in load_workbook(path).worksheets[0].iter_rows(values_only=True)
        if row and row[2] in ("Aa Amira", "Bb Bilal")
    }
    for name, enrollment in (("Aa Amira", amira), ("Bb Bilal", bilal)):
        f = figures[enrollment.pk]
        attended, rate = rows[name][-3], rows[name][-2]
        assert Decimal(str(attended)) == f["attended"]
        # The sheet holds the rate as a fraction shown as a percentage.
        assert Decimal(str(rate)) == f["rate"]
        assert round(Decimal(str(rate)) * 100) == f["percent"]
