"""The lessons of a teacher's or a student's cycles, for their pages and calendars."""

import datetime as dt

from django.db.models import QuerySet

from courses.models import Enrollment, Lesson
from school.models import Student, Teacher


def lessons_of_teacher(*, teacher: Teacher, start: dt.date, end: dt.date) -> QuerySet[Lesson]:
    """Lessons of the cycles a teacher teaches between two dates (inclusive), one query."""
    return (
        Lesson.objects.filter(cycle__teachers=teacher, date__range=(start, end))
        .select_related("cycle__level", "cycle__venue", "room__venue")
        .order_by("date", "starts_at")
        .distinct()
    )


def lessons_of_student(*, student: Student, start: dt.date, end: dt.date) -> QuerySet[Lesson]:
    """Lessons of the cycles a student is enrolled in between two dates (inclusive)."""
    return (
        Lesson.objects.filter(
            cycle__enrollments__student=student,
            cycle__enrollments__status=Enrollment.Status.ENROLLED,
            date__range=(start, end),
        )
        .select_related("cycle__level", "cycle__venue", "room__venue", "teacher__user")
        .order_by("date", "starts_at")
    )
