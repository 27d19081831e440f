"""Opening uploaded spreadsheets safely, writing small workbooks, and streaming big ones.

An uploaded .xlsx is a zip file: it is checked for size, for its unpacked size (no zip bombs)
and for rows before openpyxl reads it, read-only and values only (never formulas), with XML
entities refused (openpyxl parses through defusedxml). Whatever else is wrong with it, it is a
``SpreadsheetError`` with a message for the person who sent it, never a crash.

Big workbooks (the funder's reports) are streamed: openpyxl's write-only mode writes each row
to a temporary file as it comes (with lxml, quickly) and keeps nothing of it in memory.

One rule for every workbook written here: text is written as text. Text starting like a formula
(``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is a string cell with Excel's quote
prefix, never a formula: names and messages come from uploads and forms, and a spreadsheet
application would otherwise run them (formula injection). Only a ``Formula``, which the product
writes itself, is written as one.
"""

import datetime as dt
import io
import math
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import suppress
from copy import copy
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.utils.translation import gettext as _
from lxml.etree import XMLParser, fromstring, tostring
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell._writer import etree_write_cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message says why, for the person who sent it."""


# An .xls file, or an .xlsx saved with a password (both are OLE compound files, not zips).
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Columns read from an upload: a sheet formatted out to its last column (XFD) would otherwise
# give rows of 16,384 cells. Ours have about twenty.
MAX_COLUMNS = 100
READ_CHUNK = 64 * 1024


def _unreadable() -> SpreadsheetError:
    return SpreadsheetError(_("The file could not be read as an Excel workbook."))


def _too_many_rows() -> SpreadsheetError:
    return SpreadsheetError(
        _("The sheet has more than %(rows)s rows; split it.") % {"rows": settings.IMPORT_MAX_ROWS}
    )


class _Refused(Exception):
    """Raised from inside the XML scan to stop it at once, refusing the file."""

    def __init__(self, error: SpreadsheetError) -> None:
        self.error = error


class _Sized(Exception):
    """Raised from inside the XML scan to stop it at once: the sheet declares its size."""


class _PartScan:
    """An lxml parser target that keeps nothing: refuses a DTD (no entity of any kind, inside
    or outside the file, is ever expanded) and counts rows until the sheet's declared size,
    which is all openpyxl reads of a sheet when it opens the workbook. A sheet without one is
    parsed to its end by openpyxl on opening: a million empty rows took seconds and hundreds of
    megabytes, so more rows than an import may have are refused here first."""

    def __init__(self, max_rows: int) -> None:
        self.rows = 0
        self.max_rows = max_rows

    def doctype(self, *args: Any) -> None:
        raise _Refused(_unreadable())

    def start(self, tag: str, attrib: Any) -> None:
        name = tag.rpartition("}")[2]
        if name == "row":
            self.rows += 1
            if self.rows > self.max_rows:
                raise _Refused(_too_many_rows())
        elif name == "dimension":
            raise _Sized  # the rest is read row by row, within bounds, by ``_sheet_rows``

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def _check_archive(data: bytes) -> None:
    """The zip as a whole: its unpacked size, then every XML part scanned (see ``_PartScan``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(info.file_size for info in members) > settings.IMPORT_MAX_UNPACKED_BYTES:
                raise SpreadsheetError(
                    _("The file unpacks to more than is allowed; it is not an ordinary sheet.")
                )
            for info in members:
                _scan_part(archive, info)
    except SpreadsheetError:
        raise
    except Exception as error:  # a broken zip, a wrong checksum, an encryption flag, ...
        raise _unreadable() from error


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """One part, if it is XML: by its name, or by its first character whatever its name (a
    sheet may be stored under any name its workbook points at; pictures and printer settings
    are not XML and are left alone)."""
    parser = XMLParser(
        target=_PartScan(settings.IMPORT_MAX_ROWS + 1),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    try:
        with archive.open(info) as part:
            chunk = part.read(READ_CHUNK)
            named_xml = info.filename.lower().endswith((".xml", ".rels"))
            if not named_xml and not chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                return
            while chunk:
                parser.feed(chunk)
                chunk = part.read(READ_CHUNK)
        parser.close()
    except _Sized:
        pass
    except _Refused as refused:
        raise refused.error from None
    except Exception as error:  # not well-formed XML: cut short, unclosed, not XML at all
        raise _unreadable() from error


def read_rows(upload: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row number, {header: value}) for each non-empty row of the first sheet.

    Anything wrong with the file is a ``SpreadsheetError``, raised before the first row or
    while the rows are read (a sheet cut short is found only there).
    """
    max_bytes = settings.IMPORT_MAX_BYTES
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetError(
            _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // 1_000_000}
        )
    if data.startswith(OLE_SIGNATURE):
        raise SpreadsheetError(
            _(
                "This file is protected by a password or saved in the old .xls format. "
                "Save it as an Excel .xlsx workbook without a password and try again."
            )
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SpreadsheetError(
            _("This is not an Excel .xlsx file. Save it as .xlsx and try again.")
        )
    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # whatever openpyxl trips over in a damaged file
        raise _unreadable() from error
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("The workbook has no sheet."))
        yield from _sheet_rows(workbook.worksheets[0])
    finally:
        workbook.close()


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    header = next(_values(sheet, min_row=1, max_row=1, max_col=MAX_COLUMNS), None)
    names = [str(cell).strip().lower() if cell is not None else "" for cell in header or ()]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise SpreadsheetError(_("The first sheet is empty."))
    last = settings.IMPORT_MAX_ROWS + 1  # the header and the rows
    # One row past the last allowed is read, to tell a sheet that goes on.
    rows = _values(sheet, min_row=2, max_row=last + 1, max_col=len(names))
    for number, values in enumerate(rows, start=2):
        empty = all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
        if number > last:
            if empty:
                raise SpreadsheetError(
                    _(
                        "The sheet goes on past row %(rows)s (rows that look empty but are "
                        "formatted count too). Delete the rows below your data, or split it."
                    )
                    % {"rows": last}
                )
            raise _too_many_rows()
        if not empty:
            yield number, {name: value for name, value in zip(names, values, strict=False) if name}


def _values(sheet: Any, **bounds: int) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as values; a part that breaks off or fails to parse on the way is a
    ``SpreadsheetError``."""
    rows = sheet.iter_rows(values_only=True, **bounds)
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:
            raise _unreadable() from error
        yield values


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
SPENT_AFTER_CLOSE = (
    "HeaderFooter", "column_dimensions", "row_dimensions", "page_margins", "page_setup",
    "print_options", "protection", "sheet_format", "sheet_properties", "views",
    "conditional_formatting", "data_validations", "row_breaks", "col_breaks", "scenarios",
)  # fmt: skip
FORBIDDEN_IN_TITLES = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


class _Collect:
    """Stands in for the stream so that openpyxl's own cell writer hands over its element."""

    def __init__(self) -> None:
        self.elements: list[Any] = []
        self.write = self.elements.append


class StyledRow(list):
    """A row whose first ``styled`` cells (all with 0) take one style (its array and id)."""

    def __init__(self, values: Iterable[Any], style: Any, style_id: int, count: int) -> None:
        super().__init__(values)
        self.style, self.style_id, self.styled = style, style_id, count


class FastRows:
    """openpyxl's write-only rows, each written as one piece of XML.

    openpyxl writes each cell through a Cell object and four nested elements of its streaming
    XML writer, which is most of the time of a big workbook. Numbers, plain text, dates and
    the cells of ``StreamedSheet.styled`` (nearly every cell of the funder's reports) are put
    here straight into the row's XML, the very XML openpyxl writes for them, and the row is
    parsed once (in C) and written; anything else (times, booleans, text openpyxl reads as an
    error code or rejects, a ``Formula``) goes through openpyxl's own cell writer, so the
    workbook holds the same cells either way. Text that starts like a formula is found by its
    first character (a set look-up, nothing per character) and written as text (``as_text``).
    """

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.letters = [""]
        self.parser = XMLParser(resolve_entities=False, huge_tree=True)
        self.iso_dates, self.epoch = sheet.parent.iso_dates, sheet.parent.epoch
        self.date_style: int | None = None
        sheet._get_writer()
        sheet._values_to_row = lambda values, row_idx: values
        sheet._writer.write_row = self.write_row

    def write_row(self, xf: Any, values: Iterable[Any], row_idx: int) -> None:
        attrs = {"r": f"{row_idx}"}
        attrs.update(self.sheet.row_dimensions.get(row_idx, {}))
        number = f"{row_idx}"
        letters = self.letters
        styled = 0
        if type(values) is StyledRow:
            styled = values.styled or len(values)
            style = f' s="{values.style_id}"'
        cells: list[str] = []
        add = cells.append
        for column, value in enumerate(values, 1):
            while column >= len(letters):
                letters.append(get_column_letter(len(letters)))
            attributes = f'r="{letters[column]}{number}"'
            if column <= styled:
                attributes += style
            elif value is None:
                continue
            kind = type(value)
            if value is None:
                add(f'<c {attributes} t="n"/>')  # a styled empty cell
            elif (
                kind is int
                or (kind is Decimal and value.is_finite())
                or (kind is float and math.isfinite(value))
            ):
                # openpyxl's own number format (a Decimal goes through float, as there).
                text = "%.16g" % value  # noqa: UP031
                add(f'<c {attributes} t="n"><v>{text}</v></c>')
            elif (
                kind is str
                and value
                and len(value) <= 32767
                and value[0] not in FORMULA_STARTS
                and "\r" not in value  # the parser would read it as a line feed
                and value not in ERROR_CODES
                and ILLEGAL_CHARACTERS_RE.search(value) is None
            ):
                space = ' xml:space="preserve"' if value != value.strip() else ""
                add(
                    f'<c {attributes} t="inlineStr"><is><t{space}>'
                    f"{escape(value, quote=False)}</t></is></c>"
                )
            elif kind is dt.date and column > styled and self.iso_dates is False:
                # As openpyxl writes a date: a serial number in its date format.
                if self.date_style is None:
                    self.date_style = WriteOnlyCell(self.sheet, value=value).style_id
                text = "%.16g" % to_excel(value, self.epoch)  # noqa: UP031
                add(f'<c {attributes} s="{self.date_style}" t="n"><v>{text}</v></c>')
            else:
                value = _printable(value)
                if column <= styled or looks_like_formula(value):
                    cell = WriteOnlyCell(self.sheet, value=value)
                    if column <= styled:  # as ``StreamedSheet.styled`` made them before
                        cell._style = copy(values.style)  # type: ignore[attr-defined]
                    if looks_like_formula(value):
                        as_text(cell)
                    value = cell
                add(self.other(value, column, row_idx))
        row = fromstring(f"<row{''.join(f' {k}={quoteattr(v)}' for k, v in attrs.items())}>"
                         f"{''.join(cells)}</row>", self.parser)  # fmt: skip
        xf.write(row)

    def other(self, value: Any, column: int, row_idx: int) -> str:
        """A cell as openpyxl writes it (what its write-only sheet does for each cell)."""
        sheet = self.sheet
        cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value=value)
        cell.column, cell.row = column, row_idx
        if cell.hyperlink is not None:
            cell.hyperlink.ref = cell.coordinate
        if cell._comment is not None:
            sheet._comments.append(CommentRecord.from_cell(cell))
        if cell._value is None and not cell.has_style and not cell._comment:
            return ""
        collect = _Collect()
        etree_write_cell(collect, sheet, cell, cell.has_style)
        return "".join(tostring(element, encoding="unicode") for element in collect.elements)


class StreamedSheet:
    """One sheet of a ``StreamedWorkbook``: rows go out in order and cannot be revisited, so
    set the layout (widths, print set-up, frozen panes) before the first row."""

    def __init__(self, sheet: Any, styles: dict[tuple[Font, bool], tuple[Any, int]]) -> None:
        self.sheet = sheet
        self.styles = styles
        self.fast: FastRows | None = None

    def append(self, values: Iterable[Any]) -> None:
        if self.fast is None:
            # Hooked in at the first row: openpyxl writes the sheet's layout (widths, panes,
            # print set-up) when it opens the rows, so it must be set by then.
            self.fast = FastRows(self.sheet)
        self.sheet.append(values)

    def styled(
        self, values: Iterable[Any], font: Font = BOLD, wrap: bool = False, count: int = 0
    ) -> None:
        """A row of headings (bold, optionally wrapped); with ``count``, only its first cells
        (a row's label), the rest plain: a styled cell costs several times a plain one."""
        key = (font, wrap)
        if key not in self.styles:
            # Setting a font looks the style up in the workbook's list (hashing every
            # attribute): done once per style, and its id with it.
            model = WriteOnlyCell(self.sheet)
            model.font = font
            if wrap:
                model.alignment = WRAP
            self.styles[key] = (model._style, model.style_id)
        style, style_id = self.styles[key]
        self.append(StyledRow(values, style, style_id, count))

    def widths(self, widths: Iterable[float]) -> None:
        """Column widths; a run of equal widths is one entry (a sheet per cycle with sixty
        lesson columns would otherwise keep sixty objects per sheet until the save)."""
        runs: list[list[float]] = []  # [first column, last column, width]
        for column, width in enumerate(widths, start=1):
            if runs and runs[-1][2] == width and runs[-1][1] == column - 1:
                runs[-1][1] = column
            else:
                runs.append([column, column, width])
        for first, last, width in runs:
            dimension = self.sheet.column_dimensions[get_column_letter(int(first))]
            dimension.min, dimension.max, dimension.width = int(first), int(last), width

    def freeze(self, cell: str) -> None:
        self.sheet.freeze_panes = cell

    def print_setup(
        self, *, landscape: bool = True, title_rows: str = "", footer: str = ""
    ) -> None:
        """Landscape, fitted to the page's width (as many pages down as it takes), the heading
        rows repeated on every page, and a footer line."""
        self.sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        self.sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        if title_rows:
            self.sheet.print_title_rows = title_rows
        if footer:
            self.sheet.oddFooter.left.text = footer
            self.sheet.oddFooter.right.text = "&P / &N"

    def bar_chart(self, chart: BarChart, anchor: str) -> None:
        self.sheet.add_chart(chart, anchor)

    def close(self) -> None:
        """Finish the sheet now, so that a workbook of thousands of sheets does not hold a
        temporary file open for each until it is saved."""
        self.sheet.close()
        if self.fast is not None:
            # The closed sheet is kept until the save: let it not keep the row writer too.
            del self.sheet._values_to_row, self.sheet._writer.write_row
            self.fast = None
        # Written out by now and never read again; a closed sheet would otherwise keep about
        # 11 KB of them, which a workbook of thousands of sheets (one per cycle) notices.
        for name in SPENT_AFTER_CLOSE:
            setattr(self.sheet, name, None)


class StreamedWorkbook:
    """A write-only workbook; sheets are written one after another."""

    def __init__(self) -> None:
        self.book = Workbook(write_only=True)
        self._titles: set[str] = set()
        self._styles: dict[tuple[Font, bool], tuple[Any, int]] = {}

    def _unique_title(self, title: str) -> str:
        base = title.translate(FORBIDDEN_IN_TITLES).strip("'")[:31] or "Sheet"
        candidate, number = base, 1
        while candidate.lower() in self._titles:
            number += 1
            suffix = f" ({number})"
            candidate = base[: 31 - len(suffix)] + suffix
        self._titles.add(candidate.lower())
        return candidate

    def sheet(self, title: str) -> StreamedSheet:
        return StreamedSheet(self.book.create_sheet(self._unique_title(title)), self._styles)

    def save(self, path: str | Path) -> None:
        self.book.save(str(path))

    def discard(self) -> None:
        """Give up on a workbook whose build failed: finish each sheet's writer now, rather than
        leave it to the garbage collector, which cannot end it cleanly."""
        for sheet in self.book.worksheets:
            with suppress(Exception):
                sheet.close()
