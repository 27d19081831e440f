"""Uploads that are not honest spreadsheets: each is a clear message on both import pages and
from the import command, never a server error, and none takes long or reads a file of the
server (XML entities are never expanded)."""

import datetime as dt
import io
import zipfile
from io import StringIO

import openpyxl.reader.strings
import openpyxl.worksheet._reader
import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from courses.imports import COLUMNS, students_import
from exams.imports import results_import
from school.checks import uploads_parsed_without_entities
from school.models import Student
from school.spreadsheets import read_rows
from school.spreadsheets.reading import MAX_COLUMNS
from tests.factories import ExamRoundFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + f']><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;'
    "</t></is></c></row></sheetData></worksheet>"
).encode()
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY host SYSTEM "file:///etc/hostname">]>'
    f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&host;'
    "</t></is></c></row></sheetData></worksheet>"
).encode()


def workbook_bytes(header=("first_name", "last_name"), rows=(("Amina", "Haddad"),)) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook ``data`` with its part ``name`` replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != name:
                archive.writestr(info.filename, source.read(info))
        archive.writestr(name, content)
    return out.getvalue()


def sheet_xml(rows: str, dimension: str | None = None) -> bytes:
    dimension_element = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<worksheet xmlns="{MAIN}">{dimension_element}<sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>first_name</t></is></c></row>'
        f"{rows}</sheetData></worksheet>"
    ).encode()


def empty_styled_rows(count: int) -> str:
    return "".join(f'<row r="{n}"><c r="A{n}" s="1"/></row>' for n in range(2, count + 2))


