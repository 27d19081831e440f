import datetime as dt
import math
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from courses.models import Attendance, Enrollment
from courses.selectors import (
    at_risk_enrollments,
    attendance_history,
    with_attendance_stats,
)
from courses.services import attendance_save
from school.errors import ConflictError
from school.models import SpecialCategoryData
from tests.conftest import api_as
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    on_factory_day,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 21, 0, tzinfo=dt.UTC)  # Monday 23:00 in Athens


@pytest.fixture
def lesson(teacher):
    cycle = CycleFactory(school=teacher.school, total_hours=Decimal(30))
    cycle.teachers.add(teacher)
    EnrollmentFactory.create_batch(3, cycle=cycle)
    return LessonFactory(cycle=cycle, date=dt.date(2026, 11, 23))


def marks(lesson, *statuses):
    enrollments = list(Enrollment.objects.filter(cycle=lesson.cycle).order_by("pk"))
    return [(e.pk, s) for e, s in zip(enrollments, statuses, strict=True)]


def test_saving_marks_the_lesson_held_with_its_topic_and_teacher(lesson, teacher):
    attendance_save(
        lesson=lesson,
        marks=marks(lesson, "present", "late", "absent"),
        by=teacher.user,
        topic="At the market",
        now=NOW,
    )
    lesson.refresh_from_db()
    assert (lesson.status, lesson.topic, lesson.teacher) == ("held", "At the market", teacher)
    assert sorted(Attendance.objects.filter(lesson=lesson).values_list("status", flat=True)) == [
        "absent",
        "late",
        "present",
    ]


def test_a_roster_saved_with_students_unmarked_keeps_the_lesson_waiting(lesson, teacher):
    enrollments = list(Enrollment.objects.filter(cycle=lesson.cycle).order_by("pk"))
    first = [(enrollments[0].pk, "present"), (enrollments[1].pk, "absent")]
    saved = attendance_save(lesson=lesson, marks=first, by=teacher.user, topic="Family", now=NOW)
    assert (saved.status, saved.unmarked_count) == ("scheduled", 1)
    lesson.refresh_from_db()
    assert (lesson.status, lesson.topic) == ("scheduled", "Family")
    # Half a roster counts in no figure yet.
    assert (
        with_attendance_stats(Enrollment.objects.filter(pk=enrollments[0].pk)).get().held_hours == 0
    )
    saved = attendance_save(
        lesson=lesson, marks=[*first, (enrollments[2].pk, "late")], by=teacher.user, now=NOW
    )
    assert (saved.status, saved.unmarked_count) == ("held", 0)
    # A student enrolled later does not reopen a lesson that was held.
    EnrollmentFactory(cycle=lesson.cycle)
    saved = attendance_save(lesson=lesson, marks=first, by=teacher.user, now=NOW)
    assert (saved.status, saved.unmarked_count) == ("held", 1)


def test_the_teachers_page_lists_lessons_waiting_for_two_weeks(client, teacher):
    cycle = CycleFactory(school=teacher.school, code="A1-WAIT")
    cycle.teachers.add(teacher)
    today = timezone.localdate(timezone=teacher.school.zone)
    waiting = LessonFactory(cycle=cycle, date=today - dt.timedelta(days=14))
    too_old = LessonFactory(cycle=cycle, date=today - dt.timedelta(days=15))
    held = LessonFactory(cycle=cycle, date=today - dt.timedelta(days=3), status="held")
    client.force_login(teacher.user)
    page = client.get("/teach/").content.decode()
    waiting_part = page.split("Waiting for attendance")[1].split("<h2>")[0]
    assert f"/teach/lessons/{waiting.pk}/" in waiting_part
    assert f"/teach/lessons/{too_old.pk}/" not in page
    assert f"/teach/lessons/{held.pk}/" not in waiting_part


def test_saving_the_same_marks_twice_changes_nothing(lesson, teacher):
    attendance_save(
        lesson=lesson, marks=marks(lesson, "present", "late", "absent"), by=teacher.user, now=NOW
    )
    history = Attendance.history.count()
    attendance_save(
        lesson=lesson, marks=marks(lesson, "present", "late", "absent"), by=teacher.user, now=NOW
    )
    assert Attendance.objects.filter(lesson=lesson).count() == 3
    assert Attendance.history.count() == history


def test_one_bad_mark_refuses_them_all(lesson, teacher):
    good = marks(lesson, "present", "present", "present")
    foreign = EnrollmentFactory()
    with pytest.raises(ValidationError):
        attendance_save(
            lesson=lesson, marks=[*good[:2], (foreign.pk, "present")], by=teacher.user, now=NOW
        )
    with pytest.raises(ValidationError):
        attendance_save(
            lesson=lesson, marks=[*good[:2], (good[2][0], "sleeping")], by=teacher.user, now=NOW
        )
    assert not Attendance.objects.filter(lesson=lesson).exists()
    lesson.refresh_from_db()
    assert lesson.status == "scheduled"


