"""The streamed workbook writes its rows' XML itself: the sheets must hold exactly what
openpyxl's write-only mode writes for the same rows, text that looks like a formula written as
text (a string cell with the quote prefix), as every workbook we write does."""

import datetime as dt
import zipfile
from decimal import Decimal

from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment

from school.spreadsheets import BOLD, Formula, StreamedWorkbook

ROWS = [
    [1, 0, -7, 10**17, 2.5, 1 / 3, float("nan"), float("inf"), Decimal("1.50"), Decimal("0")],
    [Decimal("NaN"), Decimal("12345678901234567890.123"), True, False, None, None, "x"],
    ["plain", " leading", "trailing ", "a & b < c > d", "quote \" and '", "line\nbreak"],
    ["carriage\r\nreturn", "tab\there", "=SUM(A1:A2)", "=", "#N/A", "#DIV/0!", "", "Ελληνικά"],
    [dt.date(2026, 11, 22), dt.datetime(2026, 11, 22, 8, 30), dt.time(9, 15), None, "after"],
    [dt.date(1900, 1, 1), dt.date(1900, 3, 1), dt.date(1899, 12, 31), dt.date(9999, 12, 31)],
    [None, None, None],
    [],
    ["x" * 40000],
    ["+30 690 000 0000", "-minus", "@SUM(A1)", "\tTab", "\rCR", "a=b", "x-", Formula("=1+2")],
]
# Control characters XML cannot hold are dropped (openpyxl alone refuses the whole cell).
CONTROL = (["bad\x01control", "=bad\x02", 3], ["badcontrol", "=bad", 3])
# Text as openpyxl's own writer would take it, before the rule of text as text.
FORMULA_LIKE = ("=", "+", "-", "@", "\t", "\r")


def as_openpyxl_text(sheet, value):
    """The reference for the rule, written with openpyxl directly: a string cell, quoted."""
    if type(value) is dt.date:  # a date shows dd/mm/yyyy, as the headings write dates
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell
    if isinstance(value, str) and value.startswith(FORMULA_LIKE) and type(value) is not Formula:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def _sheets(path: str) -> dict[str, bytes]:
    """Every worksheet part, canonicalised (an empty element written either way reads alike)."""
    with zipfile.ZipFile(path) as archive:
        return {
            name: etree.tostring(etree.fromstring(archive.read(name)), method="c14n")
            for name in archive.namelist()
            if name.startswith("xl/") and name.endswith(".xml")
        }


def test_rows_are_written_as_openpyxl_writes_them(tmp_path):
    ours = StreamedWorkbook()
    sheet = ours.sheet("Rows")
    sheet.styled(["Heading", None, 3], font=BOLD, wrap=True)
    sheet.styled(["Label", 4, Decimal("5.5")], count=1)
    sheet.styled([dt.date(2026, 1, 2), "", None, "=1+1", True], count=9)
    sheet.styled(["Date", dt.date(2026, 1, 3)], count=1)
    for row in ROWS:
        sheet.append(row)
    sheet.append(CONTROL[0])
    sheet.close()
    ours.save(tmp_path / "ours.xlsx")

    # The same rows through openpyxl alone, styled cells made the way ``styled`` makes them.
    reference = Workbook(write_only=True)
    plain = reference.create_sheet("Rows")

    def bold(value, wrap=False):
        cell = WriteOnlyCell(plain, value=value)
        cell.number_format = "General"  # the heading's style replaces a date's format
        cell.font = BOLD
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    plain.append([bold("Heading", True), bold(None, True), bold(3, True)])
    plain.append([bold("Label"), 4, Decimal("5.5")])
    quoted = bold("=1+1")
    quoted.data_type, quoted.quotePrefix = "s", True
    plain.append([bold(dt.date(2026, 1, 2)), bold(""), bold(None), quoted, bold(True)])
    plain.append([bold("Date"), as_openpyxl_text(plain, dt.date(2026, 1, 3))])
    for row in [*ROWS, CONTROL[1]]:
        plain.append([as_openpyxl_text(plain, value) for value in row])
    plain.close()
    reference.save(tmp_path / "reference.xlsx")

    assert _sheets(tmp_path / "ours.xlsx") == _sheets(tmp_path / "reference.xlsx")
    values = list(load_workbook(tmp_path / "ours.xlsx")["Rows"].iter_rows(values_only=True))
    assert values[4][:4] == (1, 0, -7, 10**17)
    assert values[6][:6] == ("plain", " leading", "trailing ", "a & b < c > d", 'quote " and \'',
                             "line\nbreak")  # fmt: skip
    assert values[7][0] == "carriage\r\nreturn"
    assert values[7][2] == "=SUM(A1:A2)"
    assert values[13][:8] == ("+30 690 000 0000", "-minus", "@SUM(A1)", "\tTab", "\rCR", "a=b", "x-",
                          "=1+2")  # fmt: skip
    assert values[14][:3] == ("badcontrol", "=bad", 3)
    with zipfile.ZipFile(tmp_path / "ours.xlsx") as archive:
        rows = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    formulas = [f.text for f in rows.iter("{*}f")]
    assert formulas == ["1+2"], "only the product's own Formula is a formula"
