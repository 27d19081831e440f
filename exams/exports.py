"""Two funder's workbooks: the ESF participants with every indicator (it needs the certificates
of this app, so it lives here) and the exam results with pass-rate charts.

Streamed: participants are read in chunks ordered by student and written as they come; the
indicator counts are kept as running totals of the very flags written on each row.
"""

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.chart import BarChart, Reference

from courses.exports import participant_name, period_lessons
from courses.models import Attendance, Cycle, Enrollment
from courses.selectors import ATTENDED
from exams.models import ExamRegistration, ExamResult, ExamRound
from school.choices import ExitReason, Gender, LabourMarketStatus, ProgrammePeriod
from school.indicators import (
    GENDERS,
    INDICATORS,
    LONGER_TERM,
    OUTPUT,
    RESULT,
    Context,
    Participant,
    Tally,
    flags_of,
    period_kinds,
)
from school.models import Exit, Operation, Participation, Student
from school.reports import Progress, ReportKind, ReportRequest, report_kind_register
from school.services import special_category_reads_record
from school.spreadsheets import (
    PERCENT,
    TITLE,
    Look,
    StreamedSheet,
    StreamedWorkbook,
    column_width,
    heading_width,
    row_height,
)

CHUNK = 2000
ENTRY_FIELDS = [
    "gender", "date_of_birth", "nationality", "labour_market_status", "unemployed_months",
    "isced_level", "household_jobless", "household_dependent_children", "household_single_adult",
    "foreign_background", "other_disadvantage", "homeless", "rural_area",
]  # fmt: skip
SPECIAL_FIELDS = ["minority", "disability"]
NOT_COLLECTED = gettext_lazy("not collected")


# -- ESF participants --------------------------------------------------------------------------


def report_operation(request: ReportRequest) -> Operation | None:
    """The operation the report is about: the cycle's, else the school's latest begun by the
    end of the period (else its first)."""
    if request.cycle_code:
        cycle = (
            Cycle.objects.filter(school=request.school, code=request.cycle_code)
            .select_related("operation")
            .first()
        )
        return cycle.operation if cycle is not None else None
    operations = Operation.objects.filter(school=request.school)
    return (
        operations.filter(starts_on__lte=request.end).order_by("-starts_on", "-pk").first()
        or operations.order_by("starts_on", "pk").first()
    )


def entered_by_the_end(request: ReportRequest, operation: Operation) -> QuerySet[Participation]:
    participations = Participation.objects.filter(
        operation=operation, entry_date__isnull=False, entry_date__lte=request.end
    )
    if request.cycle_code:
        participations = participations.filter(
            student__enrollments__cycle__code=request.cycle_code,
            student__enrollments__cycle__school=request.school,
        )
    return participations


