"""The attendance sheets (παρουσιολόγιο) of a period, one sheet per cycle, as the funder's
auditors read and sign them (DOMAIN.md §3).

Streamed: the held lessons, the enrollments and the marks of the period are three queries read
in chunks and ordered by cycle, so one cycle at a time is in memory whatever the school's size.
The figures (hours per lesson and per student, rates) are worked out by the database.
"""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import Attendance, Cycle, Enrollment, Lesson
from courses.selectors import ATTENDED
from school.reports import Progress, ReportKind, ReportRequest, report_kind_register
from school.spreadsheets import TITLE, StreamedWorkbook

CHUNK = 5000
# What a cell shows for a mark that is not attendance (hours attended are the lesson's hours).
STATUS_CODES = {"absent": "A", "excused": "E"}
HEADING_ROWS = "5:9"
DECIMAL = DecimalField(max_digits=8, decimal_places=2)


def period_lessons(request: ReportRequest, prefix: str = "", *, scoped: bool = True) -> Q:
    """The held lessons of the period (of the school, and of one cycle if asked), seen from
    ``prefix``. ``scoped=False`` leaves out the school and cycle, for rows already within them
    (an enrollment's marks): one join fewer over millions of marks."""
    held = Q(
        **{
            f"{prefix}status": Lesson.Status.HELD,
            f"{prefix}date__range": (request.start, request.end),
        }
    )
    if scoped:
        held &= Q(**{f"{prefix}cycle__school": request.school})
        if request.cycle_code:
            held &= Q(**{f"{prefix}cycle__code": request.cycle_code})
    return held


def _count_in(rows: QuerySet, group: str) -> Subquery:
    """COUNT of a correlated subquery (an index look-up per row, not a join and GROUP BY)."""
    return Subquery(rows.values(group).annotate(n=Count("pk")).values("n")[:1])


def _hours_in(rows: QuerySet, group: str) -> Coalesce:
    summed = Subquery(rows.values(group).annotate(h=Sum("lesson__hours")).values("h")[:1])
    return Coalesce(summed, Value(Decimal(0)), output_field=DECIMAL)


def lessons_with_totals(request: ReportRequest) -> Iterator[tuple]:
    """(cycle id, lesson id, date, hours, topic, teacher, participants present, hours
    attended) for each lesson, by cycle and time."""
    present = Count("attendance", filter=Q(attendance__status__in=ATTENDED))
    return (
        Lesson.objects.filter(period_lessons(request))
        .annotate(
            present=present,
            attended_hours=ExpressionWrapper(present * F("hours"), output_field=DECIMAL),
            teacher_first=F("teacher__user__first_name"),
            teacher_last=F("teacher__user__last_name"),
        )
        .order_by("cycle_id", "date", "starts_at", "pk")
        .values_list(
            "cycle_id",
            "pk",
            "date",
            "hours",
            "topic",
            "teacher_first",
            "teacher_last",
            "present",
            "attended_hours",
        )
        .iterator(chunk_size=CHUNK)
    )


def enrollments_with_totals(request: ReportRequest, cycles: QuerySet[Cycle]) -> Iterator[tuple]:
    """(cycle id, enrollment id, student id, last name, first name, status, hours attended,
    hours of the held lessons they have a mark for) in the period, by cycle and name."""
    in_period = period_lessons(request, "attendance__lesson__", scoped=False)
    hours = "attendance__lesson__hours"
    return (
        Enrollment.objects.filter(cycle__in=cycles.values("pk"))
        .exclude(status=Enrollment.Status.WAITLISTED)
        .annotate(
            attended=Coalesce(
                Sum(hours, filter=in_period & Q(attendance__status__in=ATTENDED)),
                Value(Decimal(0)),
                output_field=DECIMAL,
            ),
            held=Coalesce(Sum(hours, filter=in_period), Value(Decimal(0)), output_field=DECIMAL),
        )
        .order_by("cycle_id", "student__last_name", "student__first_name", "pk")
        .values_list(
            "cycle_id",
            "pk",
            "student_id",
            "student__last_name",
            "student__first_name",
            "status",
            "attended",
            "held",
        )
        .iterator(chunk_size=CHUNK)
    )


def marks_by_cycle(request: ReportRequest) -> Iterator[tuple]:
    """(cycle id, enrollment id, lesson id, status) of every mark in the period, by cycle."""
    return (
        Attendance.objects.filter(period_lessons(request, "lesson__"))
        .order_by("lesson__cycle_id")
        .values_list("lesson__cycle_id", "enrollment_id", "lesson_id", "status")
        .iterator(chunk_size=CHUNK)
    )


class Grouped:
    """Rows of a stream ordered by their first value, taken one group at a time."""

    def __init__(self, rows: Iterator[tuple]) -> None:
        self.rows = rows
        self.next: tuple | None = next(rows, None)

    def take(self, key: Any) -> list[tuple]:
        group = []
        while self.next is not None and self.next[0] == key:
            group.append(self.next)
            self.next = next(self.rows, None)
        return group


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(Decimal("0.01")) if whole else None