def test_a_lesson_that_has_not_started_or_was_cancelled_takes_no_marks(lesson, teacher):
    before = dt.datetime(2026, 11, 23, 14, 59, tzinfo=dt.UTC)  # 16:59 in Athens; starts 17:00
    with pytest.raises(ConflictError, match="not started"):
        attendance_save(
            lesson=lesson,
            marks=marks(lesson, "present", "present", "present"),
            by=teacher.user,
            now=before,
        )
    lesson.status = "cancelled"
    lesson.save()
    with pytest.raises(ConflictError, match="cancelled"):
        attendance_save(lesson=lesson, marks=[], by=teacher.user, now=NOW)


def test_old_corrections_need_a_coordinator(lesson, teacher, coordinator):
    later = NOW + dt.timedelta(days=8)
    with pytest.raises(PermissionDenied):
        attendance_save(
            lesson=lesson,
            marks=marks(lesson, "present", "present", "present"),
            by=teacher.user,
            now=later,
        )
    attendance_save(
        lesson=lesson,
        marks=marks(lesson, "present", "present", "present"),
        by=coordinator,
        now=later,
    )


def test_a_refused_correction_says_why_in_the_teachers_language(client, lesson, teacher):
    # A Greek-speaking teacher marks a lesson three weeks old, on their phone (the API, with
    # their token) and on the plain page: both say why, in Greek, and nothing is saved.
    teacher.user.language = "el"
    teacher.user.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=teacher.user).key}")
    everyone = marks(lesson, "present", "present", "present")
    reason = "Παρουσίες παλαιότερες από 7 μέρες διορθώνει ο συντονιστής."
    with time_machine.travel(NOW + dt.timedelta(days=21), tick=False):
        client.force_login(teacher.user)
        response = api.put(
            f"/api/v1/lessons/{lesson.pk}/attendance/",
            [{"enrollment": pk, "status": status} for pk, status in everyone],
            format="json",
        )
        page = client.post(
            f"/teach/lessons/{lesson.pk}/",
            {f"mark-{pk}": status for pk, status in everyone},
            follow=True,
        )
    assert response.status_code == 403
    assert response.json() == {"detail": reason}
    assert page.status_code == 200 and reason in page.content.decode()
    assert not Attendance.objects.filter(lesson=lesson).exists()


def test_every_change_keeps_who_when_before_and_after(lesson, teacher, coordinator):
    attendance_save(
        lesson=lesson, marks=marks(lesson, "absent", "present", "present"), by=teacher.user, now=NOW
    )
    attendance_save(
        lesson=lesson,
        marks=marks(lesson, "excused", "present", "present"),
        by=coordinator,
        now=NOW + dt.timedelta(hours=1),
    )
    first = Enrollment.objects.filter(cycle=lesson.cycle).order_by("pk").first()
    changes = attendance_history(enrollment=first)
    assert [(c.before_status, c.after_status) for c in changes] == [
        ("absent", "excused"),
        (None, "absent"),
    ]
    # The page shows the marks' labels in the reader's language, not the stored values.
    with translation.override("el"):
        assert [(c.before, c.after) for c in changes] == [("Απών", "Δικαιολογημένη απουσία"),
                                                          (None, "Απών")]  # fmt: skip
    assert changes[0].who == coordinator.username
    assert changes[1].who == teacher.user.username


def test_entry_date_follows_the_first_lesson_attended(lesson, teacher):
    earlier = LessonFactory(cycle=lesson.cycle, date=dt.date(2026, 11, 16))
    attendance_save(
        lesson=lesson, marks=marks(lesson, "present", "absent", "late"), by=teacher.user, now=NOW
    )
    attendance_save(
        lesson=earlier,
        marks=marks(earlier, "present", "absent", "absent"),
        by=teacher.user,
        now=NOW,
    )
    entries = list(
        Enrollment.objects.filter(cycle=lesson.cycle)
        .order_by("pk")
        .values_list("entry_date", flat=True)
    )
    assert entries == [dt.date(2026, 11, 16), None, dt.date(2026, 11, 23)]


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


def consecutive_setup(school, pattern, total_hours=Decimal(300)):
    cycle = CycleFactory(
        school=school,
        total_hours=total_hours,
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2027, 1, 31),
    )
    enrollment = EnrollmentFactory(cycle=cycle)
    for i, status in enumerate(pattern):
        lesson = LessonFactory(
            cycle=cycle, date=dt.date(2026, 10, 5) + dt.timedelta(days=7 * i), status="held"
        )
        Attendance.objects.create(enrollment=enrollment, lesson=lesson, status=status)
    return enrollment


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


