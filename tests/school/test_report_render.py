"""Each report of the demo school printed as an office prints it (LibreOffice headless, to PDF)
and read back: every lesson date and every name is on paper, no cell shows "###", and the
pages are those the page set-up promises. The first page of each goes to test-artifacts/."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from courses.models import Enrollment, Lesson
from exams.models import ExamRegistration, ExamResult
from school.models import School
from school.reports import ReportRequest, report_write
from tests.render import first_page_png, page_count, pdf_pages, to_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.render]
TODAY = "2026-11-22"
START, END = dt.date(2026, 1, 1), dt.date(2026, 11, 22)
# Direction marks pdftotext puts around right-to-left text.
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def demo():
    call_command("seed_demo", "--today", TODAY, stdout=StringIO(), stderr=StringIO())
    return School.objects.get()


def printed(tmp_path, school, kind):
    path = tmp_path / f"{kind}.xlsx"
    request = ReportRequest(school=school, start=START, end=END)
    report_write(kind=kind, request=request, path=str(path), progress=lambda p: None)
    pdf = to_pdf(path)
    first_page_png(pdf, f"render-{kind}")
    pages = [" ".join(BIDI.sub("", page).split()) for page in pdf_pages(pdf)]
    assert len(pages) == page_count(pdf)
    assert not any("###" in page for page in pages), "a column too narrow for its value"
    # Every page says which it is, of how many.
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    return load_workbook(path), pages


def names_on(text, student):
    return all(word in text for word in f"{student.last_name} {student.first_name}".split())


def test_attendance_sheets_print_every_date_and_name_on_the_promised_pages(tmp_path, demo):
    book, pages = printed(tmp_path, demo, "attendance-sheets")
    assert len(book.sheetnames) >= 3
    promised = 0
    for sheet in book.worksheets:
        code = sheet.title
        mine = [page for page in pages if f"Cycle {code} " in page]
        # Fitted to one page's width; a page ends at each of the sheet's page breaks.
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert len(mine) == len(sheet.row_breaks.brk) + 1
        promised += len(mine)
        text = " ".join(mine)
        lessons = Lesson.objects.filter(
            cycle__code=code, status="held", date__range=(START, END)
        ).order_by("date")
        assert lessons.exists()
        for lesson in lessons:
            assert f"{lesson.date:%d/%m}" in text
        enrollments = Enrollment.objects.filter(cycle__code=code).exclude(status="waitlisted")
        for enrollment in enrollments.select_related("student"):
            assert names_on(text, enrollment.student), enrollment.student
        # The headings on every page of the sheet, and signatures on its last.
        assert all("Participant" in page and "Date" in page for page in mine)
        assert "Teacher's signature" in mine[-1] and "Programme manager" in mine[-1]
    assert promised == len(pages)


def test_esf_workbook_prints_every_participant_two_pages_wide(tmp_path, demo):
    book, pages = printed(tmp_path, demo, "esf-participants")
    participants = book["Participants"]
    assert participants.page_setup.fitToWidth == 2
    assert participants.print_title_rows == "$1:$1"
    assert participants.print_title_cols == "$A:$B"
    text = " ".join(pages)
    entries = {row[2] for row in participants.iter_rows(min_row=2, values_only=True) if row[1]}
    assert entries
    for entry in entries:
        assert f"{entry:%d/%m/%Y}" in text
    # The sheets print in order: participants, indicators, missing data.
    count = next(n for n, page in enumerate(pages) if "ESF participant indicators" in page)
    participant_pages, rest = pages[:count], pages[count:]
    # Two pages across, each with the participant id column and the heading row repeated;
    # between them, every heading is on paper.
    assert participant_pages and len(participant_pages) % 2 == 0
    assert all("Participant id" in page for page in participant_pages)
    headings = [c.value for c in participants[1]]
    on_paper = " ".join(participant_pages)
    assert all(word in on_paper for heading in headings for word in heading.split())
    # The indicators sheet follows, its heading row on each of its pages.
    count = next((n for n, page in enumerate(rest) if "Women" not in page), len(rest))
    indicator_pages, missing_pages = rest[:count], rest[count:]
    assert indicator_pages
    assert all("Indicator" in page for page in indicator_pages)
    # Then who lacks answers, its heading row on each of its pages.
    assert missing_pages
    assert all("Participant" in page and "Missing" in page for page in missing_pages)


def test_results_workbook_prints_every_candidate_and_rates_as_percentages(tmp_path, demo):
    book, pages = printed(tmp_path, demo, "exam-results")
    text = " ".join(pages)
    registrations = ExamRegistration.objects.filter(exam_round__exam_date__range=(START, END))
    assert registrations.exists()
    for registration in registrations.select_related("student"):
        assert names_on(text, registration.student)
    results = ExamResult.objects.filter(registration__in=registrations)
    rate = results.filter(passed=True).count() / results.count()
    assert f"{rate:.1%}" in text
    assert all(len(name) <= 31 for name in book.sheetnames)
