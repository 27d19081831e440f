"""Two funder's workbooks: the ESF participants with every indicator (it needs the certificates
of this app, so it lives here) and the exam results with pass-rate charts.

Streamed: participants are read in chunks ordered by student and written as they come; the
indicator counts are kept as running totals of the very flags written on each row.
"""

import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.chart import BarChart, Reference

from courses.exports import Grouped, participant_name, period_lessons
from courses.models import Attendance, Cycle, Enrollment
from courses.selectors import ATTENDED
from exams.models import ExamRegistration, ExamResult, ExamRound
from school.choices import Gender, LabourMarketStatus, ProgrammePeriod
from school.indicators import (
    INDICATORS,
    Context,
    Participant,
    Tally,
    flags_of,
)
from school.models import Student
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
STUDENT_FIELDS = [
    "gender", "date_of_birth", "nationality", "labour_market_status", "unemployed_months",
    "isced_level", "household_jobless", "household_dependent_children", "household_single_adult",
    "foreign_background", "other_disadvantage", "homeless", "rural_area", "exit_in_education",
    "exit_employed", "exit_job_searching", "qualification_gained_on",
]  # fmt: skip
SPECIAL_FIELDS = ["minority", "disability"]
ENROLLMENT_FIELDS = ["cycle__code", "status", "entry_date", "exit_date", "hours", "certificate"]


# -- ESF participants --------------------------------------------------------------------------


def entered_by_the_end(request: ReportRequest) -> QuerySet[Enrollment]:
    enrollments = Enrollment.objects.filter(
        cycle__school=request.school, entry_date__isnull=False, entry_date__lte=request.end
    )
    if request.cycle_code:
        enrollments = enrollments.filter(cycle__code=request.cycle_code)
    return enrollments


def enrollment_rows(request: ReportRequest) -> Iterator[tuple]:
    """Every enrollment that entered by the end of the period, with its student's participant
    record (special-category fields only when allowed), hours attended in the period and the
    first certificate's number, ordered by student."""
    enrollments = entered_by_the_end(request)
    attended = Attendance.objects.filter(
        period_lessons(request, "lesson__", scoped=False),
        enrollment=OuterRef("pk"),
        status__in=ATTENDED,
    )
    certificate = (
        ExamResult.objects.filter(registration__student=OuterRef("student_id"), passed=True)
        .order_by("registration__exam_round__exam_date", "pk")
        .values("certificate_number")[:1]
    )
    fields = [f"student__{name}" for name in STUDENT_FIELDS]
    if request.special_category:
        fields += [f"student__special_category__{name}" for name in SPECIAL_FIELDS]
    return (
        enrollments.annotate(
            # A subquery per enrollment (its own marks, by index): grouping by the twenty
            # columns of the participant record instead was slower.
            hours=Coalesce(
                Subquery(
                    attended.values("enrollment").annotate(h=Sum("lesson__hours")).values("h")[:1]
                ),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=8, decimal_places=2),
            ),
            # Looked up only for those with a qualification (a CASE skips the subquery).
            certificate=Case(
                When(student__qualification_gained_on__isnull=False, then=Subquery(certificate)),
                default=Value(None),
                output_field=CharField(),
            ),
        )
        .order_by("student_id", "entry_date", "pk")
        .values_list("student_id", *fields, *ENROLLMENT_FIELDS)
        .iterator(chunk_size=CHUNK)
    )


def participants(request: ReportRequest, rows: Iterator[tuple]) -> Iterator[Participant]:
    """One participant per student however often they re-entered: the first entry, the last
    exit (none while an enrollment is open), in the period when they entered by its end and
    had not left before its start."""
    names = ["id", *STUDENT_FIELDS, *(SPECIAL_FIELDS if request.special_category else [])]
    grouped = Grouped(rows)
    while grouped.next is not None:
        group = grouped.take(grouped.next[0])
        record: dict[str, Any] = dict(zip(names, group[0], strict=False))
        for name in SPECIAL_FIELDS:  # no special-category row: not asked
            if name in record and record[name] is None:
                record[name] = ""
        participant = Participant(**record)
        tail = [row[len(names) :] for row in group]
        exits = [exit_date for _code, _status, _entry, exit_date, _hours, _cert in tail]
        participant.entry_date = tail[0][2]
        participant.exit_date = None if None in exits else max(exits)
        if participant.exit_date is not None and participant.exit_date < request.start:
            continue
        if participant.exit_date is not None and participant.exit_date > request.end:
            participant.exit_date = None  # still in at the end of the period
        participant.cycles = [code for code, *_rest in tail]
        participant.hours = sum((hours for *_rest, hours, _cert in tail), Decimal(0))
        participant.completed = any(
            status == Enrollment.Status.COMPLETED for _c, status, *_r in tail
        )
        participant.certificate_number = tail[0][5] or ""
        yield participant


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


def page_header(request: ReportRequest) -> str:
    school = request.school
    parts = [school.name]
    if school.operation_code:
        parts.append(_("Operation %(code)s") % {"code": school.operation_code})
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
    widths[0] = max(widths[0], column_width([request.school.operation_code]))
    longest = max(
        (
            len(code)
            for code in Cycle.objects.filter(school=request.school).values_list("code", flat=True)
        ),
        default=8,
    )
    widths[len(headings) - 5] = min(40.0, column_width(["x" * (2 * longest + 2)]))
    widths[1] = max(widths[1], 8.0)
    statuses = [str(label) for label in LabourMarketStatus.labels]
    widths[6] = heading_width(headings[6], statuses, most=45)  # the status in words
    return widths