def attendance_sheets(request: ReportRequest, book: StreamedWorkbook, progress: Progress) -> None:
    cycles = (
        Cycle.objects.filter(
            pk__in=Lesson.objects.filter(period_lessons(request)).values("cycle_id")
        )
        .select_related("level", "venue")
        .order_by("pk")
    )
    total = cycles.count()
    if not total:
        sheet = book.sheet(_("Attendance"))
        sheet.styled([_("Attendance sheets")], font=TITLE)
        sheet.append([_("No lesson was held in this period (%(start)s to %(end)s).") % {
            "start": request.start, "end": request.end}])  # fmt: skip
        return
    lesson_rows = Grouped(lessons_with_totals(request))
    enrollment_rows = Grouped(enrollments_with_totals(request, cycles))
    mark_rows = Grouped(marks_by_cycle(request))
    for done, cycle in enumerate(cycles.iterator(chunk_size=500), start=1):
        _cycle_sheet(
            book,
            request,
            cycle,
            lesson_rows.take(cycle.pk),
            enrollment_rows.take(cycle.pk),
            {(e, lesson): status for _c, e, lesson, status in mark_rows.take(cycle.pk)},
        )
        progress(done * 100 // total)


def _cycle_sheet(
    book: StreamedWorkbook,
    request: ReportRequest,
    cycle: Cycle,
    lessons: list[tuple],
    enrollments: list[tuple],
    marks: dict[tuple[int, int], str],
) -> None:
    sheet = book.sheet(cycle.code)
    sheet.widths([5, 12, 28, *([9] * len(lessons)), 10, 10, 12])
    sheet.print_setup(
        title_rows=HEADING_ROWS,
        footer=_("Teacher: ______________   Programme manager: ______________"),
    )
    sheet.freeze(f"D{int(HEADING_ROWS.split(':')[1]) + 1}")
    school = request.school
    sheet.styled([_("Attendance sheet") + f" · {cycle.code}"], font=TITLE)
    sheet.append([
        _("School"), school.name, None, _("Operation"), school.operation_code,
        _("Level"), cycle.level.code, _("Venue"), cycle.venue.name if cycle.venue else "",
    ])  # fmt: skip
    sheet.append([
        _("Period"), f"{request.start:%d/%m/%Y} – {request.end:%d/%m/%Y}", None,
        _("Cycle"), f"{cycle.starts_on:%d/%m/%Y} – {cycle.ends_on:%d/%m/%Y}",
        _("Total hours"), cycle.total_hours,
    ])  # fmt: skip
    sheet.append([_("Codes: hours attended, A absent, E excused, blank not marked.")])
    held_hours = sum((row[3] for row in lessons), Decimal(0))
    # Heading and total rows: a bold label, plain figures (thousands of sheets of them).
    label = 3
    sheet.styled([None, None, _("Date"), *[row[2] for row in lessons]], count=label)
    sheet.styled([None, None, _("Hours"), *[row[3] for row in lessons], held_hours], count=label)
    sheet.styled([None, None, _("Topic"), *[row[4] for row in lessons]], wrap=True)
    sheet.styled(
        [None, None, _("Teacher"), *[f"{row[5] or ''} {row[6] or ''}".strip() for row in lessons]],
        wrap=True,
    )
    sheet.styled([
        _("No."), _("Participant id"), _("Participant"), *[None] * len(lessons),
        _("Hours attended"), _("Attendance %"), _("Status"),
    ])  # fmt: skip
    lesson_ids = [(row[1], row[3]) for row in lessons]
    statuses = dict(Enrollment.Status.choices)
    for number, (_c, enrollment_id, student_id, last, first, status, attended, held) in enumerate(
        enrollments, start=1
    ):
        cells: list[Any] = [number, student_id, f"{last} {first}"]
        for lesson_id, hours in lesson_ids:
            mark = marks.get((enrollment_id, lesson_id))
            cells.append(hours if mark in ATTENDED else STATUS_CODES.get(mark))  # type: ignore[arg-type]
        cells += [attended, percent(attended, held), str(statuses.get(status, status))]
        sheet.append(cells)
    attended_total = sum((row[8] for row in lessons), Decimal(0))
    sheet.styled([None, None, _("Participants present"), *[row[7] for row in lessons]], count=label)
    sheet.styled([
        None, None, _("Hours attended"), *[row[8] for row in lessons], attended_total,
    ], count=label)  # fmt: skip
    sheet.append([])
    sheet.append([None, _("Teacher's signature"), "______________________", None,
                  _("Programme manager's signature"), None, None, "______________________"])  # fmt: skip
    sheet.append([None, _("Date"), "______________________"])
    sheet.close()


report_kind_register(
    ReportKind(
        code="attendance-sheets",
        title=gettext_lazy("Attendance sheets"),
        build=attendance_sheets,
        description=gettext_lazy(
            "One sheet per cycle: each held lesson's date, hours, topic and teacher; each "
            "participant's hours per lesson (A absent, E excused); totals per participant and "
            "per lesson; ready to print and sign."
        ),
    )
)
