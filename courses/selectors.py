"""Everything that reads cycles, lessons and enrollments with a shape."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from courses.models import Cycle, Enrollment, Lesson
from school.models import Student, Teacher


def cycles_with_counts(*, school_id: int) -> QuerySet[Cycle]:
    """Cycles of a school with their seat counts, in one query."""
    return (
        Cycle.objects.filter(school_id=school_id)
        .select_related("level", "venue")
        .annotate(
            enrolled_count=Count("enrollments", filter=Q(enrollments__status="enrolled")),
            waitlist_count=Count("enrollments", filter=Q(enrollments__status="waitlisted")),
        )
        .order_by("-starts_on", "code")
    )


@dataclass(frozen=True)
class OfficeOverview:
    cycles: list[Cycle]
    students: int


def office_overview(*, school_id: int) -> OfficeOverview:
    """What a coordinator scans first: running cycles with seats and waitlists (two queries)."""
    return OfficeOverview(
        cycles=list(cycles_with_counts(school_id=school_id)),
        students=Student.objects.filter(school_id=school_id).count(),
    )


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
