"""The report job (school.reports, school.tasks.build_report): built once, taken again
when a dead worker left it running, never done when its build fails."""

import datetime as dt

import pytest

from school.models import Report
from school.reports import _KINDS, ReportKind, report_build, report_kind_register
from school.tasks import build_report
from tests.conftest import api_as, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def broken():
    """A kind whose builder fails half-way, after writing rows."""

    def build(request, book, progress):
        sheet = book.sheet("Half")
        sheet.append(["a row"])
        progress(40)
        raise RuntimeError("the database went away")

    report_kind_register(ReportKind(code="broken", title="Broken", build=build))
    yield
    del _KINDS["broken"]


def test_a_failed_build_is_never_done_and_leaves_no_file(coordinator, broken, media):
    report = Report.objects.create(
        school=coordinator.school, kind="broken", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31), requested_by=coordinator,
    )  # fmt: skip
    assert build_report(report.pk) == "failed"
    report.refresh_from_db()
    assert report.status == "failed" and report.file.name == "" and report.finished_at
    assert "the database went away" in report.error
    assert report.progress == 40
    assert not stored_files(media)
    client = api_as(coordinator)
    detail = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert detail["status"] == "failed" and detail["download"] is None
    assert client.get(f"/api/v1/reports/{report.pk}/download/").status_code == 409


def test_a_second_delivery_of_the_task_does_nothing(coordinator, participant):
    report = Report.objects.create(
        school=coordinator.school, kind="esf-participants", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )  # fmt: skip
    assert report_build(report_id=report.pk) == "done"
    name = Report.objects.get(pk=report.pk).file.name
    assert report_build(report_id=report.pk) == "skipped"
    assert Report.objects.get(pk=report.pk).file.name == name


def test_a_report_left_running_by_a_dead_worker_is_taken_again(coordinator, participant):
    from django.utils import timezone

    long_ago = timezone.now() - dt.timedelta(hours=3)
    report = Report.objects.create(
        school=coordinator.school, kind="esf-participants", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31), status="running", started_at=long_ago,
    )  # fmt: skip
    assert report_build(report_id=report.pk) == "done"
    fresh = Report.objects.create(
        school=coordinator.school, kind="esf-participants", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31), status="running", started_at=timezone.now(),
    )  # fmt: skip
    assert report_build(report_id=fresh.pk) == "skipped"
