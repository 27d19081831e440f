"""The report job end to end: asked through the API or the page, built by the Celery task,
followed, downloaded; failures, bad input, permissions and query counts."""

import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from config.celery_app import app as celery_app
from school.models import Report, SpecialCategoryData, SpecialCategoryRead
from school.reports import _KINDS, ReportKind, report_build, report_kind_register
from school.tasks import build_report
from tests.conftest import api_as
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ASK = {"kind": "esf-participants", "from": "2026-01-01", "to": "2026-12-31"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def eager():
    """Celery runs tasks in the calling process, as a worker would run the same function."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def participant(school):
    cycle = CycleFactory(school=school, code="A1-REPORT")
    enrollment = EnrollmentFactory(cycle=cycle, entry_date=dt.date(2026, 2, 2))
    SpecialCategoryData.objects.create(
        student=enrollment.student, disability="yes", disability_asked_on=dt.date(2026, 2, 2)
    )
    return enrollment


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


def stored_files(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()]


def test_posted_report_is_built_by_the_task_after_commit_and_downloads(
    school, participant, eager, django_capture_on_commit_callbacks, media
):
    # A coordinator without the special-category permission.
    coordinator = UserFactory(school=school, role="coordinator")
    coordinator.groups.clear()
    client = api_as(coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/api/v1/reports/", ASK, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["progress"] == 0 and body["download"] is None
    # Nothing is built inside the request: only once the row is committed is the task queued.
    assert Report.objects.get(pk=body["id"]).status == "pending" and not stored_files(media)
    assert len(callbacks) == 1
    callbacks[0]()
    detail = client.get(f"/api/v1/reports/{body['id']}/").json()
    assert detail["status"] == "done" and detail["progress"] == 100 and detail["error"] == ""
    assert detail["with_special_category"] is False  # no permission: no special-category columns
    assert not SpecialCategoryRead.objects.exists()
    download = client.get(detail["download"])
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    heading = next(book["Participants"].iter_rows(values_only=True))
    assert "Disability" not in heading and "EECO12" not in heading


def test_special_category_only_when_asked_for_by_a_holder_of_the_permission(
    coordinator, auditor, participant, eager, django_capture_on_commit_callbacks
):
    # Coordinators hold the special-category permission through their role's group; they must
    # still ask for it.
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(coordinator).post(
            "/api/v1/reports/", {**ASK, "with_special_category": True}, format="json"
        )
    assert response.status_code == 202 and response.json()["with_special_category"] is True
    report_id = response.json()["id"]
    report = Report.objects.get(pk=report_id)
    assert report.status == "done" and report.with_special_category
    # The read of the participant's special-category data is on record (who, whom, how).
    read = SpecialCategoryRead.objects.get()
    assert (read.user, read.student_id) == (coordinator, participant.student_id)
    assert read.via == "report esf-participants"
    book = load_workbook(report.file.path)
    heading = next(book["Participants"].iter_rows(values_only=True))
    assert "Disability" in heading and "EECO12" in heading
    # An auditor sees the report listed but may not download its special-category data.
    assert api_as(auditor).get(f"/api/v1/reports/{report_id}/").status_code == 200
    refused = api_as(auditor).get(f"/api/v1/reports/{report_id}/download/")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "This report holds special-category data you may not see."}
    assert api_as(coordinator).get(f"/api/v1/reports/{report_id}/download/").status_code == 200


def test_reports_leave_special_category_data_out_by_default_and_the_auditor_opens_them(
    coordinator, auditor, participant, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = [
            api_as(coordinator).post("/api/v1/reports/", {**ASK, "kind": kind}, format="json")
            for kind in ("esf-participants", "attendance-sheets", "exam-results")
        ]
    assert [r.status_code for r in asked] == [202, 202, 202]
    assert not SpecialCategoryRead.objects.exists()
    esf = Report.objects.get(kind="esf-participants")
    assert esf.status == "done" and not esf.with_special_category
    book = load_workbook(esf.file.path)
    heading = next(book["Participants"].iter_rows(values_only=True))
    assert "Disability" not in heading and "Minority" not in heading and "EECO12" not in heading
    notes = {row[0]: row[-1] for row in book["Indicators"].iter_rows(values_only=True)}
    assert notes["EECO12"] == "Special-category data: not included in this report."
    # The auditor lists, opens and downloads every one of them.
    auditor_api = api_as(auditor)
    assert auditor_api.get("/api/v1/reports/").json()["count"] == 3
    for response in asked:
        report_id = response.json()["id"]
        assert auditor_api.get(f"/api/v1/reports/{report_id}/").status_code == 200
        assert auditor_api.get(f"/api/v1/reports/{report_id}/download/").status_code == 200


def test_asking_for_special_category_data_without_the_permission_is_403(school, participant):
    coordinator = UserFactory(school=school, role="coordinator")
    coordinator.groups.clear()
    response = api_as(coordinator).post(
        "/api/v1/reports/", {**ASK, "with_special_category": True}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only a coordinator holding the special-category permission may include "
        "special-category data in a report."
    }
    assert not Report.objects.exists()


def test_a_kind_without_special_category_columns_is_never_marked_as_holding_them(coordinator):
    response = api_as(coordinator).post(
        "/api/v1/reports/",
        {**ASK, "kind": "attendance-sheets", "with_special_category": True},
        format="json",
    )
    assert response.status_code == 202 and response.json()["with_special_category"] is False


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


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**ASK, "kind": "everything"}, "kind"),
        ({**ASK, "from": "2026-12-31", "to": "2026-01-01"}, "from"),
        ({**ASK, "from": "not a date"}, "from"),
        ({"kind": "exam-results"}, "from"),
    ],
)
def test_bad_input_is_400(coordinator, payload, field):
    response = api_as(coordinator).post("/api/v1/reports/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Report.objects.exists()


def test_a_cycle_of_another_school_is_400(coordinator):
    foreign = CycleFactory(school=SchoolFactory())
    response = api_as(coordinator).post(
        "/api/v1/reports/", {**ASK, "cycle": foreign.pk}, format="json"
    )
    assert response.status_code == 400 and "cycle" in response.json()
    mine = CycleFactory(school=coordinator.school, code="MINE")
    response = api_as(coordinator).post(
        "/api/v1/reports/", {**ASK, "cycle": mine.pk}, format="json"
    )
    assert response.status_code == 202 and response.json()["cycle"] == "MINE"


def test_roles_and_schools(coordinator, auditor, teacher, student_user):
    report = Report.objects.create(
        school=coordinator.school, kind="exam-results", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )  # fmt: skip
    assert api_as(auditor).post("/api/v1/reports/", ASK, format="json").status_code == 403
    assert api_as(auditor).get("/api/v1/reports/").json()["count"] == 1
    assert api_as(teacher.user).get("/api/v1/reports/").status_code == 403
    assert api_as(student_user).get(f"/api/v1/reports/{report.pk}/").status_code == 403
    stranger = UserFactory(school=SchoolFactory(), role="coordinator")
    assert api_as(stranger).get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert api_as(stranger).get(f"/api/v1/reports/{report.pk}/download/").status_code == 404
    assert api_as(coordinator).get(f"/api/v1/reports/{report.pk}/download/").status_code == 409


@pytest.mark.parametrize("rows", [1, 12])
def test_list_and_page_have_a_fixed_number_of_queries(
    client, coordinator, django_assert_num_queries, rows
):
    for n in range(rows):
        Report.objects.create(
            school=coordinator.school, kind="exam-results", period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 1, 1) + dt.timedelta(days=n), requested_by=coordinator,
        )  # fmt: skip
    api = api_as(coordinator)
    # 1 count for the pagination, 2 the page of reports with who asked (one join)
    with django_assert_num_queries(2):
        assert api.get("/api/v1/reports/").json()["count"] == rows
    client.force_login(coordinator)
    # 1 session, 2 user, 3 the school, 4-5 the user's and their groups' permissions (may they
    # include special-category data), 6 the form's cycles, 7 the reports with who asked
    with django_assert_num_queries(7):
        response = client.get("/office/reports/")
    assert response.status_code == 200
    assert response.content.count(b"data-report=") == rows


def test_page_asks_for_a_report_and_shows_its_progress(
    client, coordinator, auditor, participant, eager, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    cycle = participant.cycle
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/office/reports/",
            {"kind": "attendance-sheets", "start": "2026-01-01", "end": "2026-12-31",
             "cycle": cycle.pk},
        )  # fmt: skip
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.cycle_code == "A1-REPORT" and report.requested_by == coordinator
    page = client.get("/office/reports/").content.decode()
    assert 'data-status="pending"' in page and "<progress" in page and "reports.js" in page
    # Not built yet: back to the list with the reason, not a missing page.
    early = client.get(f"/office/reports/{report.pk}/download/", follow=True)
    assert early.redirect_chain == [("/office/reports/", 302)]
    assert "The report is not ready." in early.content.decode()
    callbacks[0]()
    page = client.get("/office/reports/").content.decode()
    assert f"/office/reports/{report.pk}/download/" in page
    download = client.get(f"/office/reports/{report.pk}/download/")
    assert download.status_code == 200
    # Bad input stays on the page with a message; nothing is queued.
    response = client.post(
        "/office/reports/",
        {"kind": "attendance-sheets", "start": "2026-12-31", "end": "2026-01-01"},
    )
    assert response.status_code == 200 and b"The period starts after it ends." in response.content
    foreign = CycleFactory(school=SchoolFactory())
    response = client.post(
        "/office/reports/",
        {
            "kind": "esf-participants",
            "start": "2026-01-01",
            "end": "2026-12-31",
            "cycle": foreign.pk,
        },
    )
    assert response.status_code == 200 and Report.objects.count() == 1
    # Special-category data only when chosen; the choice is not remembered.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/office/reports/",
            {"kind": "esf-participants", "start": "2026-01-01", "end": "2026-12-31",
             "with_special_category": "yes"},
        )  # fmt: skip
    assert response.status_code == 302
    special = Report.objects.get(kind="esf-participants")
    assert special.with_special_category and special.status == "done"
    form = client.get("/office/reports/").context["form"]
    assert form["with_special_category"].value() == "no"
    # Auditors read the page but cannot ask, nor download special-category data; they download
    # the reports without it.
    client.force_login(auditor)
    page = client.get("/office/reports/")
    assert page.status_code == 200 and b'id="report-form"' not in page.content
    assert page.content.count(b"not for you") == 1
    assert client.post("/office/reports/", {"kind": "esf-participants"}).status_code == 403
    assert client.get(f"/office/reports/{special.pk}/download/").status_code == 403
    assert client.get(f"/office/reports/{report.pk}/download/").status_code == 200
    client.force_login(TeacherFactory(school=coordinator.school).user)
    assert client.get("/office/reports/").status_code == 403


@time_machine.travel(dt.datetime(2026, 12, 31, 22, 30, tzinfo=dt.UTC), tick=False)
def test_page_form_starts_at_this_year_to_date_and_keeps_the_last_choices(
    client, coordinator, django_capture_on_commit_callbacks
):
    # 22:30 UTC on 31 December is already 1 January in Athens, the school's zone.
    cycle = CycleFactory(school=coordinator.school, code="A1-KEPT")
    client.force_login(coordinator)
    form = client.get("/office/reports/").context["form"]
    assert form["start"].value() == dt.date(2027, 1, 1) and form["end"].value() == dt.date(
        2027, 1, 1
    )
    assert form["with_special_category"].value() == "no"
    page = client.get("/office/reports/").content.decode()
    assert 'value="2027-01-01"' in page  # ISO, as a date input needs, whatever the language
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            "/office/reports/",
            {"kind": "attendance-sheets", "start": "2026-09-01", "end": "2026-12-20",
             "cycle": cycle.pk},
        )  # fmt: skip
    form = client.get("/office/reports/").context["form"]
    assert [form[name].value() for name in ("kind", "start", "end", "cycle")] == [
        "attendance-sheets", "2026-09-01", "2026-12-20", cycle.pk,
    ]  # fmt: skip
    page = client.get("/office/reports/").content.decode()
    assert 'value="2026-09-01"' in page and f'value="{cycle.pk}" selected' in page


def test_page_offers_special_category_data_only_to_holders_of_the_permission(client, school):
    coordinator = UserFactory(school=school, role="coordinator")
    coordinator.groups.clear()
    client.force_login(coordinator)
    assert "with_special_category" not in client.get("/office/reports/").context["form"].fields
    # A hand-made form that asks anyway gets a report without them.
    with_it = {"kind": "esf-participants", "start": "2026-01-01", "end": "2026-12-31",
               "with_special_category": "yes"}  # fmt: skip
    assert client.post("/office/reports/", with_it).status_code == 302
    assert not Report.objects.get().with_special_category


def test_command_builds_the_same_workbook(school, participant, tmp_path):
    out = tmp_path / "esf.xlsx"
    call_command(
        "export_report", "esf-participants", "--from", "2026-01-01", "--to", "2026-12-31",
        "--school", str(school.pk), "-o", str(out), verbosity=0,
    )  # fmt: skip
    book = load_workbook(out)
    assert book.sheetnames == ["Participants", "Indicators"]
    assert [row[1] for row in book["Participants"].iter_rows(min_row=2, values_only=True)] == [
        participant.student_id
    ]
    for args, message in (
        (["nothing"], "Unknown report kind"),
        (["exam-results", "--cycle", "NOPE"], "No cycle NOPE"),
        (["esf-participants", "--special-category"], "needs --as"),
        (["esf-participants", "--special-category", "--as", "nobody"], "No user nobody"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command(
                "export_report", *args[:1], "--from", "2026-01-01", "--to", "2026-12-31",
                "--school", str(school.pk), "-o", str(tmp_path / "x.xlsx"), *args[1:],
            )  # fmt: skip
    with pytest.raises(CommandError, match="starts after it ends"):
        call_command("export_report", "exam-results", "--from", "2026-12-31", "--to",
                     "2026-01-01", "-o", str(tmp_path / "x.xlsx"))  # fmt: skip
    assert not (tmp_path / "x.xlsx").exists()
