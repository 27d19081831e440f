"""The closures API (courses.api.closures)."""

import pytest

from tests.conftest import api_as
from tests.factories import UserFactory, on_factory_day

pytestmark = [pytest.mark.django_db, on_factory_day]


def test_coordinators_add_and_remove_closures_auditors_read_them_other_schools_see_none(
    coordinator, auditor
):
    client = api_as(coordinator)
    made = client.post(
        "/api/v1/closures/",
        {"starts_on": "2026-12-24", "ends_on": "2027-01-06", "reason": "Christmas"},
        format="json",
    )
    assert made.status_code == 201
    reversed_dates = client.post(
        "/api/v1/closures/",
        {"starts_on": "2027-01-06", "ends_on": "2026-12-24", "reason": "x"},
        format="json",
    )
    assert reversed_dates.status_code == 400
    assert "ends_on" in reversed_dates.json()
    assert [c["reason"] for c in api_as(auditor).get("/api/v1/closures/").json()["results"]] == [
        "Christmas"
    ]
    assert (
        api_as(auditor)
        .post(
            "/api/v1/closures/",
            {"starts_on": "2027-02-01", "ends_on": "2027-02-01", "reason": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    other_school = api_as(UserFactory(role="coordinator"))
    assert other_school.get("/api/v1/closures/").json()["count"] == 0
    assert client.delete(f"/api/v1/closures/{made.json()['id']}/").status_code == 204
