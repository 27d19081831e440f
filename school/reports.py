"""Funding reports: the generic job (ask, build in the background, keep the file) and the
registry of kinds.

This app knows no kind. The apps that hold the data register theirs at start-up
(``courses.exports``, ``exams.exports``), the way models register with the admin, so the
layers still only import downwards.
"""

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from school.models import Report, School, User
from school.permissions import sees_special_category
from school.spreadsheets import StreamedWorkbook

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportRequest:
    """What a builder is asked for: a school, a period (inclusive), optionally one cycle, and
    whether the reader may see special-category data."""

    school: School
    start: dt.date
    end: dt.date
    cycle_code: str = ""
    special_category: bool = False
    # Whose reads of special-category data are recorded (none for an operator's command).
    reader: User | None = None


# A builder writes the whole workbook and reports how far it got (0-100) as it goes.
Progress = Callable[[int], None]
Builder = Callable[[ReportRequest, StreamedWorkbook, Progress], None]


# A kind that is not a workbook writes its file itself (the certificates of a cycle, a PDF).
Writer = Callable[[ReportRequest, str, Progress], None]


@dataclass(frozen=True)
class ReportKind:
    code: str
    title: Any  # a lazy translation
    build: Builder | None = None
    description: Any = ""
    # Whether the kind has special-category columns to add when the requester asks for them.
    special_category: bool = False
    write: Writer | None = None
    suffix: str = ".xlsx"
    # Whether a request must name a cycle (the certificates of a cycle).
    needs_cycle: bool = False


_KINDS: dict[str, ReportKind] = {}


def report_kind_register(kind: ReportKind) -> None:
    _KINDS[kind.code] = kind


def report_kinds() -> list[ReportKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.code)


def report_kind(code: str) -> ReportKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise ValidationError(
            {"kind": _("Unknown report kind %(kind)s.") % {"kind": str(code)[:50]}}
        ) from None


def report_period_check(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ValidationError({"from": _("The period starts after it ends.")})


def report_write(*, kind: str, request: ReportRequest, path: str, progress: Progress) -> None:
    """Build a workbook into ``path`` (the worker and ``manage.py export_report`` alike), in
    the installation's language (``LANGUAGE_CODE``): the funder's documents are in one
    language whoever asks, and a worker has no reader's language anyway."""
    kind_ = report_kind(kind)
    if kind_.write is not None:
        with translation.override(settings.LANGUAGE_CODE):
            kind_.write(request, path, progress)
        return
    assert kind_.build is not None
    book = StreamedWorkbook()
    try:
        with translation.override(settings.LANGUAGE_CODE):
            kind_.build(request, book, progress)
    except BaseException:
        book.discard()
        raise
    book.save(path)


# -- the background job ----------------------------------------------------------------------


@transaction.atomic
def report_request(
    *,
    school: School,
    user: User | None,
    kind: str,
    start: dt.date,
    end: dt.date,
    cycle_code: str,
    special_category: bool = False,
) -> Report:
    """Record what was asked and queue the build once the row is committed (never built in the
    request).

    Special-category columns (disability, minority and the indicators that need them) go in
    only when the requester asks for them and holds the permission to see them; asking without
    it is refused. A report of a kind that has no such columns is never marked as holding them,
    so anyone who may read reports may download it.
    """
    kind_ = report_kind(kind)
    report_period_check(start, end)
    if kind_.needs_cycle and not cycle_code:
        raise ValidationError({"cycle": _("Choose the cycle.")})
    if special_category and not (user and sees_special_category(user)):
        raise PermissionDenied(
            _(
                "Only a coordinator holding the special-category permission may include "
                "special-category data in a report."
            )
        )
    report = Report.objects.create(
        school=school,
        kind=kind,
        period_start=start,
        period_end=end,
        cycle_code=cycle_code,
        requested_by=user,
        with_special_category=special_category and kind_.special_category,
    )
    transaction.on_commit(lambda: _queue(report.pk))
    return report


def _queue(report_id: int) -> None:
    """With the broker down the report cannot start: say so on it (failed, ask again) rather
    than leave it waiting for ever or fail the request that asked."""
    from school.tasks import build_report

    try:
        build_report.delay(report_id)
    except Exception:
        logger.exception("report %s could not be queued", report_id)
        Report.objects.filter(pk=report_id, status=Report.Status.PENDING).update(
            status=Report.Status.FAILED,
            finished_at=timezone.now(),
            error=_(
                "The report could not be started (the job queue does not answer). Ask again in a few minutes."
            ),
        )


def report_build(*, report_id: int) -> str:
    """Build a requested report; return its final status.

    1. Claim it with a conditional UPDATE: pending, or running for longer than a task may run
       (its worker died). A second delivery of the same task finds it taken and does nothing.
    2. Build into a temporary file, saving the progress now and then.
    3. On success, store the file under its final name and mark it done in one UPDATE; on any
       error, mark it failed with the reason. A half-built file is never in storage.
    """
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed = (
        Report.objects.filter(pk=report_id)
        .filter(
            Q(status=Report.Status.PENDING) | Q(status=Report.Status.RUNNING, started_at__lt=stale)
        )
        .update(status=Report.Status.RUNNING, started_at=now, progress=0, error="")
    )
    if claimed != 1:
        return "skipped"
    report = Report.objects.select_related("school", "requested_by").get(pk=report_id)
    if report.with_special_category:
        # Special-category data is read for this workbook (GDPR art. 9): say who asked.
        logger.info(
            "report %s reads special-category data for user %s", report.pk, report.requested_by_id
        )
    last = [0]

    def progress(percent: int) -> None:
        percent = max(0, min(99, int(percent)))
        if percent > last[0]:
            last[0] = percent
            Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(
                progress=percent
            )

    suffix = report_kind(report.kind).suffix
    handle, path = tempfile.mkstemp(prefix=f"report-{report_id}-", suffix=suffix)
    os.close(handle)
    stored = ""
    try:
        report_write(
            kind=report.kind,
            request=ReportRequest(
                school=report.school,
                start=report.period_start,
                end=report.period_end,
                cycle_code=report.cycle_code,
                special_category=report.with_special_category,
                reader=report.requested_by,
            ),
            path=path,
            progress=progress,
        )
        name = f"{report.kind}-{report.period_start}-{report.period_end}-{report.pk}{suffix}"
        with open(path, "rb") as built:
            report.file.save(name, File(built), save=False)
        stored = report.file.name or ""
        done = Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(
            status=Report.Status.DONE, progress=100, file=stored, finished_at=timezone.now()
        )
        if done != 1:
            raise RuntimeError("the report was changed while it was being built")
        return Report.Status.DONE
    except Exception as error:
        logger.exception("report %s failed", report_id)
        if stored:
            report.file.storage.delete(stored)
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.FAILED,
            file="",
            finished_at=timezone.now(),
            error=(_("The report could not be built: %(error)s") % {"error": error})[:1000],
        )
        return Report.Status.FAILED
    finally:
        os.unlink(path)