def test_teachers_roster_does_not_give_special_category_data_away(teacher):
    enrollment = consecutive_setup(
        teacher.school, ["absent", "present", "absent", "present"], total_hours=Decimal(30)
    )
    enrollment.cycle.teachers.add(teacher)
    SpecialCategoryData.objects.create(
        student=enrollment.student, disability="yes", disability_asked_on=dt.date(2026, 10, 5)
    )
    lesson = enrollment.cycle.lessons.order_by("date").last()
    roster = api_as(teacher.user).get(f"/api/v1/lessons/{lesson.pk}/attendance/").json()
    assert roster[0]["at_risk"] is True


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


# -- the API -----------------------------------------------------------------------------------


def roster_payload(lesson, *statuses):
    return [{"enrollment": e, "status": s} for e, s in marks(lesson, *statuses)]


def test_roster_get_and_put_all_or_nothing(lesson, teacher):
    client = api_as(teacher.user)
    url = f"/api/v1/lessons/{lesson.pk}/attendance/"
    before = client.get(url).json()
    assert [entry["status"] for entry in before] == [None, None, None]
    assert set(before[0]) == {
        "enrollment",
        "student",
        "name",
        "status",
        "attendance_rate",
        "at_risk",
    }

    lesson.date = timezone.localdate() - dt.timedelta(days=1)
    lesson.save()
    saved = client.put(url, roster_payload(lesson, "present", "absent", "late"), format="json")
    assert saved.status_code == 200, saved.content
    assert sorted(entry["status"] for entry in saved.json()) == ["absent", "late", "present"]

    bad = client.put(
        url,
        [
            *roster_payload(lesson, "present", "present", "present")[:2],
            {"enrollment": 10**9, "status": "present"},
        ],
        format="json",
    )
    assert bad.status_code == 400
    assert sorted(entry["status"] for entry in client.get(url).json()) == [
        "absent",
        "late",
        "present",
    ]

    with_topic = client.put(
        url,
        {"marks": roster_payload(lesson, "present", "present", "present"), "topic": "Numbers"},
        format="json",
    )
    assert with_topic.status_code == 200
    lesson.refresh_from_db()
    assert lesson.topic == "Numbers"


def test_put_on_a_future_or_cancelled_lesson_is_409(lesson, coordinator):
    client = api_as(coordinator)
    lesson.date = timezone.localdate() + dt.timedelta(days=2)
    lesson.save()
    assert (
        client.put(f"/api/v1/lessons/{lesson.pk}/attendance/", [], format="json").status_code == 409
    )
    lesson.status = "cancelled"
    lesson.save()
    assert (
        client.put(f"/api/v1/lessons/{lesson.pk}/attendance/", [], format="json").status_code == 409
    )


def test_only_the_cycles_teachers_and_coordinators_write(lesson, auditor, student_user):
    other_teacher = TeacherFactory(school=lesson.cycle.school)
    url = f"/api/v1/lessons/{lesson.pk}/attendance/"
    assert api_as(other_teacher.user).put(url, [], format="json").status_code == 404
    assert api_as(auditor).get(url).status_code == 200
    assert api_as(auditor).put(url, [], format="json").status_code == 403
    assert api_as(student_user).get(url).status_code == 403
    foreign = LessonFactory(cycle=CycleFactory(school=SchoolFactory()))
    assert api_as(auditor).get(f"/api/v1/lessons/{foreign.pk}/attendance/").status_code == 404


def test_enrollment_shows_its_rate_and_risk(coordinator):
    enrollment = consecutive_setup(coordinator.school, ["present", "absent", "absent"])
    body = api_as(coordinator).get(f"/api/v1/enrollments/{enrollment.pk}/").json()
    assert body["attendance_rate"] == pytest.approx(1 / 3, abs=0.001)
    assert body["at_risk"] is True


def big_lesson(school, teacher, students):
    cycle = CycleFactory(school=school, capacity=students)
    cycle.teachers.add(teacher)
    EnrollmentFactory.create_batch(students, cycle=cycle)
    return LessonFactory(cycle=cycle, date=timezone.localdate() - dt.timedelta(days=1))


