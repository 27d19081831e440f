import datetime as dt
import io
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils.text import capfirst
from openpyxl import Workbook, load_workbook

from courses.imports import COLUMNS, FIXED_ANSWERS, students_import, template_workbook
from courses.models import Enrollment
from school.models import Student
from tests.factories import CycleFactory, on_factory_day

pytestmark = [pytest.mark.django_db, on_factory_day]
HEADERS = [c.name for c in COLUMNS]


def row(**values):
    base = {
        "first_name": "Amina", "last_name": "Testperson", "date_of_birth": dt.datetime(1991, 3, 4),
        "gender": "female", "nationality": "SY", "language": "ar", "phone": "6912345678",
        "labour_market_status": "unemployed", "isced_level": 3,
    }  # fmt: skip
    base.update(values)
    return [base.get(name) for name in HEADERS]


def xlsx(rows, headers=HEADERS) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


GOOD_AND_BAD = [
    row(),
    row(
        first_name="Omid",
        last_name="Nouri",
        nationality="AF",
        language="fa",
        phone="+30 697 000 1111",
        date_of_birth="1988-12-01",
    ),
    row(first_name="Olena", date_of_birth="31/02/1990"),  # row 4: no such date
    row(first_name="Grâce", phone="12345"),  # row 5: bad phone
    row(first_name="Yusuf", nationality="XX"),  # row 6: unknown country
    row(first_name="Ali", labour_market_status="", isced_level=11),  # row 7: two problems
    row(),  # row 8: the same person as row 2
]


def test_valid_rows_are_imported_and_every_problem_is_reported_by_row(school):
    report = students_import(school=school, upload=xlsx(GOOD_AND_BAD))
    assert report.created == 2
    problems = [(p.row, p.field) for p in report.problems]
    assert problems == [
        (4, "date_of_birth"), (5, "phone"), (6, "nationality"), (7, "isced_level"),
        (7, "labour_market_status"), (8, "row"),
    ]  # fmt: skip
    assert report.rejected_rows == 5
    omid = Student.objects.get(first_name="Omid")
    assert str(omid.phone) == "+306970001111"
    assert omid.date_of_birth == dt.date(1988, 12, 1)
    assert omid.nationality.code == "AF"


def test_importing_the_same_file_twice_creates_no_duplicates(school):
    students_import(school=school, upload=xlsx(GOOD_AND_BAD))
    again = students_import(school=school, upload=xlsx(GOOD_AND_BAD))
    assert again.created == 0
    assert again.already_there == 3  # rows 2, 3 and 8 (row 8 repeats row 2)
    assert Student.objects.filter(school=school).count() == 2


def test_import_into_a_cycle_enrolls_then_waitlists(school):
    cycle = CycleFactory(school=school, capacity=1)
    report = students_import(school=school, upload=xlsx(GOOD_AND_BAD[:2]), cycle=cycle)
    assert (report.created, report.enrolled, report.waitlisted) == (2, 1, 1)
    assert Enrollment.objects.filter(cycle=cycle).count() == 2


def test_a_row_whose_enrollment_is_refused_leaves_nothing_behind(school):
    from tests.factories import level

    a2 = CycleFactory(school=school, level=level("A2"))
    report = students_import(school=school, upload=xlsx([row()]), cycle=a2)
    assert report.created == 0
    assert [(p.row, p.field) for p in report.problems] == [(2, "student")]
    assert not Student.objects.filter(school=school).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"first_name,last_name\nA,B\n", "not an Excel .xlsx file"),
        (b"", "not an Excel .xlsx file"),
    ],
)
def test_a_file_that_is_not_xlsx_gets_a_clear_error(school, content, message):
    report = students_import(school=school, upload=io.BytesIO(content))
    assert report.problems[0].row == 0
    assert message in report.problems[0].message