def _batches(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    while batch := list(islice(rows, size)):
        yield batch


def participants(request: ReportRequest, operation: Operation) -> Iterator[Participant]:
    """Every participant of the operation who entered by the end of the period, with their
    frozen entry answers (special-category ones only when allowed), the exit that counts with
    its answers, the follow-up, and their cycles and hours in the period; read in chunks, a
    fixed number of queries per chunk."""
    names = [*ENTRY_FIELDS, *(SPECIAL_FIELDS if request.special_category else [])]
    fields = [f"entry_answers__{name}" for name in ENTRY_FIELDS]
    if request.special_category:
        fields += [f"entry_special_category__{name}" for name in SPECIAL_FIELDS]
    rows = (
        entered_by_the_end(request, operation)
        .order_by("student_id")
        .values_list(
            "pk", "student_id", "entry_date", "last_entry_date", "entry_answers__pk",
            "student__gender", "student__date_of_birth", "student__nationality",
            "student__qualification_gained_on", *fields,
        )
        .distinct()
        .iterator(chunk_size=CHUNK)
    )  # fmt: skip
    for batch in _batches(rows, CHUNK):
        ids = [row[0] for row in batch]
        exits = _last_exits(ids)
        students = [row[1] for row in batch]
        cycles = _cycles(request, operation, students)
        certificates = _certificates([row[1] for row in batch if row[8] is not None])
        for row in batch:
            (
                pk,
                student_id,
                entry,
                last_entry,
                answers_pk,
                gender,
                born,
                nationality,
                gained,
                *values,
            ) = row
            participant = Participant(id=student_id, entry_date=entry)
            if answers_pk is not None:
                participant.has_entry_answers = True
                for name, value in zip(names, values, strict=True):
                    setattr(participant, name, value if value is not None else _blank(name))
            else:
                # Who they are is on their record; no answer is guessed.
                participant.gender, participant.date_of_birth = gender, born
                participant.nationality = nationality or ""
            participant.qualification_gained_on = gained
            exit_ = exits.get(pk)
            if exit_ is not None and (last_entry is None or exit_[0] >= last_entry):
                (
                    participant.exit_date, participant.exit_reason,
                    participant.exit_answered_on, participant.exit_in_education,
                    participant.exit_employed, participant.exit_job_searching,
                    participant.follow_up_answered_on, participant.follow_up_employed,
                    participant.follow_up_improved,
                ) = exit_  # fmt: skip
                participant.follow_up_due = operation.follow_up_due(exit_[0])
                answered = participant.follow_up_answered_on
                participant.follow_up_in_window = answered is not None and (
                    abs((answered - participant.follow_up_due).days)
                    <= operation.follow_up_window_days
                )
            participant.cycles, participant.hours = cycles.get(student_id, ([], Decimal(0)))
            participant.certificate_number = certificates.get(student_id, "")
            yield participant


def _blank(name: str) -> Any:
    return (
        None if name in ("date_of_birth", "unemployed_months", "isced_level", "rural_area") else ""
    )


def _last_exits(participation_ids: list[int]) -> dict[int, tuple]:
    """Each participation's last exit with its answers and its follow-up."""
    last: dict[int, tuple] = {}
    for participation_id, *values in (
        Exit.objects.filter(participation_id__in=participation_ids)
        .order_by("participation_id", "date")
        .values_list(
            "participation_id", "date", "reason", "answered_on", "in_education", "employed",
            "job_searching", "follow_up__answered_on", "follow_up__employed",
            "follow_up__improved_situation",
        )
    ):  # fmt: skip
        last[participation_id] = tuple(values)
    return last


def _cycles(
    request: ReportRequest, operation: Operation, students: list[int]
) -> dict[int, tuple[list[str], Decimal]]:
    """Each student's cycles of the operation (entered) and hours attended in the period."""
    enrollments = Enrollment.objects.filter(
        student_id__in=students, cycle__operation=operation, entry_date__isnull=False
    )
    attended = Attendance.objects.filter(
        period_lessons(request, "lesson__", scoped=False),
        enrollment=OuterRef("pk"),
        status__in=ATTENDED,
    )
    found: dict[int, tuple[list[str], Decimal]] = {}
    for student_id, code, hours in (
        enrollments.annotate(
            hours=Coalesce(
                Subquery(
                    attended.values("enrollment").annotate(h=Sum("lesson__hours")).values("h")[:1]
                ),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=8, decimal_places=2),
            )
        )
        .order_by("student_id", "entry_date", "pk")
        .values_list("student_id", "cycle__code", "hours")
    ):
        codes, total = found.get(student_id, ([], Decimal(0)))
        codes.append(code)
        found[student_id] = (codes, total + hours)
    return found


def _certificates(students: list[int]) -> dict[int, str]:
    """The first certificate's number of each student who gained one."""
    if not students:
        return {}
    first: dict[int, str] = {}
    for student_id, number in (
        ExamResult.objects.filter(registration__student_id__in=students, passed=True)
        .order_by("registration__student_id", "-registration__exam_round__exam_date", "-pk")
        .values_list("registration__student_id", "certificate_number")
    ):
        first[student_id] = number or ""
    return first


