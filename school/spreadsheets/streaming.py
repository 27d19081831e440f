"""Streaming big workbooks (the funder's reports) row by row, keeping nothing in memory."""

import datetime as dt
import math
from collections.abc import Iterable
from contextlib import suppress
from copy import copy
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from django.utils.translation import gettext as _
from lxml.etree import XMLParser, fromstring, tostring
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell._writer import etree_write_cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from school.spreadsheets.printing import DATE, Look
from school.spreadsheets.writing import (
    BOLD,
    FORMULA_STARTS,
    WRAP,
    _printable,
    as_text,
    looks_like_formula,
)

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
                # As openpyxl writes a date: a serial number in a date format (dd/mm/yyyy,
                # as the headings write dates).
                if self.date_style is None:
                    model = WriteOnlyCell(self.sheet, value=value)
                    model.number_format = DATE
                    self.date_style = model.style_id
                text = "%.16g" % to_excel(value, self.epoch)  # noqa: UP031
                add(f'<c {attributes} s="{self.date_style}" t="n"><v>{text}</v></c>')
            elif isinstance(value, Cell):  # a cell with a look of its own (``StreamedSheet.cell``)
                add(self.other(value, column, row_idx))
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

    def __init__(self, sheet: Any, styles: dict[Any, tuple[Any, int]]) -> None:
        self.sheet = sheet
        self.styles = styles
        self.fast: FastRows | None = None
        self.rows = 0  # rows written so far: the next row is ``rows + 1``

    def append(self, values: Iterable[Any], *, height: float | None = None) -> None:
        """One row; ``height`` in points for a row of wrapped or turned text."""
        if self.fast is None:
            # Hooked in at the first row: openpyxl writes the sheet's layout (widths, panes,
            # print set-up) when it opens the rows, so it must be set by then.
            self.fast = FastRows(self.sheet)
        self.rows += 1
        if height:
            self.sheet.row_dimensions[self.rows].height = round(height, 1)
        self.sheet.append(values)

    def _style(self, look: Look) -> tuple[Any, int]:
        if look not in self.styles:
            model = WriteOnlyCell(self.sheet)
            look.apply(model)
            self.styles[look] = (model._style, model.style_id)
        return self.styles[look]

    def cell(self, value: Any, look: Look) -> Any:
        """A cell of a plain row that prints its own way (a date, a rate, a wrapped text)."""
        cell = WriteOnlyCell(self.sheet, value=_printable(value))
        if looks_like_formula(value):
            as_text(cell)
        cell._style = copy(self._style(look)[0])
        return cell

    def looked(
        self, values: Iterable[Any], look: Look, *, count: int = 0, height: float | None = None
    ) -> None:
        """A row whose cells (with ``count``, its first cells) print with ``look``."""
        style, style_id = self._style(look)
        self.append(StyledRow(values, style, style_id, count), height=height)

    def styled(
        self,
        values: Iterable[Any],
        font: Font = BOLD,
        wrap: bool = False,
        count: int = 0,
        height: float | None = None,
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
        self.append(StyledRow(values, style, style_id, count), height=height)

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
        self,
        *,
        landscape: bool = True,
        title_rows: str = "",
        title_columns: str = "",
        header: str = "",
        footer: str = "",
        pages_across: int = 1,
        pages_down: int = 0,
    ) -> None:
        """A4, landscape, fitted to ``pages_across`` pages' width (and to ``pages_down``
        pages' height, or as many as it takes), the heading rows and columns repeated on every
        page, a header line in the middle, a footer line on the left and "page X of Y" on the
        right."""
        sheet = self.sheet
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = pages_across
        sheet.page_setup.fitToHeight = pages_down
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.4
        sheet.page_margins.top = sheet.page_margins.bottom = 0.6
        if title_rows:
            sheet.print_title_rows = title_rows
        if title_columns:
            sheet.print_title_cols = title_columns
        if header:
            sheet.oddHeader.center.text = header.replace("&", "&&")
            sheet.oddHeader.center.size = 9
        sheet.oddFooter.left.text = footer.replace("&", "&&")
        sheet.oddFooter.left.size = 9
        sheet.oddFooter.right.text = _("Page &P of &N")
        sheet.oddFooter.right.size = 9

    def page_break_after_row(self, row: int) -> None:
        self.sheet.row_breaks.append(Break(id=row))

    def page_break_after_column(self, column: int) -> None:
        self.sheet.col_breaks.append(Break(id=column))

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
        self._styles: dict[Any, tuple[Any, int]] = {}

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
