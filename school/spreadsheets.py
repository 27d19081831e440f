"""Opening uploaded spreadsheets safely, and writing small workbooks.

An uploaded .xlsx is a zip file: it is checked for size, for its unpacked size (no zip bombs)
and for rows before openpyxl reads it, read-only and values only (never formulas).
"""

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message says why, for the person who sent it."""


def read_rows(upload: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row number, {header: value}) for each non-empty row of the first sheet."""
    max_bytes = settings.IMPORT_MAX_BYTES
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetError(
            _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // 1_000_000}
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SpreadsheetError(
            _("This is not an Excel .xlsx file. Save it as .xlsx and try again.")
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            _("The file unpacks to more than is allowed; it is not an ordinary sheet.")
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SpreadsheetError(_("The file could not be read as an Excel workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise SpreadsheetError(_("The first sheet is empty."))
        names = [str(cell).strip().lower() if cell is not None else "" for cell in header]
        for number, values in enumerate(rows, start=2):
            if number - 1 > settings.IMPORT_MAX_ROWS:
                raise SpreadsheetError(
                    _("The sheet has more than %(rows)s rows; split it.")
                    % {"rows": settings.IMPORT_MAX_ROWS}
                )
            if values is None or all(
                v is None or (isinstance(v, str) and not v.strip()) for v in values
            ):
                continue
            yield number, {name: value for name, value in zip(names, values, strict=False) if name}
    finally:
        workbook.close()


def write_workbook(sheets: list[tuple[str, list[str], Iterable[Iterable[Any]]]]) -> bytes:
    """A small workbook (a template, a report): bold headers, sensible column widths."""
    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        for column, header in enumerate(headers, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = max(
                12, len(header) + 2
            )
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
