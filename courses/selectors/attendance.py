"""Attendance figures, worked out by the database: rates, missed hours, the absence limit, who
is at risk, a lesson's roster and the history of marks."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    Max,
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
from courses.selectors.scoping import enrollments_visible_to
from school.models import Student, User
from school.models.people import full_name, latin_name

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

    # One join with the enrollment's marks of held lessons, grouped by enrollment: every sum
    # and date in one pass. Only the run of absences needs the last lesson attended first: one
    # subquery per enrollment (index lookups on its own marks), not one per joined row.
    held = Q(attendance__lesson__status="held")
    attended = held & Q(attendance__status__in=ATTENDED)

    def hours(condition: Q) -> Coalesce:
        return Coalesce(
            Sum("attendance__lesson__hours", filter=condition), zero, output_field=decimal
        )

    last_attended = Attendance.objects.filter(
        enrollment=OuterRef(OuterRef("pk")), status__in=ATTENDED, lesson__status="held"
    ).order_by("-lesson__date")
    absences_since = Attendance.objects.filter(
        enrollment=OuterRef("pk"),
        lesson__status="held",
        status="absent",
        lesson__date__gt=Coalesce(
            Subquery(last_attended.values("lesson__date")[:1]), Value(dt.date.min)
        ),
    )
    return enrollments.annotate(
        held_hours=hours(held),
        attended_hours=hours(attended),
        excused_hours=hours(held & Q(attendance__status="excused")),
        missed_hours=hours(held & Q(attendance__status__in=MISSED)),
        first_attended=Min("attendance__lesson__date", filter=attended),
        last_attended_on=Max("attendance__lesson__date", filter=attended),
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
    ).annotate(
        absences_in_a_row=Coalesce(
            Subquery(absences_since.values("enrollment").annotate(n=Count("pk")).values("n")[:1]),
            Value(0),
        ),
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


def enrollment_list(*, user: User, extended_limits: bool = False) -> QuerySet[Enrollment]:
    """The enrollments the user may see, with their student, cycle and attendance figures: one
    query."""
    return with_attendance_stats(
        enrollments_visible_to(user=user).select_related("student", "cycle"),
        extended_limits=extended_limits,
    ).order_by("cycle_id", "status", "waitlist_position", "pk")


def enrollments_with_absences(*, cycle: Cycle) -> QuerySet[Enrollment]:
    """The cycle's enrollments with their attendance figures (see ``with_attendance_stats``)."""
    return with_attendance_stats(
        Enrollment.objects.filter(cycle=cycle).select_related("student"), extended_limits=True
    )


@dataclass
class RosterEntry:
    """One row of a lesson's roster: the enrollment (``pk``), its student's name, this lesson's
    mark (``None`` before it is marked) and the student's attendance figures."""

    pk: int
    student_id: int
    first_name: str
    last_name: str
    first_name_latin: str
    last_name_latin: str
    mark: str | None
    held_hours: Decimal
    attended_hours: Decimal
    missed_hours: Decimal
    absences_in_a_row: int
    absence_limit_hours: Decimal
    attendance_rate: Decimal | None
    at_risk: bool

    @property
    def rate_percent(self) -> int | None:
        return None if self.attendance_rate is None else round(self.attendance_rate * 100)

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    @property
    def latin_name(self) -> str:
        return latin_name(
            self.first_name, self.last_name, self.first_name_latin, self.last_name_latin
        )