def insert_batches(model, rows: int) -> int:
    """Statements a bulk insert of ``rows`` takes: one on PostgreSQL, more on SQLite."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return math.ceil(rows / connection.ops.bulk_batch_size(fields, [None] * rows))


@pytest.mark.parametrize("students", [25, 100])
def test_roster_put_and_get_run_a_fixed_number_of_queries(
    teacher, django_assert_num_queries, students
):
    lesson = big_lesson(teacher.school, teacher, students)
    client = api_as(teacher.user)
    url = f"/api/v1/lessons/{lesson.pk}/attendance/"
    # 1 the lesson (scoped to the teacher's cycles), 2 the roster with figures in SQL
    with django_assert_num_queries(2):
        client.get(url)
    # 1 lesson in scope, 2 lock the lesson, 3 enrollments of the cycle, 4 existing marks,
    # 5 insert marks, 6 insert their history, 7 students still unmarked, 8 lesson held with
    # topic and teacher, 9 entry dates, 10 the roster for the answer; plus the savepoint pair
    # of the test's transaction (BEGIN and COMMIT in production, which are not counted).
    statuses = ["present", "late", "absent", "excused"]
    payload = [
        {"enrollment": e.pk, "status": statuses[i % 4]}
        for i, e in enumerate(lesson.cycle.enrollments.order_by("pk"))
    ]
    # SQLite splits a bulk insert to stay under its limit of parameters per statement.
    extra = insert_batches(Attendance, students) + insert_batches(
        Attendance.history.model, students
    )
    with django_assert_num_queries(12 + extra - 2) as captured:
        assert client.put(url, payload, format="json").status_code == 200
    statements = [
        q for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 10 + extra - 2
    # A correction: changed marks are updated (one statement) with their history (one more).
    payload[:5] = [{"enrollment": p["enrollment"], "status": "present"} for p in payload[:5]]
    with django_assert_num_queries(12):
        assert client.put(url, payload, format="json").status_code == 200


# -- the teacher's page without JavaScript -----------------------------------------------------


def test_teacher_page_form_saves_marks_and_everyone_present(client, teacher):
    lesson = big_lesson(teacher.school, teacher, 3)
    enrollments = list(lesson.cycle.enrollments.order_by("pk"))
    client.force_login(teacher.user)
    page = client.get(f"/teach/lessons/{lesson.pk}/")
    assert page.status_code == 200
    assert page.content.count(b'type="radio"') == 12
    client.post(
        f"/teach/lessons/{lesson.pk}/",
        {
            f"mark-{enrollments[0].pk}": "absent",
            f"mark-{enrollments[1].pk}": "late",
            "topic": "Family",
        },
    )
    assert dict(
        Attendance.objects.filter(lesson=lesson).values_list("enrollment_id", "status")
    ) == {
        enrollments[0].pk: "absent",
        enrollments[1].pk: "late",
    }
    # One student is left unmarked: the lesson keeps waiting, and the page says how many.
    lesson.refresh_from_db()
    assert lesson.status == "scheduled"
    page = client.get(f"/teach/lessons/{lesson.pk}/").content.decode()
    assert "Still to mark: 1." in page
    # "Everyone present" fills in only the unmarked student: absent and late stay.
    client.post(f"/teach/lessons/{lesson.pk}/", {"everyone_present": "1"})
    assert dict(
        Attendance.objects.filter(lesson=lesson).values_list("enrollment_id", "status")
    ) == {
        enrollments[0].pk: "absent",
        enrollments[1].pk: "late",
        enrollments[2].pk: "present",
    }
    lesson.refresh_from_db()
    assert lesson.status == "held"
    assert "Attendance saved." in client.get(f"/teach/lessons/{lesson.pk}/").content.decode()


def test_teacher_page_shows_rate_and_at_risk_badge(client, teacher):
    enrollment = consecutive_setup(teacher.school, ["present", "absent", "absent"])
    enrollment.cycle.teachers.add(teacher)
    lesson = enrollment.cycle.lessons.order_by("date").last()
    client.force_login(teacher.user)
    page = client.get(f"/teach/lessons/{lesson.pk}/").content.decode()
    assert "33%" in page
    assert "At risk" in page


def test_teacher_cannot_open_another_teachers_lesson(client, teacher):
    lesson = LessonFactory(cycle=CycleFactory(school=teacher.school))
    client.force_login(teacher.user)
    assert client.get(f"/teach/lessons/{lesson.pk}/").status_code == 404


def test_at_risk_and_enrollment_pages(client, coordinator):
    enrollment = consecutive_setup(coordinator.school, ["present", "absent", "absent"])
    client.force_login(coordinator)
    # Pretend the cycle is running today for the list.
    enrollment.cycle.starts_on = timezone.localdate() - dt.timedelta(days=60)
    enrollment.cycle.ends_on = timezone.localdate() + dt.timedelta(days=60)
    enrollment.cycle.save()
    page = client.get("/office/at-risk/").content.decode()
    assert enrollment.student.full_name in page
    detail = client.get(f"/office/enrollments/{enrollment.pk}/")
    assert detail.status_code == 200
