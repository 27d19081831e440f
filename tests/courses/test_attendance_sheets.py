"""The attendance sheets workbook, read back cell by cell and checked against the raw marks."""

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from courses.models import Attendance, Lesson
from school.reports import ReportRequest, report_write
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    SchoolFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
HEADINGS = 10  # title, school, cycle, period, legend; date, hours, topic, teacher, column names


def build(tmp_path, request):
    path = tmp_path / "sheets.xlsx"
    seen = []
    report_write(kind="attendance-sheets", request=request, path=str(path), progress=seen.append)
    return load_workbook(path), seen


@pytest.fixture
def cycle(school):
    teacher = TeacherFactory(school=school, user__first_name="Eleni", user__last_name="Daskalou")
    cycle = CycleFactory(school=school, code="A1-SHEET", total_hours=Decimal(40))
    # Lessons of different lengths, and lessons the sheet must leave out.
    hours = [Decimal(3), Decimal(2), Decimal("1.5"), Decimal(4)]
    lessons = [
        LessonFactory(
            cycle=cycle,
            date=dt.date(2026, 10, 5 + 2 * n),
            starts_at=dt.time(17),
            ends_at=(dt.datetime(2026, 1, 1, 17) + dt.timedelta(hours=float(h))).time(),
            hours=h,
            status=Lesson.Status.HELD,
            topic=f"Topic {n}",
            teacher=teacher,
        )
        for n, h in enumerate(hours)
    ]
    cancelled = LessonFactory(cycle=cycle, date=dt.date(2026, 10, 20), status="cancelled")
    before = LessonFactory(cycle=cycle, date=dt.date(2026, 9, 28), status="held")
    scheduled = LessonFactory(cycle=cycle, date=dt.date(2026, 12, 28), status="scheduled")
    names = ["Zeta", "Alpha", "Mu"]
    enrollments = [
        EnrollmentFactory(cycle=cycle, student__last_name=name, student__first_name="Test")
        for name in names
    ]
    EnrollmentFactory(cycle=cycle, status="waitlisted", waitlist_position=1)
    plan = {
        # Zeta: present, late, excused, absent; Alpha: all present but one unmarked; Mu: absent.
        0: ["present", "late", "excused", "absent"],
        1: ["present", "present", None, "present"],
        2: ["absent", "absent", "absent", "excused"],
    }
    for index, statuses in plan.items():
        for lesson, status in zip(lessons, statuses, strict=True):
            if status:
                Attendance.objects.create(
                    enrollment=enrollments[index], lesson=lesson, status=status
                )
        for extra in (cancelled, before, scheduled):
            Attendance.objects.create(enrollment=enrollments[index], lesson=extra, status="present")
    return cycle


def expected_rows(cycle):
    """An independent computation over the raw marks: per student, per lesson, and totals."""
    lessons = list(
        Lesson.objects.filter(cycle=cycle, status="held", date__range=(START, END)).order_by(
            "date", "starts_at"
        )
    )
    marks = {(a.enrollment_id, a.lesson_id): a.status for a in Attendance.objects.all()}
    rows = []
    for enrollment in cycle.enrollments.exclude(status="waitlisted").order_by(
        "student__last_name", "pk"
    ):
        cells, attended, held = [], Decimal(0), Decimal(0)
        for lesson in lessons:
            mark = marks.get((enrollment.pk, lesson.pk))
            if mark is not None:
                held += lesson.hours
            if mark in ("present", "late"):
                attended += lesson.hours
                cells.append(lesson.hours)
            else:
                cells.append({"absent": "A", "excused": "E"}.get(mark))
        rate = round(float(attended / held), 4) if held else None
        rows.append([enrollment.student_id, cells, attended, rate])
    present = [
        sum(marks.get((e.pk, lesson.pk)) in ("present", "late") for e in cycle.enrollments.all())
        for lesson in lessons
    ]
    return lessons, rows, present


