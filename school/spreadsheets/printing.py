"""How the workbooks print: one look for each kind of cell (``Look``), the display formats, the
page set-up, and widths and heights worked out from the text a cell holds.

An office prints the funder's workbooks and files them; the auditor reads the paper. So a date
is a real date shown dd/mm/yyyy, a rate a real fraction shown as a percentage, a heading wraps
inside its cell with its row tall enough for it, and every sheet says how it goes on paper
(A4 landscape, so many pages across, the heading rows and name columns on every page, "page X
of Y" in the footer).
"""

import math
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Alignment, Border, Font, Side

# Display formats: the cell holds the number, the format shows it.
DATE = "dd/mm/yyyy"
SHORT_DATE = "dd/mm"
PERCENT = "0.0%"
HOURS = "0.##"

# Calibri 11 (LibreOffice prints it with Carlito, metric-compatible): a column of width w holds
# about w digits; a row of text is 15 points high.
LINE_HEIGHT = 15.0
CHARACTER_WIDTH = 1.1  # a letter is a little wider than a digit, on average
BOLD_WIDTH = 1.2
MAX_ROW_HEIGHT = 300.0  # what LibreOffice and Excel accept (409), with room for the rest of a page


@dataclass(frozen=True)
class Look:
    """How a cell prints. One ``Look`` is one style in the workbook, whatever the number of
    cells that share it."""

    bold: bool = False
    size: float | None = None
    wrap: bool = False
    align: str | None = None  # "left", "center", "right"
    rotate: int = 0  # degrees; 90 reads upwards
    border: bool = False
    number_format: str = "General"

    def apply(self, cell: Any) -> None:
        if self.bold or self.size:
            cell.font = Font(bold=self.bold, size=self.size)
        if self.wrap or self.align or self.rotate:
            cell.alignment = Alignment(
                wrap_text=self.wrap or None,
                horizontal=self.align,
                vertical="center" if self.rotate else "top",
                text_rotation=self.rotate,
            )
        if self.border:
            thin = Side(style="thin", color="808080")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        if self.number_format != "General":
            cell.number_format = self.number_format


def text_width(value: Any) -> float:
    """The width (in a column's units) that one line of ``value`` needs."""
    if value is None:
        return 0.0
    longest = max((len(line) for line in str(value).splitlines()), default=0)
    return longest * CHARACTER_WIDTH + 2


def column_width(values: Any, *, least: float = 4, most: float = 40) -> float:
    """A column wide enough for its longest value, within bounds (longer text wraps)."""
    return round(min(most, max([least, *(text_width(value) for value in values)])), 1)


def heading_width(heading: Any, values: Any = (), *, least: float = 4, most: float = 40) -> float:
    """A column wide enough for its values and for the longest word of its heading (which
    wraps between words, never inside one)."""
    words = str(heading or "").split() or [""]
    # A heading is bold: a fifth wider than the same letters plain.
    bold = max(text_width(word) * BOLD_WIDTH for word in words)
    return column_width(values, least=max(least, min(most, bold)), most=most)


def lines_in(value: Any, width: float) -> int:
    """The lines ``value`` takes once wrapped in a column of ``width`` (words kept whole)."""
    if value is None or value == "":
        return 1
    per_line = max(1, int((width - 1) / CHARACTER_WIDTH))
    lines = 0
    for paragraph in str(value).splitlines() or [""]:
        used, count = 0, 1
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size > per_line:
                count += 1
                used = 0
            used += (1 if used else 0) + size
            count += max(0, math.ceil(size / per_line) - 1)
        lines += count
    return lines


def row_height(values: Any, widths: Any) -> float:
    """The height (points) of a row of wrapped cells: that of its tallest cell."""
    lines = max(
        [1, *(lines_in(value, width) for value, width in zip(values, widths, strict=False))]
    )
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT)


def rotated_height(values: Any, *, most: float = MAX_ROW_HEIGHT) -> float:
    """The height (points) of a row whose text reads upwards: its longest text on one line,
    or wrapped onto more lines beside each other when longer than ``most``."""
    longest = max([4.0, *(text_width(value) for value in values)])
    return min(most, longest * 6.0)