def test_a_zip_bomb_is_refused_before_it_is_unpacked(school, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1_000_000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    out.seek(0)
    report = students_import(school=school, upload=out)
    assert "unpacks to more" in report.problems[0].message


def test_missing_required_columns_are_named(school):
    report = students_import(
        school=school, upload=xlsx([["A", "B"]], headers=["first_name", "last_name"])
    )
    assert report.problems[0].field == "header"
    assert "date_of_birth" in report.problems[0].message


def test_too_many_rows_is_refused(school, settings):
    settings.IMPORT_MAX_ROWS = 3
    report = students_import(
        school=school, upload=xlsx([row(first_name=f"P{i}") for i in range(5)])
    )
    assert report.created == 0
    assert "more than 3 rows" in report.problems[0].message


def test_command_imports_and_writes_the_report(school, tmp_path):
    cycle = CycleFactory(school=school, code="A1-X")
    path = tmp_path / "applicants.xlsx"
    path.write_bytes(xlsx(GOOD_AND_BAD).getvalue())
    out = StringIO()
    call_command(
        "import_students",
        str(path),
        "--cycle",
        "A1-X",
        "--report",
        str(tmp_path / "r.xlsx"),
        stdout=out,
    )
    assert "Imported 2" in out.getvalue()
    assert "row 4: date_of_birth" in out.getvalue()
    sheet = load_workbook(tmp_path / "r.xlsx").worksheets[0]
    assert [c.value for c in sheet[1]] == ["row", "field", "message"]
    assert sheet.max_row == 7
    assert Enrollment.objects.filter(cycle=cycle).count() == 2


def test_command_says_when_the_file_is_not_a_spreadsheet(school, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(CommandError, match="not an Excel"):
        call_command("import_students", str(path), stdout=StringIO())


def test_office_import_page_shows_and_downloads_the_report(client, coordinator):
    client.force_login(coordinator)
    template = client.get("/office/import/template.xlsx")
    assert template.status_code == 200
    header = [c.value for c in load_workbook(io.BytesIO(template.content)).worksheets[0][1]]
    assert header == [capfirst(str(Student._meta.get_field(name).verbose_name)) for name in HEADERS]

    upload = xlsx(GOOD_AND_BAD)
    upload.name = "applicants.xlsx"
    page = client.post("/office/import/", {"file": upload})
    assert page.status_code == 200
    assert "Invalid date" not in page.content.decode()
    assert "is not a date" in page.content.decode()
    report = client.get("/office/import/report.xlsx")
    rows = list(load_workbook(io.BytesIO(report.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:2] == (4, "date_of_birth")


def test_office_import_of_a_non_spreadsheet_is_a_message_not_an_error(client, coordinator):
    client.force_login(coordinator)
    upload = io.BytesIO(b"%PDF-1.4 not a sheet")
    upload.name = "scan.pdf"
    page = client.post("/office/import/", {"file": upload})
    assert page.status_code == 200
    assert "not an Excel .xlsx file" in page.content.decode()


def _filled_template(settings, language):
    """The template as an office fills it in: its own headings, answers from its lists."""
    settings.LANGUAGE_CODE = language
    book = load_workbook(io.BytesIO(template_workbook()))
    sheet = book.worksheets[0]
    lists = book.worksheets[1]
    assert lists.sheet_state == "hidden"
    headings = [c.value for c in sheet[1]]
    column = {c.name: i for i, c in enumerate(COLUMNS)}

    def answer(name, index):
        return lists.cell(row=index + 1, column=column[name] + 1).value

    values = {
        "first_name": "Roya", "last_name": "Karimi", "date_of_birth": dt.date(1994, 2, 3),
        "gender": answer("gender", 0), "nationality": "AF", "language": answer("language", 3),
        "phone": "6912345670", "labour_market_status": answer("labour_market_status", 4),
        "isced_level": answer("isced_level", 3), "homeless": answer("homeless", 2),
        "rural_area": answer("rural_area", 0),
    }  # fmt: skip
    sheet.append([values.get(c.name) for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return book, headings, out


@pytest.mark.parametrize("language", ["el", "en"])
def test_the_template_filled_in_comes_back_as_the_codes(school, settings, language):
    book, headings, upload = _filled_template(settings, language)
    sheet = book.worksheets[0]
    # Headings in the installation's language; a list for every fixed answer; an example row.
    if language == "el":
        assert headings[0] == "Όνομα" and "first_name" not in headings
    lists = {
        str(v.sqref).split(":")[0].rstrip("0123456789")
        for v in sheet.data_validations.dataValidation
    }
    letters = {chr(ord("A") + i) for i, c in enumerate(COLUMNS) if c.name in FIXED_ANSWERS}
    assert lists == letters and len(letters) == 11
    assert "(" in sheet["A2"].value and "Fatima" in sheet["A2"].value
    explained = [
        row[1] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True) if row[1]
    ]
    assert explained == [c.name for c in COLUMNS]

    report = students_import(school=school, upload=upload)
    assert report.problems == [] and report.created == 1, report.problems
    student = Student.objects.get(school=school)
    assert (student.first_name, student.gender, student.language) == ("Roya", "female", "fa")
    assert (student.labour_market_status, student.isced_level) == ("inactive", 3)
    assert (student.homeless, student.rural_area) == ("declined", True)
    # The example row is skipped: nobody named Fatima.
    assert not Student.objects.filter(first_name__icontains="Fatima").exists()