def esf_participants(request: ReportRequest, book: StreamedWorkbook, progress: Progress) -> None:
    school = request.school
    indicators = INDICATORS[school.programme_period]
    shown = [
        i
        for i in indicators
        if i.rule is not None and (request.special_category or not i.special_category)
    ]
    context = Context(end=request.end, qualification_counts=school.qualification_counts_as_result)
    # Translated once, not for every row (tens of thousands of them).
    genders = {code: str(label) for code, label in Gender.choices}
    statuses = {code: str(label) for code, label in LabourMarketStatus.choices}
    yes, no = _("yes"), _("no")

    sheet = book.sheet(_("Participants"))
    headings = [
        _("Operation code"), _("Participant id"), _("Entry date"), _("Exit date"), _("Gender"),
        _("Age at entry"), _("Labour-market status"), _("Months unemployed"), _("ISCED level"),
        *([_("Minority"), _("Disability")] if request.special_category else []),
        *[i.code for i in shown],
        _("Cycles"), _("Hours attended"), _("Completed"), _("Certificate gained on"),
        _("Certificate number"),
    ]  # fmt: skip
    widths = participant_widths(request, headings)
    sheet.widths(widths)
    sheet.print_setup(title_rows="1:1", header=page_header(request))
    sheet.freeze("C2")
    sheet.looked(headings, HEADING, height=row_height(headings, widths))
    indicator_sheet = book.sheet(_("Indicators"))

    tally = Tally(indicators)
    reads = SpecialCategoryReads(request)
    total = entered_by_the_end(request).count() or 1
    seen = 0
    for participant in participants(request, enrollment_rows(request)):
        flags = flags_of(participant, indicators, context, special=request.special_category)
        if participant.minority or participant.disability:
            reads.add(participant.id)
        tally.add(participant, flags)
        gained = participant.qualification_gained_on
        sheet.append([
            school.operation_code, participant.id, participant.entry_date, participant.exit_date,
            str(genders.get(participant.gender, participant.gender)), participant.age_at_entry,
            statuses.get(participant.labour_market_status, ""), participant.unemployed_months,
            participant.isced_level,
            *([participant.minority, participant.disability] if request.special_category else []),
            *[flags[i.code] for i in shown],
            ", ".join(participant.cycles), participant.hours, yes if participant.completed else no,
            gained if gained and gained <= request.end else None,
            participant.certificate_number if gained and gained <= request.end else None,
        ])  # fmt: skip
        seen += len(participant.cycles)
        if seen % 1000 < len(participant.cycles):
            progress(seen * 95 // total)
    reads.flush()
    if not sum(tally.participants.values()):
        sheet.append([_("No participant in this period (%(start)s to %(end)s).") % {
            "start": request.start, "end": request.end}])  # fmt: skip
    _indicator_sheet(indicator_sheet, request, tally, shown)


def _indicator_sheet(
    sheet: StreamedSheet, request: ReportRequest, tally: Tally, shown: list[Any]
) -> None:
    school = request.school
    widths = [10.0, 60.0, DATE_WIDTH, 9.0, 9.0, 11.0, 11.0, 11.0, 14.0, 40.0]
    sheet.widths(widths)
    sheet.print_setup(title_rows="8:8", header=page_header(request))
    sheet.styled([_("ESF participant indicators")], font=TITLE)
    sheet.append([_("School"), school.name])
    sheet.append([_("Operation code"), school.operation_code])
    sheet.append([_("Programme period"), str(ProgrammePeriod(school.programme_period).label)])
    sheet.append([_("Period"), request.start, request.end])
    sheet.append([_("Cycle"), request.cycle_code or _("all")])
    sheet.append([])
    columns = [
        _("Code"), _("Indicator"), _("Total"), _("Women"), _("Men"), _("Non-binary"),
        _("Gender not stated"), _("Declined to answer"), _("Not answered or not applicable"), _("Note"),
    ]  # fmt: skip
    sheet.looked(columns, HEADING, height=row_height(columns, widths))
    by_gender = [tally.participants[g] for g in ("female", "male", "other", "undisclosed")]
    sheet.append([None, _("Participants"), sum(by_gender), *by_gender])
    shown_codes = {i.code for i in shown}
    for indicator in tally.indicators:
        if indicator.rule is None:
            sheet.append(
                [indicator.code, sheet.cell(str(indicator.name), WRAPPED), *[None] * 7,
                 sheet.cell(str(indicator.note), WRAPPED)],
                height=row_height([indicator.name, None, *[None] * 7, indicator.note], widths),
            )  # fmt: skip
        elif indicator.code not in shown_codes:
            note = _("Special-category data: not included in this report.")
            sheet.append(
                [indicator.code, sheet.cell(str(indicator.name), WRAPPED), *[None] * 7, note],
                height=row_height([indicator.name], widths),
            )
        else:
            note = ""
            if indicator.code in ("CR03", "EECR03") and not school.qualification_counts_as_result:
                note = _("The school does not count the certificate as a qualification.")
            elif indicator.code.startswith(("CR", "EECR")):
                note = _("Taken on exit: only participants who left by the end of the period.")
            sheet.append(
                [indicator.code, sheet.cell(str(indicator.name), WRAPPED),
                 *tally.row(indicator.code), sheet.cell(note, WRAPPED)],
                height=row_height([indicator.name, *[None] * 8, note], widths),
            )  # fmt: skip
    sheet.append([])
    total = sum(by_gender)
    codes = (
        ("CO01", "CO03", "CO05")
        if school.programme_period == "2014-2020"
        else ("EECO02", "EECO04", "EECO05")
    )
    statuses = sum(tally.row(code)[0] for code in codes)
    sheet.append([
        _("Check"), _("Unemployed + inactive + employed = participants"),
        _("yes") if statuses == total else _("no"), statuses, total,
    ])  # fmt: skip
    if not total:
        sheet.append([None, _("No participant in this period.")])


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
