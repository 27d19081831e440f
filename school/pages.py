"""What the server-rendered pages share: a workbook to download, an id posted by a form, and an
import's per-row report kept in the session for its download."""

import dataclasses
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

from school.spreadsheets import XLSX_CONTENT_TYPE, Problem

Report = TypeVar("Report")


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook (.xlsx) as a download named ``filename``."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def posted_id(value: str | None) -> int:
    """A posted id, or 0 (which matches nothing) for anything that is not a number."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else 0


def import_report_store(request: HttpRequest, key: str, report: Any) -> None:
    """Keep an import's report (a dataclass of counts and ``problems``) in the session, for its
    download, or to show it once on the page a form comes back to."""
    stored = {field.name: getattr(report, field.name) for field in dataclasses.fields(report)}
    stored["problems"] = [list(problem) for problem in report.problems]
    request.session[key] = stored


def import_report_read(
    request: HttpRequest, key: str, report_class: type[Report], *, once: bool = False
) -> Report | None:
    """The report kept under ``key`` (``import_report_store``), or None; ``once`` takes it out
    of the session, so the page shows it only the first time."""
    stored = request.session.pop(key, None) if once else request.session.get(key)
    if not stored:
        return None
    try:
        problems = [Problem(*problem) for problem in stored["problems"]]
        return report_class(**{**stored, "problems": problems})
    except (KeyError, TypeError):
        # Kept in another shape by an earlier version: as good as none.
        return None
