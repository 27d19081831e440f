"""Everything that reads cycles, lessons and enrollments with a shape."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest

from courses.models import Attendance, Cycle, Enrollment, Lesson
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


def running_cycles(*, school_id: int, today: dt.date) -> list[Cycle]:
    """Cycles running today with their seat counts (one query)."""
    return list(
        cycles_with_counts(school_id=school_id).filter(
            starts_on__lte=today, ends_on__gte=today, cancelled_at__isnull=True
        )
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


ATTENDED = ["present", "late"]
RATE = DecimalField(max_digits=6, decimal_places=4)


def quotient(dividend: Any, divisor: Any, *, output_field: DecimalField) -> Cast:
    """``dividend / divisor`` the same on SQLite and PostgreSQL: SQLite keeps whole-number
    decimals as integers and divides them as integers (36 / 39 = 0), so both sides become
    floating point first, and the result is rounded to the output's decimal places."""
    return Cast(Cast(dividend, FloatField()) / Cast(divisor, FloatField()), output_field)


MISSED = ["absent", "excused"]


def with_attendance_stats(
    enrollments: QuerySet[Enrollment], *, extended_limits: bool = False
) -> QuerySet[Enrollment]:
    """Annotate enrollments with their attendance, all worked out by the database.

    - ``held_hours``: hours of held lessons that have a mark for the enrollment (lessons weigh by
      their hours, as the funder counts hours);
    - ``attended_hours`` (present or late), ``excused_hours``, and ``missed_hours`` (absent or
      excused: every hour missed counts towards the absence limit);
    - ``attendance_rate``: attended / held, ``None`` before any held lesson;
    - ``first_attended``: the first lesson attended, the ESF entry date;
    - ``absence_limit_hours``: the cycle's limit (else the school's, 10% by default) of the
      cycle's total hours, the extended limit (20%) for a participant with a disability or
      documented hospitalisation: the special-category data only picks the limit here, and
      only with ``extended_limits`` (for the services, and for users who may see that data:
      for anyone else a bigger limit, or "at risk" appearing later, would give it away);
    - ``absences_in_a_row``: absences since the last lesson attended (excused ones neither
      break nor extend the run);
    - ``at_risk``: that run reached the school's number (2 by default), or the missed hours
      passed the limit so the student can no longer complete.
    """
    zero = Value(Decimal(0))
    decimal = DecimalField(max_digits=8, decimal_places=2)
    usual = Coalesce(F("cycle__absence_limit_percent"), F("cycle__school__absence_limit_percent"))
    extended = Greatest(usual, F("cycle__school__extended_absence_limit_percent"))
    needs_extended = Q(student__special_category__disability="yes") | Q(
        student__special_category__documented_hospitalisation=True
    )

    # Each figure is a correlated subquery over the enrollment's own marks (an index lookup),
    # not a join with GROUP BY: on millions of marks the grouped plan evaluated the run of
    # absences once per joined row and took minutes; this takes milliseconds.
    def per_enrollment(aggregate: Any, **filters: Any) -> Subquery:
        marks = Attendance.objects.filter(
            enrollment=OuterRef("pk"), lesson__status="held", **filters
        )
        return Subquery(marks.values("enrollment").annotate(value=aggregate).values("value")[:1])

    def hours(**filters: Any) -> Coalesce:
        return Coalesce(per_enrollment(Sum("lesson__hours"), **filters), zero, output_field=decimal)

    last_attended = Attendance.objects.filter(
        enrollment=OuterRef("pk"), status__in=ATTENDED, lesson__status="held"
    ).order_by("-lesson__date", "-lesson__starts_at")
    absences_since = per_enrollment(
        Count("pk"),
        status="absent",
        lesson__date__gt=Coalesce(OuterRef("last_attended_on"), Value(dt.date.min)),
    )
    return enrollments.annotate(
        held_hours=hours(),
        attended_hours=hours(status__in=ATTENDED),
        excused_hours=hours(status="excused"),
        missed_hours=hours(status__in=MISSED),
        first_attended=per_enrollment(Min("lesson__date"), status__in=ATTENDED),
        absence_limit_hours=quotient(
            F("cycle__total_hours")
            * (
                Case(When(needs_extended, then=extended), default=usual)
                if extended_limits
                else usual
            ),
            Value(100),
            output_field=decimal,
        ),
        last_attended_on=Subquery(last_attended.values("lesson__date")[:1]),
        absences_in_a_row=Coalesce(absences_since, Value(0)),
    ).annotate(
        attendance_rate=Case(
            When(held_hours=0, then=Value(None)),
            default=quotient(F("attended_hours"), F("held_hours"), output_field=RATE),
            output_field=RATE,
        ),
        at_risk=Case(
            When(
                Q(absences_in_a_row__gte=F("cycle__school__at_risk_consecutive_absences"))
                | Q(missed_hours__gt=F("absence_limit_hours")),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def enrollments_with_absences(*, cycle: Cycle) -> QuerySet[Enrollment]:
    """The cycle's enrollments with their attendance figures (see ``with_attendance_stats``)."""
    return with_attendance_stats(
        Enrollment.objects.filter(cycle=cycle).select_related("student"), extended_limits=True
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


def roster_for_lesson(*, lesson: Lesson, extended_limits: bool = False) -> list[Enrollment]:
    """The lesson's roster in one query: the cycle's enrolled students, and anyone else already
    marked for this lesson, each with ``mark`` (this lesson's status or ``None``) and their
    attendance figures (``attendance_rate``, ``at_risk`` ...)."""
    on_roster = Enrollment.objects.filter(cycle_id=lesson.cycle_id).filter(
        Q(status=Enrollment.Status.ENROLLED) | Q(attendance__lesson=lesson)
    )
    mark = Attendance.objects.filter(enrollment=OuterRef("pk"), lesson=lesson).values("status")[:1]
    return list(
        with_attendance_stats(
            Enrollment.objects.filter(pk__in=on_roster.values("pk")).select_related("student"),
            extended_limits=extended_limits,
        )
        .annotate(mark=Subquery(mark))
        .order_by("student__last_name", "student__first_name", "pk")
    )


def at_risk_enrollments(
    *, school_id: int, today: dt.date, extended_limits: bool = False
) -> list[Enrollment]:
    """Enrolled students of the school's running cycles who are at risk, with ``missed_dates``
    (the held lessons they missed, absent or excused: the days the missed hours add up) and
    ``excused_dates`` (those of them excused): two queries."""
    enrollments = list(
        with_attendance_stats(
            Enrollment.objects.filter(
                cycle__school_id=school_id,
                status=Enrollment.Status.ENROLLED,
                cycle__starts_on__lte=today,
                cycle__ends_on__gte=today,
            ).select_related("student", "cycle"),
            extended_limits=extended_limits,
        )
        .filter(at_risk=True)  # type: ignore[misc]
        .order_by("cycle__code", "student__last_name", "pk")
    )
    missed: dict[int, list[dt.date]] = {}
    excused: dict[int, set[dt.date]] = {}
    for enrollment_id, day, status in (
        Attendance.objects.filter(
            enrollment__in=[e.pk for e in enrollments], status__in=MISSED, lesson__status="held"
        )
        .order_by("lesson__date", "lesson__starts_at")
        .values_list("enrollment_id", "lesson__date", "status")
    ):
        missed.setdefault(enrollment_id, []).append(day)
        if status == Attendance.Status.EXCUSED:
            excused.setdefault(enrollment_id, set()).add(day)
    for enrollment in enrollments:
        enrollment.missed_dates = missed.get(enrollment.pk, [])  # type: ignore[attr-defined]
        enrollment.excused_dates = excused.get(enrollment.pk, set())  # type: ignore[attr-defined]
    return enrollments


@dataclass(frozen=True)
class MarkChange:
    lesson_date: dt.date
    when: dt.datetime
    who: str
    before_status: str | None
    after_status: str | None

    # What the page shows: the mark's label in the reader's language ("Present"), not the
    # stored value ("present").
    @property
    def before(self) -> str | None:
        return _status_label(self.before_status)

    @property
    def after(self) -> str | None:
        return _status_label(self.after_status)


def _status_label(status: str | None) -> str | None:
    if status is None:
        return None
    return str(dict(Attendance.Status.choices).get(status, status))


def attendance_history(*, enrollment: Enrollment) -> list[MarkChange]:
    """Every change of the enrollment's marks, newest first: who, when, before and after (one
    query over the audit table)."""
    history = Attendance.history.model.objects.filter(enrollment_id=enrollment.pk).select_related(
        "history_user", "lesson"
    )
    previous: dict[int, str | None] = {}
    changes = []
    for record in history.order_by("history_date", "history_id"):
        before = previous.get(record.lesson_id)
        after = None if record.history_type == "-" else record.status
        user = record.history_user
        changes.append(
            MarkChange(
                lesson_date=record.lesson.date,
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else "",
                before_status=before,
                after_status=after,
            )
        )
        previous[record.lesson_id] = after
    return list(reversed(changes))


def student_attendance(*, student: Student, today: dt.date) -> list[Enrollment]:
    """The student's own enrollments in cycles not yet over (enrolled, or completed within the
    last four weeks), with their attendance figures and ``missed_dates`` (held lessons marked
    absent or excused), in two queries.

    The limit is the student's real one (the extended limit where it applies): it is their own
    data, shown to nobody else.
    """
    enrollments = list(
        with_attendance_stats(
            Enrollment.objects.filter(
                student=student,
                status__in=[Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED],
                cycle__ends_on__gte=today - dt.timedelta(days=28),
            ).select_related("cycle__level"),
            extended_limits=True,
        ).order_by("cycle__starts_on", "pk")
    )
    missed: dict[int, list[dt.date]] = {}
    for enrollment_id, day in (
        Attendance.objects.filter(
            enrollment__in=[e.pk for e in enrollments], status__in=MISSED, lesson__status="held"
        )
        .order_by("lesson__date", "lesson__starts_at")
        .values_list("enrollment_id", "lesson__date")
    ):
        missed.setdefault(enrollment_id, []).append(day)
    for enrollment in enrollments:
        enrollment.missed_dates = missed.get(enrollment.pk, [])  # type: ignore[attr-defined]
    return enrollments
