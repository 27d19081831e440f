"""Writing small workbooks (templates, per-row reports), with text always written as text."""

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

# The content type of an .xlsx workbook, for every download of one.
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet application reads as the start of a formula (OWASP, "CSV injection"); a
# tab or a carriage return too, which some strip before they look.
FORMULA_STARTS = frozenset("=+-@\t\r")


class Formula(str):
    """A formula the product writes itself (a total of cells it wrote): the only text that is
    written as a formula. ``Formula("=SUM(B2:B9)")``."""


def looks_like_formula(value: Any) -> bool:
    """Text from data that an application would take for a formula: it goes out as text."""
    return isinstance(value, str) and value[:1] in FORMULA_STARTS and type(value) is not Formula


def as_text(cell: Cell) -> Cell:
    """Make ``cell`` (holding formula-looking text) a string cell with Excel's quote prefix: it
    shows the text as written, and stays text when someone edits it."""
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _printable(value: Any) -> Any:
    """Text without the control characters that XML cannot hold (openpyxl refuses them)."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _cells(sheet: Worksheet, values: Iterable[Any]) -> list[Any]:
    row = []
    for value in values:
        value = _printable(value)
        row.append(as_text(Cell(sheet, value=value)) if looks_like_formula(value) else value)
    return row


def write_workbook(sheets: list[tuple[str, list[str], Iterable[Iterable[Any]]]]) -> bytes:
    """A small workbook (a template, a report): bold headers, sensible column widths. Text
    that looks like a formula is written as text (see ``Formula``)."""
    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(_cells(sheet, headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(_cells(sheet, row))
        for column, header in enumerate(headers, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = max(
                12, len(header) + 2
            )
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")