def _rounded(value: Decimal, places: str) -> Decimal:
    # As PostgreSQL rounds a number cast to numeric(p, s): half away from zero.
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def roster_for_lesson(*, lesson: Lesson, extended_limits: bool = False) -> list[RosterEntry]:
    """The lesson's roster in one query: the cycle's enrolled students, and anyone else already
    marked for this lesson, each with ``mark`` and their attendance figures, the same ones
    ``with_attendance_stats`` works out (rate, missed hours, absences in a row, at risk).

    The roster is read and saved on every lesson by every teacher, so it is the busiest read of
    the site: it reads each student's marks (one row per mark, index look-ups through the
    enrollment) and adds them up here, instead of building and running the general annotated
    query (a GROUP BY plus a subquery per student for the run of absences), which cost about
    three times the CPU of web and database together. ``lesson.cycle.school`` gives the limits
    (callers load the lesson with ``select_related("cycle__school")``)."""
    cycle = lesson.cycle
    school = cycle.school
    usual = (
        cycle.absence_limit_percent
        if cycle.absence_limit_percent is not None
        else school.absence_limit_percent
    )
    extended = max(usual, school.extended_absence_limit_percent)
    marked = Attendance.objects.filter(lesson=lesson).values("enrollment_id")
    fields = [
        "pk", "student_id", "student__first_name", "student__last_name",
        "student__first_name_latin", "student__last_name_latin", "attendance__lesson_id",
        "attendance__status", "attendance__lesson__status", "attendance__lesson__date",
        "attendance__lesson__hours",
    ]  # fmt: skip
    if extended_limits:
        fields += [
            "student__special_category__disability",
            "student__special_category__documented_hospitalisation",
        ]
    rows = (
        Enrollment.objects.filter(cycle_id=lesson.cycle_id)
        .filter(Q(status=Enrollment.Status.ENROLLED) | Q(pk__in=marked))
        .order_by("student__last_name", "student__first_name", "pk")
        .values_list(*fields)
    )
    # Per enrollment, in roster order: its first row, this lesson's mark and the marks of held
    # lessons (date, hours, status).
    found: dict[int, tuple[tuple[Any, ...], list[str | None], list[tuple[Any, ...]]]] = {}
    for row in rows:
        pk: int = row[0]
        lesson_id, status, lesson_status, day, hours = row[6:11]
        first, mark, marks = found.setdefault(pk, (row, [None], []))
        if lesson_id == lesson.pk:
            mark[0] = status
        if lesson_status == Lesson.Status.HELD:
            marks.append((day, hours, status))
    roster = []
    for pk, (first, mark, marks) in found.items():
        held_hours = attended_hours = missed_hours = Decimal(0)
        last_attended: dt.date | None = None
        for day, hours, status in marks:
            held_hours += hours
            if status in ATTENDED:
                attended_hours += hours
                if last_attended is None or day > last_attended:
                    last_attended = day
            else:
                missed_hours += hours
        # Absences since the last lesson attended (on a later day; excused ones do not count).
        in_a_row = sum(
            1
            for day, _hours, status in marks
            if status == Attendance.Status.ABSENT and (last_attended is None or day > last_attended)
        )
        needs_extended = extended_limits and (first[11] == "yes" or first[12] is True)
        limit = _rounded(cycle.total_hours * (extended if needs_extended else usual) / 100, "0.01")
        roster.append(
            RosterEntry(
                pk=pk,
                student_id=first[1],
                first_name=first[2],
                last_name=first[3],
                first_name_latin=first[4],
                last_name_latin=first[5],
                mark=mark[0],
                held_hours=held_hours,
                attended_hours=attended_hours,
                missed_hours=missed_hours,
                absences_in_a_row=in_a_row,
                absence_limit_hours=limit,
                attendance_rate=(
                    _rounded(attended_hours / held_hours, "0.0001") if held_hours else None
                ),
                at_risk=in_a_row >= school.at_risk_consecutive_absences or missed_hours > limit,
            )
        )
    return roster


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


@dataclass(frozen=True)
class EnrollmentPage:
    enrollment: Enrollment
    marks: list[Attendance]
    history: list[MarkChange]


def enrollment_page(
    *, enrollment_id: int, school_id: int, extended_limits: bool = False
) -> EnrollmentPage | None:
    """One enrollment of the school with its attendance figures, every mark (with its lesson
    and who marked it) and the history of changes to them: three queries; None if the school
    has no such enrollment."""
    enrollment = (
        with_attendance_stats(
            Enrollment.objects.filter(pk=enrollment_id, cycle__school_id=school_id),
            extended_limits=extended_limits,
        )
        .select_related("student", "cycle")
        .first()
    )
    if enrollment is None:
        return None
    marks = (
        Attendance.objects.filter(enrollment=enrollment)
        .select_related("lesson", "marked_by")
        .order_by("lesson__date", "lesson__starts_at")
    )
    return EnrollmentPage(enrollment, list(marks), attendance_history(enrollment=enrollment))


def attendance_saved_since(*, since: dt.datetime) -> int:
    """Marks saved (taken or changed) since a moment, in the whole installation: one query."""
    return Attendance.objects.filter(marked_at__gte=since).count()