class SpecialCategoryReads:
    """Records who read which participants' special-category data (DOMAIN.md §4), in batches
    as the rows go out."""

    BATCH = 2000

    def __init__(self, request: ReportRequest) -> None:
        self.request = request
        self.pending: list[int] = []

    def add(self, student_id: int) -> None:
        if self.request.reader is None:
            return
        self.pending.append(student_id)
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self.request.reader is None or not self.pending:
            return
        school_id = self.request.school.pk
        special_category_reads_record(
            user=self.request.reader,
            students=[Student(pk=pk, school_id=school_id) for pk in self.pending],
            via="report esf-participants",
        )
        self.pending = []


# How the workbooks print (see ``school.spreadsheets.printing``).
HEADING = Look(bold=True, wrap=True, border=True, align="center")
WRAPPED = Look(wrap=True)
RATE = Look(number_format=PERCENT)
DATE_WIDTH = 11.0  # dd/mm/yyyy


def page_header(request: ReportRequest, operation: Operation | None = None) -> str:
    school = request.school
    parts = [school.name]
    code = operation.code if operation is not None else school.operation_code
    if code:
        parts.append(_("Operation %(code)s") % {"code": code})
    if request.cycle_code:
        parts.append(_("Cycle %(code)s") % {"code": request.cycle_code})
    parts.append(
        _("Period %(start)s – %(end)s")
        % {"start": f"{request.start:%d/%m/%Y}", "end": f"{request.end:%d/%m/%Y}"}
    )
    return " · ".join(parts)


def participant_widths(request: ReportRequest, headings: list[str]) -> list[float]:
    """Each column as wide as its heading's longest word and its values: the dates, the
    operation code and the cycles (a participant's cycles, side by side) in full."""
    # A flag is 1, 0 or "declined".
    widths = [heading_width(heading, least=len("declined") + 2, most=18) for heading in headings]
    for index in (2, 3, len(headings) - 2):  # entry, exit, certificate gained on
        widths[index] = max(widths[index], DATE_WIDTH)
    widths[0] = max(widths[0], column_width([request.school.operation_code]), 14.0)
    longest = max(
        (
            len(code)
            for code in Cycle.objects.filter(school=request.school).values_list("code", flat=True)
        ),
        default=8,
    )
    widths[len(headings) - 5] = min(40.0, column_width(["x" * (2 * longest + 2)]))
    widths[1] = max(widths[1], 8.0)
    reasons = [str(label) for label in ExitReason.labels]
    widths[4] = heading_width(headings[4], reasons, most=30)  # the exit reason in words
    statuses = [str(label) for label in LabourMarketStatus.labels]
    widths[7] = heading_width(headings[7], statuses, most=45)  # the status in words
    return widths


