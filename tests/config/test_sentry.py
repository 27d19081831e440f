"""Errors go to Sentry without personal data: the scrubber is run on the event sentry-sdk
really builds for a failing page (names, phones, e-mails, the body, special-category data)."""

import json
import logging

import pytest
import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.transport import Transport

from config.sentry import FILTERED, scrub_event
from config.urls import urlpatterns as site

pytestmark = pytest.mark.django_db


def fails_with_personal_data(request: HttpRequest) -> HttpResponse:
    name, phone = request.POST["first_name"], request.POST["phone"]
    disability = request.POST["disability"]  # noqa: F841
    logging.getLogger("school.test").warning("placing %s (%s)", name, phone)
    sentry_sdk.add_breadcrumb(message=f"sent to {request.POST['email']}", data={"phone": phone})
    raise ValueError(f"no seat for {name}, {phone}, {request.POST['email']}")


urlpatterns = [path("fails/", fails_with_personal_data), *site]


class Recorder(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(json.loads(item.get_bytes()))


@pytest.fixture
def sentry():
    raw: list[dict] = []
    transport = Recorder()

    def before_send(event, hint):
        raw.append(json.loads(json.dumps(event, default=str)))
        return scrub_event(event, hint)

    sentry_sdk.init(
        dsn="http://public@127.0.0.1:9/1", transport=transport, integrations=[DjangoIntegration()],
        send_default_pii=False, include_local_variables=True, before_send=before_send,
        default_integrations=False,
    )  # fmt: skip
    yield raw, transport.events
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)


@override_settings(ROOT_URLCONF="tests.config.test_sentry")
def test_a_failing_page_reaches_sentry_without_personal_data(sentry, coordinator):
    raw, sent = sentry
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    response = client.post(
        "/fails/?phone=6912345678",
        {
            "first_name": "Amina Karimi",
            "phone": "+30 691 234 5678",
            "disability": "yes",
            "email": "amina.k@example.org",
        },
        HTTP_X_REQUEST_ID="r-1",
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    assert len(sent) == 1
    # What sentry-sdk built held the personal data; what left did not.
    before = json.dumps(raw[0])
    assert "Amina Karimi" in before and "amina.k@example.org" in before
    after = json.dumps(sent[0])
    for personal in (
        "Amina",
        "691 234",
        "6912345678",
        "amina.k@example",
        "csrftoken",
        "sessionid",
        "coord",
    ):
        assert personal not in after, personal
    exception = sent[0]["exception"]["values"][-1]
    assert exception["type"] == "ValueError" and exception["value"] == FILTERED
    assert "fails_with_personal_data" in after
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])
    assert sent[0]["tags"]["request_id"] == "r-1"
    assert "data" not in sent[0]["request"] and "query_string" not in sent[0]["request"]
    assert set(sent[0].get("user", {})) <= {"id"}
