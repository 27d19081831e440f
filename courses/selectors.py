"""Everything that reads cycles, lessons and enrollments with a shape."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from courses.models import Cycle, Enrollment, Lesson
from school.choices import Role
from school.models import Student, Teacher, User


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


def absence_limit_percents(cycle: Cycle) -> tuple[Decimal, Decimal]:
    """(usual, extended) absence limits of a cycle, in % of its total hours (DOMAIN.md §3)."""
    school = cycle.school
    usual = (
        cycle.absence_limit_percent
        if cycle.absence_limit_percent is not None
        else school.absence_limit_percent
    )
    return usual, max(usual, school.extended_absence_limit_percent)


def enrollments_with_absences(*, cycle: Cycle) -> QuerySet[Enrollment]:
    """The cycle's enrollments with, worked out in SQL: ``missed_hours`` (absent or excused in
    held lessons), ``first_attended`` (the ESF entry date) and ``absence_limit_hours``.

    The extended limit applies to a participant with a disability or documented hospitalisation;
    the special-category data is only read here to pick the limit, never returned.
    """
    usual, extended = absence_limit_percents(cycle)
    hundred = Decimal(100)
    missed = Q(attendance__status__in=["absent", "excused"], attendance__lesson__status="held")
    needs_extended = Q(student__special_category__disability="yes") | Q(
        student__special_category__documented_hospitalisation=True
    )
    return (
        Enrollment.objects.filter(cycle=cycle)
        .select_related("student")
        .annotate(
            missed_hours=Coalesce(
                Sum("attendance__lesson__hours", filter=missed), Value(Decimal(0))
            ),
            first_attended=Min(
                "attendance__lesson__date", filter=Q(attendance__status__in=["present", "late"])
            ),
            absence_limit_hours=Case(
                When(needs_extended, then=Value(cycle.total_hours * extended / hundred)),
                default=Value(cycle.total_hours * usual / hundred),
                output_field=DecimalField(max_digits=8, decimal_places=2),
            ),
        )
    )


# -- what each role may see ------------------------------------------------------------------
# Coordinators and auditors: their school. Teachers: the cycles they teach. Students: their own.
# Anything else is simply absent, so the API answers 404 and never reveals it exists.


def cycles_visible_to(*, user: User) -> QuerySet[Cycle]:
    cycles = Cycle.objects.all()
    if user.is_superuser and not user.role:
        return cycles
    school_id = user.school_id
    if school_id is None:
        return cycles.none()
    if user.role in (Role.COORDINATOR, Role.AUDITOR):
        return cycles.filter(school_id=school_id)
    if user.role == Role.TEACHER:
        return cycles.filter(school_id=school_id, teachers__user=user)
    if user.role == Role.STUDENT:
        return cycles.filter(school_id=school_id, enrollments__student__user=user)
    return cycles.none()


def lessons_visible_to(*, user: User) -> QuerySet[Lesson]:
    return Lesson.objects.filter(cycle__in=cycles_visible_to(user=user))


def enrollments_visible_to(*, user: User) -> QuerySet[Enrollment]:
    enrollments = Enrollment.objects.all()
    if user.role == Role.STUDENT:
        return enrollments.filter(student__user=user)
    return enrollments.filter(cycle__in=cycles_visible_to(user=user))


def students_visible_to(*, user: User) -> QuerySet[Student]:
    students = Student.objects.all()
    if user.is_superuser and not user.role:
        return students
    school_id = user.school_id
    if school_id is None:
        return students.none()
    if user.role in (Role.COORDINATOR, Role.AUDITOR):
        return students.filter(school_id=school_id)
    if user.role == Role.TEACHER:
        return students.filter(
            pk__in=Enrollment.objects.filter(cycle__in=cycles_visible_to(user=user)).values(
                "student_id"
            )
        )
    if user.role == Role.STUDENT:
        return students.filter(user=user)
    return students.none()


@dataclass(frozen=True)
class CyclePage:
    cycle: Cycle
    lessons: list[Lesson]
    enrolled: list[Enrollment]
    waitlist: list[Enrollment]
    left: list[Enrollment]


def cycle_page(*, cycle_id: int, school_id: int) -> CyclePage:
    """A cycle with its lessons, roster, waitlist and leavers: three queries, whatever the size."""
    cycle = cycles_with_counts(school_id=school_id).select_related("room__venue").get(pk=cycle_id)
    lessons = list(cycle.lessons.select_related("room").order_by("date", "starts_at"))
    enrollments = list(
        cycle.enrollments.select_related("student").order_by(
            "waitlist_position", "student__last_name", "pk"
        )
    )
    return CyclePage(
        cycle=cycle,
        lessons=lessons,
        enrolled=[e for e in enrollments if e.status in ("enrolled", "completed")],
        waitlist=[e for e in enrollments if e.status == "waitlisted"],
        left=[e for e in enrollments if e.status == "withdrawn"],
    )


def students_to_enroll(*, cycle: Cycle, query: str, limit: int = 20) -> list[Student]:
    """Students of the cycle's school whose name matches, not already in the cycle (one query)."""
    query = query.strip()[:100]
    if not query:
        return []
    matches = Q()
    for word in query.split()[:4]:
        matches &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return list(
        Student.objects.filter(matches, school_id=cycle.school_id)
        .exclude(enrollments__cycle=cycle)
        .order_by("last_name", "first_name", "pk")[:limit]
    )