def test_sheet_holds_every_mark_and_total_of_the_period(tmp_path, school, cycle):
    book, progress = build(tmp_path, ReportRequest(school=school, start=START, end=END))
    assert book.sheetnames == ["A1-SHEET"]
    sheet = book["A1-SHEET"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    lessons, students, present = expected_rows(cycle)
    n = len(lessons)
    assert n == 4
    # Heading rows: each lesson's date, hours, topic and teacher.
    assert [d.date() for d in rows[5][3 : 3 + n]] == [lesson.date for lesson in lessons]
    assert sheet.cell(6, 4).number_format == "dd/mm"
    assert rows[6][3 : 3 + n] == [float(lesson.hours) for lesson in lessons]
    assert rows[6][3 + n] == float(sum(lesson.hours for lesson in lessons))
    assert rows[7][3 : 3 + n] == [lesson.topic for lesson in lessons]
    assert rows[8][3 : 3 + n] == ["Eleni Daskalou"] * n
    assert rows[9][-3:] == ["Hours attended", "Attendance %", "Status"]
    body = rows[HEADINGS : HEADINGS + len(students)]
    for number, (row, (student_id, cells, attended, rate)) in enumerate(
        zip(body, students, strict=True), start=1
    ):
        assert row[0] == number and row[1] == student_id
        assert row[3 : 3 + n] == [float(c) if isinstance(c, Decimal) else c for c in cells]
        assert row[3 + n] == float(attended)
        assert row[4 + n] == rate
    assert [row[2] for row in body] == ["Alpha Test", "Mu Test", "Zeta Test"]
    # Alpha: 3+2+4 of 9 marked hours; Zeta: 3+2 of 10.5; Mu: none of 10.5.
    assert [row[4 + n] for row in body] == [1.0, 0.0, 0.4762]
    assert sheet.cell(HEADINGS + 1, 5 + n).number_format == "0.0%"
    totals = rows[HEADINGS + len(students)]
    assert totals[2] == "Participants present" and totals[3 : 3 + n] == present
    hours = rows[HEADINGS + len(students) + 1]
    per_lesson = [p * float(lesson.hours) for p, lesson in zip(present, lessons, strict=True)]
    assert hours[3 : 3 + n] == per_lesson
    assert hours[3 + n] == sum(per_lesson) == sum(float(s[2]) for s in students)
    assert rows[-3][2] == "Teacher's signature" and rows[-3][3 : 3 + n] == [None] * n
    assert "Programme manager (name, signature, date)" in rows[-1][2]
    # Print set-up: A4 landscape, one page wide, headings and names repeated on every page.
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$6:$10" and sheet.print_title_cols == "$A:$C"
    header = sheet.oddHeader.center.text
    assert "A1-SHEET" in header and school.name in header and cycle.operation.code in header
    assert f"Operation: {cycle.operation.code}" in rows[1][0]
    assert "Programme manager" in sheet.oddFooter.left.text
    assert sheet.oddFooter.right.text == "Page &P of &N"
    assert progress[-1] == 100


def test_one_sheet_per_cycle_or_only_the_cycle_asked(tmp_path, school, cycle):
    other = CycleFactory(school=school, code="A2-OTHER")
    LessonFactory(cycle=other, date=dt.date(2026, 11, 2), status="held")
    foreign = CycleFactory(school=SchoolFactory(), code="FOREIGN")
    LessonFactory(cycle=foreign, date=dt.date(2026, 11, 2), status="held")
    book, _ = build(tmp_path, ReportRequest(school=school, start=START, end=END))
    assert sorted(book.sheetnames) == ["A1-SHEET", "A2-OTHER"]
    book, _ = build(
        tmp_path, ReportRequest(school=school, start=START, end=END, cycle_code="A2-OTHER")
    )
    assert book.sheetnames == ["A2-OTHER"]
    # A cycle asked for without a lesson in the period: a sheet that says so, nobody's rate.
    CycleFactory(school=school, code="A1-EMPTY")
    book, _ = build(
        tmp_path, ReportRequest(school=school, start=START, end=END, cycle_code="A1-EMPTY")
    )
    assert book.sheetnames == ["A1-EMPTY"]
    values = [v for row in book["A1-EMPTY"].iter_rows(values_only=True) for v in row if v]
    assert any("No lesson was held in this period" in str(v) for v in values)
    assert not any(isinstance(v, (int, float)) for v in values)


def test_a_period_without_lessons_gives_a_workbook_that_says_so(tmp_path, school, cycle):
    book, _ = build(
        tmp_path, ReportRequest(school=school, start=dt.date(2020, 1, 1), end=dt.date(2020, 2, 1))
    )
    values = [v for row in book.active.iter_rows(values_only=True) for v in row if v]
    assert any("No lesson was held in this period" in str(v) for v in values)
