"""Taking attendance (courses.services.attendance_save): a whole roster or nothing, the
lesson held, the correction window, the history of every change and the entry date."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from courses.models import Attendance, Enrollment
from courses.selectors import attendance_history, with_attendance_stats
from courses.services import attendance_save
from school.errors import ConflictError
from tests.courses.attendance_records import NOW, marks
from tests.factories import EnrollmentFactory, LessonFactory

pytestmark = pytest.mark.django_db


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
