"""Cycles with their seat counts, and the coordinator's page of one cycle."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from courses.models import Cycle, Enrollment, Lesson, TimetableSlot
from courses.selectors.attendance import with_attendance_stats
from courses.selectors.scoping import cycles_visible_to
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


def running_cycles(*, school_id: int, today: dt.date) -> list[Cycle]:
    """Cycles running today with their seat counts (one query)."""
    return list(
        cycles_with_counts(school_id=school_id).filter(
            starts_on__lte=today, ends_on__gte=today, cancelled_at__isnull=True
        )
    )


@dataclass(frozen=True)
class CyclePage:
    cycle: Cycle
    lessons: list[Lesson]
    enrolled: list[Enrollment]
    waitlist: list[Enrollment]
    left: list[Enrollment]

    def lesson_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Lesson.Status.values, 0)
        for lesson in self.lessons:
            counts[lesson.status] += 1
        return counts

    def at_risk_count(self) -> int:
        return sum(1 for e in self.enrolled if getattr(e, "at_risk", False))


def cycle_page(*, cycle_id: int, school_id: int, extended_limits: bool = False) -> CyclePage:
    """A cycle with its lessons, roster (with each student's attendance figures), waitlist and
    leavers: three queries, whatever the size."""
    cycle = cycles_with_counts(school_id=school_id).select_related("room__venue").get(pk=cycle_id)
    lessons = list(cycle.lessons.select_related("room").order_by("date", "starts_at"))
    enrollments = list(
        with_attendance_stats(
            cycle.enrollments.select_related("student"), extended_limits=extended_limits
        ).order_by("waitlist_position", "student__last_name", "student__first_name", "pk")
    )
    return CyclePage(
        cycle=cycle,
        lessons=lessons,
        enrolled=[e for e in enrollments if e.status in ("enrolled", "completed")],
        waitlist=[e for e in enrollments if e.status == "waitlisted"],
        left=[e for e in enrollments if e.status == "withdrawn"],
    )


def cycles_open(*, school_id: int) -> QuerySet[Cycle]:
    """The school's cycles that were not cancelled, newest first (to import applicants into)."""
    return Cycle.objects.filter(school_id=school_id, cancelled_at__isnull=True).order_by(
        "-starts_on"
    )


def students_to_enroll(*, cycle: Cycle, query: str, limit: int = 20) -> list[Student]:
    """Students of the cycle's school whose name matches, not already in the cycle (one query)."""
    query = query.strip()[:100]
    if not query:
        return []
    matches = Q()
    for word in query.split()[:4]:
        matches &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(first_name_latin__icontains=word)
            | Q(last_name_latin__icontains=word)
        )
    return list(
        Student.objects.filter(matches, school_id=cycle.school_id)
        .exclude(enrollments__cycle=cycle)
        .order_by("last_name", "first_name", "pk")[:limit]
    )


def cycle_list(*, user: User) -> QuerySet[Cycle]:
    """The cycles the user may see, each with its level, timetable, teachers' ids and seat
    counts: three queries for a page of them."""
    # Filter by id, then count: the scoping joins (a student's own enrollment, a teacher's
    # cycles) must not narrow what the counts see.
    visible = cycles_visible_to(user=user).values("pk")
    return (
        Cycle.objects.filter(pk__in=visible)
        .select_related("level", "school")
        .prefetch_related(
            Prefetch("timetable", queryset=TimetableSlot.objects.order_by("weekday", "starts_at")),
            Prefetch("teachers", queryset=Teacher.objects.only("pk")),
        )
        .annotate(
            enrolled_count=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.ENROLLED)
            ),
            waitlist_count=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)
            ),
        )
        .order_by("-starts_on", "code")
    )