def esf_participants(request: ReportRequest, book: StreamedWorkbook, progress: Progress) -> None:
    """Participants: one row per participant counted in the period (entered, left, or six
    months after leaving). Indicators: each indicator over the group it counts, for the period
    and cumulative since the operation began, with a check that the counts add up. Missing
    data: who lacks entry answers, exit answers on time, or a follow-up."""
    school = request.school
    operation = report_operation(request)
    period = operation.programme_period if operation else school.programme_period
    indicators = INDICATORS[period]
    shown = [
        i
        for i in indicators
        if i.rule is not None and (request.special_category or not i.special_category)
    ]
    context = Context(end=request.end, qualification_counts=school.qualification_counts_as_result)
    # Translated once, not for every row (tens of thousands of them).
    genders = {code: str(label) for code, label in Gender.choices}
    statuses = {code: str(label) for code, label in LabourMarketStatus.choices}
    reasons = {code: str(label) for code, label in ExitReason.choices}
    yes, no, not_collected = _("yes"), _("no"), str(NOT_COLLECTED)
    code = operation.code if operation else ""

    sheet = book.sheet(_("Participants"))
    headings = [
        _("Operation code"), _("Participant id"), _("Entry date"), _("Exit date"),
        _("Exit reason"), _("Gender"), _("Age at entry"), _("Labour-market status"),
        _("Months unemployed"), _("ISCED level"),
        *([_("Minority"), _("Disability")] if request.special_category else []),
        *[i.code for i in shown],
        _("Entered in the period"), _("Left in the period"), _("Six months after leaving in the period"),
        _("Cycles"), _("Hours attended"), _("Completed"), _("Certificate gained on"),
        _("Certificate number"),
    ]  # fmt: skip
    widths = participant_widths(request, headings)
    sheet.widths(widths)
    # Some forty columns on one A4 width print too small to read: two pages across, each
    # with the operation code and participant id repeated on the left.
    sheet.print_setup(
        title_rows="1:1", title_columns="A:B", header=page_header(request, operation),
        pages_across=2,
    )  # fmt: skip
    sheet.freeze("C2")
    sheet.looked(headings, HEADING, height=row_height(headings, widths))
    indicator_sheet = book.sheet(_("Indicators"))
    missing_sheet = book.sheet(_("Missing data"))
    missing_widths = [12.0, DATE_WIDTH, 30.0, 50.0]
    missing_sheet.widths(missing_widths)
    missing_sheet.print_setup(title_rows="1:1", header=page_header(request, operation))
    missing_columns = [_("Participant id"), _("Entry date"), _("Cycles"), _("Missing")]
    missing_sheet.looked(
        missing_columns, HEADING, height=row_height(missing_columns, missing_widths)
    )

    tally, cumulative = Tally(indicators), Tally(indicators)
    reads = SpecialCategoryReads(request)
    total = (entered_by_the_end(request, operation).count() if operation else 0) or 1
    seen = rows = 0
    result_kinds = {i.code: i.kind for i in shown}
    for participant in participants(request, operation) if operation else iter(()):
        seen += 1
        if seen % 1000 == 0:
            progress(seen * 95 // total)
        flags = flags_of(participant, indicators, context, special=request.special_category)
        cumulative.add(participant, flags, period_kinds(participant, dt.date.min, request.end))
        kinds = period_kinds(participant, request.start, request.end)
        if not kinds:
            continue
        rows += 1
        if participant.minority or participant.disability:
            reads.add(participant.id)
        tally.add(participant, flags, kinds)
        left = RESULT in kinds or LONGER_TERM in kinds
        gained = participant.qualification_gained_on
        cells = []
        for indicator in shown:
            flag = flags[indicator.code]
            if flag is None and result_kinds[indicator.code] != OUTPUT and left:
                flag = not_collected
            cells.append(flag)
        exit_date = (
            participant.exit_date
            if participant.exit_date and participant.exit_date <= request.end
            else None
        )
        sheet.append([
            code, participant.id, participant.entry_date, exit_date,
            reasons.get(participant.exit_reason, "") if exit_date else None,
            genders.get(participant.gender, participant.gender), participant.age_at_entry,
            statuses.get(participant.labour_market_status, ""), participant.unemployed_months,
            participant.isced_level,
            *([participant.minority, participant.disability] if request.special_category else []),
            *cells,
            yes if OUTPUT in kinds else no, yes if RESULT in kinds else no,
            yes if LONGER_TERM in kinds else no,
            ", ".join(participant.cycles), participant.hours,
            yes if participant.completed_by(request.end) else no,
            gained if gained and gained <= request.end else None,
            participant.certificate_number if gained and gained <= request.end else None,
        ])  # fmt: skip
        _missing_rows(missing_sheet, participant, kinds)
    reads.flush()
    if not rows:
        sheet.append([_("No participant in this period (%(start)s to %(end)s).") % {
            "start": request.start, "end": request.end}])  # fmt: skip
    _indicator_sheet(indicator_sheet, request, operation, tally, cumulative, shown)


def _missing_rows(sheet: StreamedSheet, participant: Participant, kinds: set[str]) -> None:
    missing = []
    if OUTPUT in kinds and not participant.has_entry_answers:
        missing.append(_("entry answers"))
    if RESULT in kinds and not participant.exit_answers_count:
        missing.append(
            _("exit answers (given late)") if participant.exit_answered_on else _("exit answers")
        )
    if LONGER_TERM in kinds and not participant.follow_up_in_window:
        missing.append(_("six-month follow-up"))
    if missing:
        sheet.append([
            participant.id, participant.entry_date, ", ".join(participant.cycles),
            ", ".join(str(m) for m in missing),
        ])  # fmt: skip


def _indicator_sheet(
    sheet: StreamedSheet,
    request: ReportRequest,
    operation: Operation | None,
    tally: Tally,
    cumulative: Tally,
    shown: list[Any],
) -> None:
    school = request.school
    period = operation.programme_period if operation else school.programme_period
    # Column A also holds the labels of the facts above the table.
    widths = [18.0, 60.0, DATE_WIDTH, 9.0, 9.0, 11.0, 11.0, 10.0, 12.0, 13.0, 16.0, 8.0, 40.0]
    sheet.widths(widths)
    # The heading row: under the title, five or six lines of facts and a blank line.
    heading_row = 9 if operation is not None else 8
    sheet.print_setup(
        title_rows=f"{heading_row}:{heading_row}", header=page_header(request, operation)
    )
    sheet.styled([_("ESF participant indicators")], font=TITLE)
    sheet.append([_("School"), school.name])
    sheet.append([_("Operation code"), operation.code if operation else _("none")])
    sheet.append([_("Programme period"), str(ProgrammePeriod(period).label)])
    if operation is not None:
        sheet.append([_("Operation began on"), operation.starts_on])
    sheet.append([_("Period"), request.start, request.end])
    sheet.append([_("Cycle"), request.cycle_code or _("all")])
    sheet.append([])
    columns = [
        _("Code"), _("Indicator"), _("Total"), _("Women"), _("Men"), _("Non-binary"),
        _("Gender not stated"), _("Declined to answer"), _("Unknown or not collected"),
        _("Cumulative since the operation began"), _("Counted over"), _("Check"), _("Note"),
    ]  # fmt: skip
    sheet.looked(columns, HEADING, height=row_height(columns, widths))
    groups = {
        OUTPUT: _("Participants who entered"),
        RESULT: _("Participants who left"),
        LONGER_TERM: _("Participants six months after leaving"),
    }
    for kind, label in groups.items():
        by_gender = [tally.groups[kind][g] for g in GENDERS]
        sheet.append([
            None, label, sum(by_gender), *by_gender, None, None,
            sum(cumulative.groups[kind].values()),
        ])  # fmt: skip
    shown_codes = {i.code for i in shown}
    for indicator in tally.indicators:
        if indicator.code not in shown_codes:
            note = _("Special-category data: not included in this report.")
            sheet.append(
                [indicator.code, sheet.cell(str(indicator.name), WRAPPED), *[None] * 10, note],
                height=row_height([None, indicator.name], widths),
            )
            continue
        note = ""
        if indicator.code in ("CR03", "EECR03") and not school.qualification_counts_as_result:
            note = _("The school does not count the certificate as a qualification.")
        elif indicator.kind == RESULT:
            note = _("Answers given within 4 weeks after the exit; later ones are not collected.")
        elif indicator.kind == LONGER_TERM:
            note = _("Follow-up answers given around six months after the exit.")
        adds_up = tally.adds_up(indicator.code) and cumulative.adds_up(indicator.code)
        sheet.append(
            [
                indicator.code, sheet.cell(str(indicator.name), WRAPPED),
                *tally.row(indicator.code), cumulative.row(indicator.code)[0],
                sheet.cell(str(groups[indicator.kind]), WRAPPED), _("yes") if adds_up else _("no"),
                sheet.cell(note, WRAPPED),
            ],
            height=row_height(
                [None, indicator.name, *[None] * 8, groups[indicator.kind], None, note], widths
            ),
        )  # fmt: skip
    sheet.append([])
    entrants = sum(tally.groups[OUTPUT].values())
    codes = ("CO01", "CO03", "CO05") if period == "2014-2020" else ("EECO02", "EECO04", "EECO05")
    statuses = sum(tally.row(code)[0] for code in codes)
    unknown = tally.row(codes[0])[-1]
    sheet.append([
        _("Check"), _("Unemployed + inactive + employed + status unknown = entrants"),
        _("yes") if statuses + unknown == entrants else _("no"), statuses, unknown, entrants,
    ])  # fmt: skip
    if not entrants:
        sheet.append([None, _("No participant entered in this period.")])


# -- exam results ---------------------------------------------------------------------------------


CHART_ROW_HEIGHT_CM = 0.53  # a 15-point row


def rate(passed: int, candidates: int) -> Decimal | None:
    """A pass rate as a fraction (shown as a percentage)."""
    return (
        (Decimal(passed) / Decimal(candidates)).quantize(Decimal("0.0001")) if candidates else None
    )


def round_sheet_title(exam_round: ExamRound) -> str:
    """A round's sheet name: its name when it fits Excel's 31 characters, else its level and
    date, which say the same and stay readable (the full name heads the sheet)."""
    if len(exam_round.name) <= 31:
        return exam_round.name
    return f"{exam_round.scheme.level.code} {exam_round.exam_date:%d-%m-%Y}"


def exam_results(request: ReportRequest, book: StreamedWorkbook, progress: Progress) -> None:
    results = ExamResult.objects.filter(
        registration__exam_round__school=request.school,
        registration__exam_round__exam_date__range=(request.start, request.end),
    )
    if request.cycle_code:
        results = results.filter(registration__cycle__code=request.cycle_code)
    summary = book.sheet(_("Pass rates"))
    widths = [30.0, 12.0, 12.0, 12.0]
    summary.widths(widths)
    summary.print_setup(header=page_header(request))
    summary.styled([_("Pass rates")], font=TITLE)
    summary.append([_("School"), request.school.name])
    summary.append([_("Period (exam dates)"), request.start, request.end])
    summary.append([_("Cycle"), request.cycle_code or _("all")])
    row, empty = 4, True
    free_row = 2  # the first row a chart may take, right of the tables
    for title, key in ((_("By level"), "registration__exam_round__scheme__level__code"),
                       (_("By cycle"), "registration__cycle__code")):  # fmt: skip
        groups = list(
            results.values(key)
            .annotate(candidates=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
            .order_by(key)
            .values_list(key, "candidates", "passed")
        )
        summary.append([])
        columns = [title, _("Candidates"), _("Passed"), _("Pass rate")]
        summary.looked(columns, HEADING, height=row_height(columns, widths))
        heading = row = row + 2
        for label, candidates, passed in groups:
            summary.append(
                [label or "—", candidates, passed, summary.cell(rate(passed, candidates), RATE)]
            )
        row += len(groups)
        if groups:
            empty = False
            chart = BarChart()
            chart.type = "bar"
            chart.title = f"{_('Pass rate')}: {title}"
            chart.y_axis.scaling.min = 0
            chart.y_axis.scaling.max = 1
            chart.y_axis.number_format = "0%"
            chart.add_data(
                Reference(summary.sheet, min_col=4, min_row=heading, max_row=row),
                titles_from_data=True,
            )
            chart.set_categories(
                Reference(summary.sheet, min_col=1, min_row=heading + 1, max_row=row)
            )
            chart.height = max(6, 0.6 * len(groups) + 3)
            chart.width = 15
            # Each chart below the one before, never over it.
            anchor = max(heading, free_row)
            summary.bar_chart(chart, f"F{anchor}")
            free_row = anchor + math.ceil(chart.height / CHART_ROW_HEIGHT_CM) + 2
    if empty:
        summary.append([])
        summary.append([_("No exam result in this period.")])
    summary.close()

    rounds = list(
        ExamRound.objects.filter(
            school=request.school, exam_date__range=(request.start, request.end)
        )
        .select_related("scheme__level")
        .prefetch_related("scheme__skills")
        .order_by("exam_date", "pk")
    )
    for done, exam_round in enumerate(rounds, start=1):
        _round_sheet(book, request, exam_round)
        progress(done * 100 // len(rounds))


def _round_sheet(book: StreamedWorkbook, request: ReportRequest, exam_round: ExamRound) -> None:
    skills = sorted(exam_round.scheme.skills.all(), key=lambda skill: skill.position)
    registrations = ExamRegistration.objects.filter(exam_round=exam_round)
    if request.cycle_code:
        registrations = registrations.filter(cycle__code=request.cycle_code)
    sheet = book.sheet(round_sheet_title(exam_round))
    columns = [
        _("No."), _("Participant id"), _("Candidate"), _("Cycle"), *[s.display_name for s in skills],
        _("Total"), _("Maximum"), _("Result"), _("Grade"), _("Certificate number"),
    ]  # fmt: skip
    widths = [
        5.0, 10.0, 28.0, 16.0, *[heading_width(s.display_name, least=10, most=14) for s in skills],
        10.0, 10.0, 10.0, 14.0, 16.0,
    ]  # fmt: skip
    sheet.widths(widths)
    sheet.print_setup(title_rows="4:4", title_columns="A:C", header=page_header(request))
    sheet.styled([exam_round.name], font=TITLE)
    sheet.append([_("Level"), exam_round.scheme.level.code, _("Exam date"), exam_round.exam_date,
                  _("Centre"), exam_round.centre])  # fmt: skip
    sheet.append([])
    sheet.looked(columns, HEADING, height=row_height(columns, widths))
    grades = dict(ExamResult.Grade.choices)
    sat = passed = 0
    for number, registration in enumerate(
        registrations.select_related("student", "cycle", "result")
        .prefetch_related("result__scores")
        .order_by("student__last_name", "student__first_name", "pk")
        .iterator(chunk_size=500),
        start=1,
    ):
        result = getattr(registration, "result", None)
        student = registration.student
        cells: list[Any] = [
            number,
            student.pk,
            participant_name(student.last_name, student.first_name),
            registration.cycle.code if registration.cycle else "",
        ]
        if result is None:
            sheet.append([*cells, *[None] * len(skills), None, None, _("no result")])
            continue
        points = {score.skill_id: score.points for score in result.scores.all()}
        sat += 1
        passed += result.passed
        sheet.append([
            *cells, *[points.get(skill.pk) for skill in skills], result.total, result.max_total,
            _("pass") if result.passed else _("fail"), str(grades.get(result.grade, "")) or None,
            result.certificate_number or None,
        ])  # fmt: skip
    sheet.append([])
    sheet.styled([None, None, _("Sat"), sat])
    sheet.styled([None, None, _("Passed"), passed])
    sheet.styled([None, None, _("Pass rate"), sheet.cell(rate(passed, sat), RATE)])
    sheet.close()


report_kind_register(
    ReportKind(
        code="esf-participants",
        title=gettext_lazy("ESF participants"),
        build=esf_participants,
        special_category=True,
        description=gettext_lazy(
            "Participants: one row per participant in the period with every indicator flag. "
            "Indicators: the count of each indicator of the school's programme period by gender."
        ),
    )
)
report_kind_register(
    ReportKind(
        code="exam-results",
        title=gettext_lazy("Exam results"),
        build=exam_results,
        description=gettext_lazy(
            "Pass rates by level and by cycle with bar charts; one sheet per exam round with "
            "each candidate's points per skill, result and grade."
        ),
    )
)
