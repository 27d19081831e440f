"""The reports page (courses.views_reports): asking for a report and following it, the
form's period and remembered choices, special-category data only for its holders."""

import datetime as dt

import pytest
import time_machine

from school.models import Report
from tests.factories import CycleFactory, SchoolFactory, TeacherFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


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
