"""Attendance figures and the at-risk rule (courses.selectors.attendance): the rate by
hours, the absence limit and the extended limit, absences in a row, the at-risk list."""

import datetime as dt
from decimal import Decimal

import pytest

from courses.models import Attendance, Enrollment
from courses.selectors import at_risk_enrollments, with_attendance_stats
from school.models import SpecialCategoryData
from tests.courses.attendance_records import consecutive_setup
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    UserFactory,
    on_factory_day,
)

pytestmark = pytest.mark.django_db


def test_rate_weighs_lessons_by_hours_and_counts_late_as_attended(teacher):
    cycle = CycleFactory(school=teacher.school, total_hours=Decimal(100))
    enrollment = EnrollmentFactory(cycle=cycle)
    three = LessonFactory(cycle=cycle, date=dt.date(2026, 11, 2), status="held")
    one = LessonFactory(
        cycle=cycle,
        date=dt.date(2026, 11, 4),
        starts_at=dt.time(17),
        ends_at=dt.time(18),
        hours=Decimal(1),
        status="held",
    )
    excused = LessonFactory(cycle=cycle, date=dt.date(2026, 11, 9), status="held")
    LessonFactory(cycle=cycle, date=dt.date(2026, 11, 30))  # scheduled: not counted
    Attendance.objects.create(enrollment=enrollment, lesson=three, status="late")
    Attendance.objects.create(enrollment=enrollment, lesson=one, status="absent")
    Attendance.objects.create(enrollment=enrollment, lesson=excused, status="excused")
    stats = with_attendance_stats(Enrollment.objects.filter(pk=enrollment.pk)).get()
    assert stats.held_hours == Decimal(7)
    assert stats.attended_hours == Decimal(3)
    assert stats.excused_hours == Decimal(3)
    assert stats.missed_hours == Decimal(4)
    assert stats.attendance_rate == pytest.approx(Decimal(3) / Decimal(7), abs=Decimal("0.0001"))
    assert stats.absence_limit_hours == Decimal(10)


@pytest.mark.parametrize(
    ("pattern", "in_a_row", "at_risk"),
    [
        (["present", "absent", "present", "absent"], 1, False),
        (["present", "absent", "absent"], 2, True),
        (["absent", "absent", "present"], 0, False),
        (["present", "absent", "excused", "absent"], 2, True),
        (["absent", "absent", "absent"], 3, True),
    ],
)
def test_at_risk_after_absences_in_a_row(school, pattern, in_a_row, at_risk):
    enrollment = consecutive_setup(school, pattern)
    stats = with_attendance_stats(Enrollment.objects.filter(pk=enrollment.pk)).get()
    assert stats.absences_in_a_row == in_a_row
    assert stats.at_risk is at_risk


def test_at_risk_past_the_absence_limit_and_the_extended_limit(school):
    # 30 hours: limit 3 hours (10%), 6 hours (20%) with a disability. Two 3-hour absences apart.
    pattern = ["absent", "present", "absent", "present"]
    plain = consecutive_setup(school, pattern, total_hours=Decimal(30))
    extended = consecutive_setup(school, pattern, total_hours=Decimal(30))
    SpecialCategoryData.objects.create(
        student=extended.student, disability="yes", disability_asked_on=dt.date(2026, 10, 5)
    )
    both = Enrollment.objects.filter(pk__in=[plain.pk, extended.pk])
    stats = {e.pk: e for e in with_attendance_stats(both, extended_limits=True)}
    assert stats[plain.pk].at_risk is True
    assert stats[extended.pk].at_risk is False
    assert stats[extended.pk].absence_limit_hours == Decimal(6)
    # For users who may not see special-category data, the usual limit applies to everyone:
    # a different limit or a missing "at risk" would give the disability away.
    hidden = {e.pk: e for e in with_attendance_stats(both)}
    assert hidden[extended.pk].at_risk is True
    assert hidden[extended.pk].absence_limit_hours == Decimal(3)


def test_coordinators_at_risk_list_has_the_dates_missed(school):
    risky = consecutive_setup(school, ["present", "absent", "absent"])
    consecutive_setup(school, ["present", "present", "absent"])
    listed = at_risk_enrollments(school_id=school.pk, today=dt.date(2026, 11, 22))
    assert [e.pk for e in listed] == [risky.pk]
    assert listed[0].missed_dates == [dt.date(2026, 10, 12), dt.date(2026, 10, 19)]


@on_factory_day
def test_at_risk_list_has_every_day_its_missed_hours_count_excused_ones_marked(client, school):
    # 3 hours a lesson: absent, excused, absent in a row makes 9 missed hours and 3 days.
    risky = consecutive_setup(school, ["present", "absent", "excused", "absent"])
    listed = at_risk_enrollments(school_id=school.pk, today=dt.date(2026, 11, 22))
    assert listed[0].missed_hours == Decimal(9)
    assert listed[0].missed_dates == [
        dt.date(2026, 10, 12), dt.date(2026, 10, 19), dt.date(2026, 10, 26),
    ]  # fmt: skip
    assert listed[0].excused_dates == {dt.date(2026, 10, 19)}

    coordinator = UserFactory(school=school, role="coordinator", language="en")
    client.force_login(coordinator)
    page = client.get("/office/at-risk/").content.decode()
    assert f'href="/office/enrollments/{risky.pk}/"' in page
    assert '<time datetime="2026-10-12">12 Oct</time>, ' in page
    assert '<time datetime="2026-10-19">19 Oct</time> (Excused), ' in page
    assert '<time datetime="2026-10-26">26 Oct</time></td>' in page
