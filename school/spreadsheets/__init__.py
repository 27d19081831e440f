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

from school.spreadsheets.printing import (
    DATE,
    PERCENT,
    SHORT_DATE,
    Look,
    column_width,
    heading_width,
    lines_in,
    rotated_height,
    row_height,
)
from school.spreadsheets.reading import (
    Problem,
    RowError,
    SpreadsheetError,
    cell_date,
    cell_text,
    read_rows,
)
from school.spreadsheets.streaming import FastRows, StreamedSheet, StreamedWorkbook
from school.spreadsheets.writing import (
    BOLD,
    TITLE,
    WRAP,
    XLSX_CONTENT_TYPE,
    Formula,
    looks_like_formula,
    write_workbook,
)

__all__ = [
    "BOLD",
    "DATE",
    "PERCENT",
    "SHORT_DATE",
    "TITLE",
    "WRAP",
    "XLSX_CONTENT_TYPE",
    "FastRows",
    "Formula",
    "Look",
    "Problem",
    "RowError",
    "SpreadsheetError",
    "StreamedSheet",
    "StreamedWorkbook",
    "cell_date",
    "cell_text",
    "column_width",
    "heading_width",
    "lines_in",
    "looks_like_formula",
    "read_rows",
    "rotated_height",
    "row_height",
    "write_workbook",
]
