"""Reading uploaded workbooks safely: checked for size, unpacked size (no zip bombs), rows and
XML entities before openpyxl reads them, read-only and values only (never formulas). Then what
every import shares: a row's ``Problem`` for the per-row report, and the cell parsers."""

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.utils.translation import gettext as _
from lxml.etree import XMLParser
from openpyxl import load_workbook


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


# -- rows of an import: what is wrong with a row, and the cell parsers all imports share ---------


class Problem(NamedTuple):
    """One problem of an import, for its per-row report: the row (0: the file as a whole), the
    column and what is wrong."""

    row: int
    field: str
    message: str


class RowError(Exception):
    """A cell that cannot be imported; the row is reported with this message, not imported."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        self.message = message


def cell_text(value: Any) -> str:
    """A cell as text: blank for an empty cell, a whole number without its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_date(value: Any, name: str) -> dt.date | None:
    """A cell as a date: a date cell, or text written YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError(name, _("%(value)s is not a date (use YYYY-MM-DD).") % {"value": text[:40]})
