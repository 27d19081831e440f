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

from courses.models import Attendance, Certificate, Cycle, Enrollment, Lesson
from courses.selectors import ATTENDED
from school.errors import ConflictError
from school.reports import Progress, ReportKind, ReportRequest, report_kind_register
from school.spreadsheets import (
    PERCENT,
    SHORT_DATE,
    TITLE,
    Look,
    StreamedSheet,
    StreamedWorkbook,
    column_width,
    heading_width,
    rotated_height,
    row_height,
)

CHUNK = 5000
# What a cell shows for a mark that is not attendance (hours attended are the lesson's hours).
STATUS_CODES = {"absent": "A", "excused": "E"}
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
    cycles = Cycle.objects.filter(school=request.school).select_related(
        "level", "venue", "operation"
    )
    if request.cycle_code:
        # The cycle asked for prints even without a lesson in the period: a sheet that says so.
        cycles = cycles.filter(code=request.cycle_code)
    else:
        cycles = cycles.filter(
            pk__in=Lesson.objects.filter(period_lessons(request)).values("cycle_id")
        )
    cycles = cycles.order_by("pk")
    total = cycles.count()
    if not total:
        _no_lessons_sheet(book, request, None)
        return
    lesson_rows = Grouped(lessons_with_totals(request))
    enrollment_rows = Grouped(enrollments_with_totals(request, cycles))
    mark_rows = Grouped(marks_by_cycle(request))
    for done, cycle in enumerate(cycles.iterator(chunk_size=500), start=1):
        lessons = lesson_rows.take(cycle.pk)
        enrollments = enrollment_rows.take(cycle.pk)
        marks = {(e, lesson): status for _c, e, lesson, status in mark_rows.take(cycle.pk)}
        if lessons:
            _cycle_sheet(book, request, cycle, lessons, enrollments, marks)
        else:
            _no_lessons_sheet(book, request, cycle)
        progress(done * 100 // total)


# How the sheets print (see ``school.spreadsheets.printing``).
BODY = Look(border=True, align="center")
NAME = Look(border=True, align="left")
RATE = Look(border=True, align="center", number_format=PERCENT)
HEADING = Look(bold=True, border=True, align="center", wrap=True)
LABEL = Look(bold=True, border=True, align="left", wrap=True)
DATES = Look(bold=True, border=True, align="center", number_format=SHORT_DATE)
TURNED = Look(border=True, wrap=True, rotate=90, align="center")
SIGNATURE = Look(border=True)
LESSON_WIDTH = 7.0  # "31/12" and "A" in print; a lesson's topic reads upwards
# An A4 landscape page within its margins, in points (1/72 in), and what every page of a
# sheet repeats or holds besides the participants' rows (see ``participants_per_page``).
PAGE_WIDTH, PAGE_HEIGHT = 842 - 0.8 * 72, 595 - 1.2 * 72 - 30
TITLE_HEIGHT, CLOSING_HEIGHT, ROW_HEIGHT = 5 * 16, 4 * 16 + 36 + 30, 16.0


def page_breaks(widths: list[float], headings_height: float, participants: int) -> list[int]:
    """After which participant rows (1 for the first) a page ends.

    The sheet is fitted to the page's width (scaled down when wider) and as many pages down as
    it takes; a page break goes where the next row would not fit, so each page holds the
    repeated headings and whole rows, the first page the title too, and the last one the
    totals and signatures (on a page of their own when the rows leave no room). The sheet
    prints on exactly one page more than there are breaks.
    """
    width = sum(w * 7 + 5 for w in widths) * 0.75  # a column's width in points, as printed
    scale = min(1.0, PAGE_WIDTH / width)
    room = PAGE_HEIGHT / scale - headings_height
    per_page = max(1, int(room // ROW_HEIGHT))
    first = max(1, int((room - TITLE_HEIGHT) // ROW_HEIGHT))
    breaks = []
    end = first
    while end < participants:
        breaks.append(end)
        end += per_page
    last_rows = participants - (breaks[-1] if breaks else 0)
    last_room = room - (0 if breaks else TITLE_HEIGHT)
    if participants and last_rows * ROW_HEIGHT + CLOSING_HEIGHT > last_room:
        breaks.append(participants)
    return breaks


def participant_name(last: str, first: str) -> str:
    """Last name first, as every list the funder's auditors compare is ordered."""
    return f"{last} {first}".strip()


def operation_code(request: ReportRequest, cycle: Cycle | None) -> str:
    """The funded operation the cycle runs under; the school's code for a cycle without one."""
    if cycle is not None and cycle.operation is not None:
        return cycle.operation.code
    return request.school.operation_code


def _page_header(request: ReportRequest, cycle: Cycle | None) -> str:
    school = request.school
    parts = [school.name]
    operation = operation_code(request, cycle)
    if operation:
        parts.append(_("Operation %(code)s") % {"code": operation})
    if cycle is not None:
        parts.append(_("Cycle %(code)s") % {"code": cycle.code})
    parts.append(
        _("Period %(start)s – %(end)s")
        % {"start": f"{request.start:%d/%m/%Y}", "end": f"{request.end:%d/%m/%Y}"}
    )
    return " · ".join(parts)


def _heading(sheet: StreamedSheet, request: ReportRequest, cycle: Cycle | None) -> None:
    """The title and what the sheet is of, each "label: value" in one cell that reads across
    the empty cells beside it (never a label cut by a narrow column)."""
    school = request.school
    title = _("Attendance sheet") + (f" · {cycle.code}" if cycle else "")
    sheet.styled([title], font=TITLE)
    operation = operation_code(request, cycle)
    sheet.append([f"{_('School')}: {school.name}    {_('Operation')}: {operation}"])
    period = f"{request.start:%d/%m/%Y} – {request.end:%d/%m/%Y}"
    if cycle is None:
        sheet.append([f"{_('Period')}: {period}"])
        return
    venue = cycle.venue.name if cycle.venue else ""
    sheet.append([
        f"{_('Cycle')}: {cycle.code} ({cycle.starts_on:%d/%m/%Y} – {cycle.ends_on:%d/%m/%Y})    "
        f"{_('Level')}: {cycle.level.code}    {_('Venue')}: {venue}    "
        f"{_('Total hours')}: {cycle.total_hours.normalize():f}"
    ])  # fmt: skip
    sheet.append([f"{_('Period')}: {period}"])


def _no_lessons_sheet(book: StreamedWorkbook, request: ReportRequest, cycle: Cycle | None) -> None:
    """A sheet that says plainly that no lesson was held: nobody's attendance is shown."""
    sheet = book.sheet(cycle.code if cycle else _("Attendance"))
    sheet.widths([60])
    sheet.print_setup(header=_page_header(request, cycle))
    _heading(sheet, request, cycle)
    sheet.append([])
    sheet.styled(
        [_("No lesson was held in this period (%(start)s to %(end)s).") % {
            "start": f"{request.start:%d/%m/%Y}", "end": f"{request.end:%d/%m/%Y}"}]
    )  # fmt: skip
    sheet.close()


def _cycle_sheet(
    book: StreamedWorkbook,
    request: ReportRequest,
    cycle: Cycle,
    lessons: list[tuple],
    enrollments: list[tuple],
    marks: dict[tuple[int, int], str],
) -> None:
    sheet = book.sheet(cycle.code)
    n = len(lessons)
    names = [participant_name(row[3], row[4]) for row in enrollments]
    statuses = {code: str(label) for code, label in Enrollment.Status.choices}
    labels = [_("Date"), _("Hours"), _("Topic"), _("Teacher"), _("Participant"),
              _("Participants present"), _("Hours attended"), _("Teacher's signature")]  # fmt: skip
    totals = [_("Hours attended"), _("Attendance %"), _("Status")]
    widths = [
        5.0,
        heading_width(_("Participant id"), [row[2] for row in enrollments], most=14),
        column_width([*names, *labels], least=16, most=36),
        *[LESSON_WIDTH] * n,
        heading_width(totals[0], least=8),
        heading_width(totals[1], least=8),
        heading_width(totals[2], statuses.values(), least=10, most=16),
    ]
    sheet.widths(widths)
    topics = [row[4] or "" for row in lessons]
    teachers = [f"{row[5] or ''} {row[6] or ''}".strip() for row in lessons]
    columns = [_("No."), _("Participant id"), _("Participant"), *[None] * n, *totals]
    heights = [
        ROW_HEIGHT,
        ROW_HEIGHT,
        rotated_height(topics, most=110),
        rotated_height(teachers, most=70),
        row_height(columns, widths),
    ]
    breaks = set(page_breaks(widths, sum(heights), len(enrollments)))
    heading_first = 6  # after the title, the school, the cycle, the period and the legend
    heading_last = heading_first + 4
    sheet.print_setup(
        title_rows=f"{heading_first}:{heading_last}",
        title_columns="A:C",
        header=_page_header(request, cycle),
        footer=_("Teacher: ______________   Programme manager: ______________"),
    )
    sheet.freeze(f"D{heading_last + 1}")
    _heading(sheet, request, cycle)
    sheet.append([
        _("In each lesson's cell: the hours attended; A absent; E excused; blank not marked.")
    ])  # fmt: skip

    held_hours = sum((row[3] for row in lessons), Decimal(0))
    label = 3
    sheet.looked([None, None, sheet.cell(_("Date"), LABEL), *[row[2] for row in lessons]], DATES)
    sheet.looked(
        [None, None, sheet.cell(_("Hours"), LABEL), *[row[3] for row in lessons], held_hours],
        HEADING,
    )
    sheet.looked([None, None, sheet.cell(_("Topic"), LABEL), *topics], TURNED, height=heights[2])
    sheet.looked(
        [None, None, sheet.cell(_("Teacher"), LABEL), *teachers], TURNED, height=heights[3]
    )
    sheet.looked(columns, HEADING, height=heights[4])

    lesson_ids = [(row[1], row[3]) for row in lessons]
    first_body = heading_last + 1
    for number, (_c, enrollment_id, student_id, _last, _first, status, attended, held) in enumerate(
        enrollments, start=1
    ):
        cells: list[Any] = [number, student_id, sheet.cell(names[number - 1], NAME)]
        for lesson_id, hours in lesson_ids:
            mark = marks.get((enrollment_id, lesson_id))
            cells.append(hours if mark in ATTENDED else STATUS_CODES.get(mark))  # type: ignore[arg-type]
        rate = (attended / held).quantize(Decimal("0.0001")) if held else None
        cells += [attended, sheet.cell(rate, RATE), statuses.get(status, status)]
        sheet.looked(cells, BODY)
        if number in breaks:
            sheet.page_break_after_row(first_body + number - 1)

    attended_total = sum((row[8] for row in lessons), Decimal(0))
    present = [
        None,
        None,
        sheet.cell(_("Participants present"), LABEL),
        *[row[7] for row in lessons],
    ]
    sheet.looked(present, HEADING, count=label + n)
    sheet.looked(
        [None, None, sheet.cell(_("Hours attended"), LABEL), *[row[8] for row in lessons],
         attended_total],
        HEADING,
        count=label + n + 1,
    )  # fmt: skip
    # The teacher signs under each lesson taught.
    sheet.looked(
        [None, None, sheet.cell(_("Teacher's signature"), LABEL), *[None] * n],
        SIGNATURE,
        count=label + n,
        height=36,
    )
    sheet.append([])
    sheet.append(
        [None, None, _("Programme manager (name, signature, date):")
         + " ________________________________________"],
        height=30,
    )  # fmt: skip
    sheet.close()


def cycle_certificates(request: ReportRequest, path: str, progress: Progress) -> None:
    """The certificates of a whole cycle in one PDF, a page each, to print and hand out:
    completion for those who completed it, attendance for the others with an hour attended
    (the valid certificate each already has, or a new one)."""
    from courses.certificates import certificates_pdf
    from courses.services import certificate_issue

    enrollments = list(
        Enrollment.objects.filter(cycle__school=request.school, cycle__code=request.cycle_code)
        .exclude(status=Enrollment.Status.WAITLISTED)
        .select_related("student", "cycle__school", "cycle__level")
        .order_by("student__last_name", "student__first_name", "pk")
    )
    issued = []
    for done, enrollment in enumerate(enrollments, start=1):
        kind = (
            Certificate.Kind.COMPLETION
            if enrollment.status == Enrollment.Status.COMPLETED
            else Certificate.Kind.ATTENDANCE
        )
        try:
            certificate = certificate_issue(
                enrollment=enrollment, kind=kind, issued_by=request.reader
            )
        except ConflictError:  # no hour attended: nothing to certify
            continue
        certificate.enrollment = enrollment
        issued.append(certificate)
        progress(done * 90 // len(enrollments))
    if not issued:
        raise ValueError(
            _("No student of cycle %(cycle)s has an hour attended: there is no certificate.")
            % {"cycle": request.cycle_code}
        )
    with open(path, "wb") as out:
        out.write(certificates_pdf(issued))


report_kind_register(
    ReportKind(
        code="certificates",
        title=gettext_lazy("Certificates of a cycle"),
        write=cycle_certificates,
        suffix=".pdf",
        needs_cycle=True,
        description=gettext_lazy(
            "A PDF with a certificate for each student of the cycle, a page each: of "
            "completion for those who completed it, of attendance for the others; each with "
            "its verification code and QR code."
        ),
    )
)
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
