"""The message log, in the API and on its page (notifications.api, notifications.views)."""

import pytest

from notifications.models import Notification
from tests.conftest import api_as
from tests.factories import SchoolFactory, StudentFactory
from tests.notifications.messages import queue

pytestmark = pytest.mark.django_db


def test_log_is_scoped_and_filtered(coordinator, auditor, client):
    queue(coordinator.school, [StudentFactory(school=coordinator.school)])
    other = SchoolFactory()
    queue(other, [StudentFactory(school=other)], key="event:2")
    body = api_as(auditor).get("/api/v1/notifications/", {"kind": "lesson_cancelled"}).json()
    assert body["count"] == 1
    assert (
        api_as(auditor)
        .post(f"/api/v1/notifications/{body['results'][0]['id']}/resend/")
        .status_code
        == 403
    )
    client.force_login(coordinator)
    page = client.get("/office/notifications/", {"status": "queued"})
    assert page.status_code == 200
    assert "A1-2026-A" in page.content.decode()
    # Sending a queued message again is refused on the page as in the API, with the reason.
    queued = Notification.objects.get(school=coordinator.school)
    page = client.post(f"/office/notifications/{queued.pk}/resend/", follow=True)
    assert "Only a failed message can be sent again." in page.content.decode()


def test_log_names_each_kind_in_the_readers_language(coordinator, client):
    queue(coordinator.school, [StudentFactory(school=coordinator.school)])
    coordinator.language = "el"
    coordinator.save()
    client.force_login(coordinator)
    page = client.get("/office/notifications/").content.decode()
    assert ">Ακύρωση μαθήματος</td>" in page
    assert "lesson_cancelled</td>" not in page


def test_messages_to_applicants_are_for_coordinators_only(coordinator, auditor):
    from notifications.services import Recipient, notification_queue

    notification_queue(
        school=coordinator.school,
        kind="application_received",
        recipients=[Recipient(person="applicant:1", phone="+306900000111", language="fa")],
        context={"recipient": "Applicant name", "reference": "ABCD-EFGH", "school": "S"},
        dedup_key="application:1",
        requested=True,
    )
    assert api_as(coordinator).get("/api/v1/notifications/").json()["count"] == 1
    assert api_as(auditor).get("/api/v1/notifications/").json()["count"] == 0


def test_log_names_a_message_to_an_applicant_as_such(coordinator, client):
    from notifications.services import Recipient, notification_queue

    notification_queue(
        school=coordinator.school,
        kind="application_received",
        recipients=[
            Recipient(person="applicant:7", phone="+306900000701", email="", language="fa")
        ],
        context={"recipient": "Leila", "reference": "ABCD-EFGH", "school": "S"},
        dedup_key="application:7",
    )
    client.force_login(coordinator)
    page = client.get("/office/notifications/").content.decode()
    assert ">Applicant</td>" in page and ">None</td>" not in page
