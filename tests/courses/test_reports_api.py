"""The reports API (courses.api.reports): a report is asked for, built by the Celery task
after commit, followed and downloaded; special-category data, bad input, roles, queries."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from school.models import Report, SpecialCategoryRead
from tests.conftest import api_as, stored_files
from tests.factories import CycleFactory, SchoolFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

ASK = {"kind": "esf-participants", "from": "2026-01-01", "to": "2026-12-31"}


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


def test_auditors_only_read_reports_other_roles_are_refused_other_schools_get_404(
    coordinator, auditor, teacher, student_user
):
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