def renamed_sheet(content: bytes) -> bytes:
    """The sheet stored as ``sheet1.dat``: a workbook may name its parts as it likes."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info).replace(b"sheet1.xml", b"sheet1.dat")
            name = info.filename.replace("sheet1.xml", "sheet1.dat")
            archive.writestr(name, content if name.endswith(".dat") else data)
    return out.getvalue()


def truncated_sheet() -> bytes:
    data = workbook_bytes(rows=[("Amina", "Haddad")] * 50)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    return with_part(data, SHEET, sheet[: len(sheet) // 2])


def no_sheets() -> bytes:
    data = workbook_bytes()
    workbook = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    start, end = workbook.index("<sheets>"), workbook.index("</sheets>") + len("</sheets>")
    return with_part(
        data, "xl/workbook.xml", (workbook[:start] + "<sheets/>" + workbook[end:]).encode()
    )


def encrypted() -> bytes:
    # What Excel saves with a password: an OLE compound file holding the encrypted package.
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptedPackage" * 64


HOSTILE = {
    "sheet cut short": (truncated_sheet, "could not be read"),
    "workbook.xml malformed": (
        lambda: with_part(workbook_bytes(), "xl/workbook.xml", b"<workbook><sheets><oops"),
        "could not be read",
    ),
    "billion laughs in the sheet": (
        lambda: with_part(workbook_bytes(), SHEET, LAUGHS),
        "could not be read",
    ),
    "billion laughs in workbook.xml": (
        lambda: with_part(workbook_bytes(), "xl/workbook.xml", LAUGHS),
        "could not be read",
    ),
    "external entity": (lambda: with_part(workbook_bytes(), SHEET, EXTERNAL), "could not be read"),
    "external entity in the shared strings": (
        lambda: with_part(
            workbook_bytes(), "xl/sharedStrings.xml", EXTERNAL.replace(b"worksheet", b"sst")
        ),
        "could not be read",
    ),
    "not a zip": (lambda: b"first_name,last_name\nAmina,Haddad\n", "not an Excel .xlsx file"),
    "a zip of something else": (
        lambda: with_part(workbook_bytes(), SHEET, b"\x00\x01 not xml at all"),
        "could not be read",
    ),
    "encrypted": (encrypted, "protected by a password"),
    "no sheets": (no_sheets, "has no sheet"),
    "a million empty styled rows": (
        lambda: with_part(workbook_bytes(), SHEET, sheet_xml(empty_styled_rows(1_000_000))),
        "more than 5000 rows",
    ),
    "a million empty styled rows under another name": (
        lambda: renamed_sheet(sheet_xml(empty_styled_rows(1_000_000))),
        "more than 5000 rows",
    ),
    "a million empty styled rows, sized": (
        lambda: with_part(
            workbook_bytes(), SHEET, sheet_xml(empty_styled_rows(1_000_000), "A1:A1000001")
        ),
        "goes on past row 5001",
    ),
}


@pytest.fixture(scope="module", params=sorted(HOSTILE), ids=str)
def hostile(request):
    make, message = HOSTILE[request.param]
    return request.param, make(), message


def _upload(data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = "upload.xlsx"
    return upload


def test_openpyxl_parses_uploads_through_defusedxml():
    assert openpyxl.worksheet._reader.iterparse.__module__.startswith("defusedxml")
    assert openpyxl.reader.strings.iterparse.__module__.startswith("defusedxml")
    assert uploads_parsed_without_entities() == []


def test_a_hostile_upload_is_one_clear_problem_soon(hostile, school, monkeypatch, settings):
    name, data, message = hostile
    # Work is counted, not timed: the rows openpyxl parses.
    parse_row = openpyxl.worksheet._reader.WorkSheetParser.parse_row
    parsed = []

    def counted(parser, row):
        parsed.append(1)
        return parse_row(parser, row)

    monkeypatch.setattr(openpyxl.worksheet._reader.WorkSheetParser, "parse_row", counted)
    report = students_import(school=school, upload=io.BytesIO(data))
    assert [(p.row, p.field) for p in report.problems] == [(0, "file")], name
    assert message in report.problems[0].message, name
    assert "hostname" not in report.problems[0].message
    assert not Student.objects.exists()
    # Opening a sheet of a million rows without a declared size took openpyxl about 7 seconds
    # and 200 MB here; refused before, openpyxl parses at most the allowed rows and the few
    # after them that show the sheet goes on.
    assert len(parsed) <= settings.IMPORT_MAX_ROWS + 10, f"{name}: {len(parsed)} rows parsed"


def test_a_hostile_upload_is_a_message_on_the_applicants_import_page(hostile, client):
    name, data, message = hostile
    coordinator = UserFactory(role="coordinator")
    client.force_login(coordinator)
    page = client.post("/office/import/", {"file": _upload(data)})
    assert page.status_code == 200, name
    assert message in page.content.decode(), name


def test_a_hostile_upload_is_a_message_on_the_exam_results_import_page(hostile, client):
    name, data, message = hostile
    coordinator = UserFactory(role="coordinator")
    exam_round = ExamRoundFactory(school=coordinator.school)
    client.force_login(coordinator)
    response = client.post(f"/office/exams/{exam_round.pk}/import/", {"file": _upload(data)})
    assert response.status_code == 302, name
    page = client.get(response["Location"])
    assert message in page.content.decode(), name
    assert results_import(exam_round=exam_round, upload=io.BytesIO(data)).recorded == 0


def test_a_hostile_upload_is_a_message_from_the_import_command(hostile, tmp_path):
    _name, data, message = hostile
    SchoolFactory()
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        call_command("import_students", str(path), stdout=StringIO())


def test_rows_formatted_out_to_the_last_column_are_read_quickly(school, monkeypatch):
    header = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{column.name}</t></is></c>'
        for letter, column in zip("ABCDEFGHIJKLMNOPQRSTU", COLUMNS, strict=False)
    )
    xml = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD5001"/><sheetData><row r="1">{header}'
        '<c r="XFD1" s="1"/></row>'
        + "".join(f'<row r="{n}"><c r="XFD{n}" s="1"/></row>' for n in range(2, 5002))
        + "</sheetData></worksheet>"
    ).encode()
    # Work is counted, not timed: no row is padded out to column XFD (16,384 cells).
    get_row = ReadOnlyWorksheet._get_row
    widest = [0]

    def measured(sheet, *args, **kwargs):
        row = get_row(sheet, *args, **kwargs)
        widest[0] = max(widest[0], len(row))
        return row

    monkeypatch.setattr(ReadOnlyWorksheet, "_get_row", measured)
    rows = list(read_rows(io.BytesIO(with_part(workbook_bytes(), SHEET, xml))))
    assert rows == []
    assert 0 < widest[0] <= MAX_COLUMNS


def test_a_sheet_under_another_name_is_read(school):
    data = renamed_sheet(
        sheet_xml('<row r="2"><c r="A2" t="inlineStr"><is><t>Amina</t></is></c></row>')
    )
    assert list(read_rows(io.BytesIO(data))) == [(2, {"first_name": "Amina"})]


def test_an_honest_sheet_with_a_gap_and_a_declared_size_is_read_whole(school):
    data = workbook_bytes(
        header=("first_name", "last_name", "date_of_birth"),
        rows=[
            ("Amina", "Haddad", dt.date(1990, 1, 2)),
            (None, None, None),
            ("Omid", "Nouri", None),
        ],
    )
    assert [number for number, _row in read_rows(io.BytesIO(data))] == [2, 4]
