"""POST /api/v1/applications/ (API.md): anyone, by the school's id or slug; 201 with the
reference, 400 with field messages, 429 over the rate limits; never a server error."""

import json
import uuid

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from courses.models import Applicant
from courses.services import intake
from notifications.models import Notification
from school.models import PartnerOrganisation
from tests.conftest import api_as
from tests.factories import SchoolFactory, on_factory_day

pytestmark = [pytest.mark.django_db, on_factory_day]
URL = "/api/v1/applications/"


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    """Counts of this test alone: the Redis cache is shared with tests in other processes,
    which empty it when they start (the services' tests count on Redis itself)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"apply-{uuid.uuid4()}",
        }
    }
    yield
    cache.clear()


def body(school, /, **changes) -> dict:
    values = {
        "school": school.slug,
        "first_name": "Олена",
        "last_name": "Коваленко",
        "first_name_latin": "Olena",
        "last_name_latin": "Kovalenko",
        "phone": "+306900000301",
        "language": "uk",
        "nationality": "UA",
        "date_of_birth": "1988-07-14",
        "gender": "female",
        "greek_level": "none",
        "availability": ["morning", "tue", "thu"],
        "consent_version": intake.CONSENT_VERSION,
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not ...}


def test_anyone_applies_by_the_schools_slug_and_gets_a_reference(api, school):
    response = api.post(URL, body(school), format="json")
    assert response.status_code == 201, response.json()
    applicant = Applicant.objects.get()
    assert response.json() == {"reference": applicant.reference}
    assert (applicant.school, applicant.language, applicant.referrer) == (school, "uk", None)
    assert applicant.availability_codes == ["morning", "tue", "thu"]
    assert applicant.consent_text == intake.consent_text(school, "uk")
    [sms] = Notification.objects.filter(person=f"applicant:{applicant.pk}")
    assert sms.kind == "application_received" and sms.language == "uk"


def test_the_school_by_id_a_partner_and_a_local_phone(api, school):
    partner = PartnerOrganisation.objects.create(school=school, name="Red Cross")
    response = api.post(
        URL,
        body(school, school=school.pk, referrer=partner.pk, phone="690 000 0302",
             email="olena@example.org"),
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    applicant = Applicant.objects.get()
    assert applicant.referrer == partner and str(applicant.phone) == "+306900000302"
    assert applicant.email == "olena@example.org"


def test_a_signed_in_session_needs_no_csrf_token_and_its_user_is_not_used(school, coordinator):
    # A browser signed in to the office posts as anyone else would: no CSRF refusal.
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(URL, body(school), format="json")
    assert response.status_code == 201
    assert (
        api_as(coordinator)
        .post(URL, body(school, phone="+306900000309"), format="json")
        .status_code
        == 201
    )


BAD = [
    ("school", "no-such-school"),
    ("school", 2_000_000_000),
    ("school", 10**40),
    ("school", True),
    ("school", None),
    ("school", ["x"]),
    ("first_name", ""),
    ("first_name", "x" * 151),
    ("first_name_latin", "Олена"),
    ("phone", "12345"),
    ("phone", "call me"),
    ("email", "nope"),
    ("language", "de"),
    ("nationality", "XX"),
    ("nationality", "Afghanistan"),
    ("date_of_birth", "2020-01-01"),
    ("date_of_birth", "0001-01-01"),
    ("date_of_birth", "14/07/1988"),
    ("gender", "x"),
    ("greek_level", "fluent"),
    ("availability", []),
    ("availability", ["sun"]),
    ("availability", ["mon"] * 10),
    ("availability", "mon"),
    ("referrer", 2_000_000_000),
    ("referrer", 10**40),
    ("referrer", "abc"),
    ("consent_version", "2020-01"),
    ("consent_version", ...),
    ("first_name", "abc\x00def"),
    ("last_name", "\ud800"),
]


@pytest.mark.parametrize(("field", "value"), BAD, ids=[f"{f}={v!r}"[:40] for f, v in BAD])
def test_bad_input_is_a_400_that_names_the_field(api, school, field, value):
    # Sent as JSON escapes (ASCII), so that a lone surrogate arrives as a client could send it.
    raw = json.dumps(body(school, **{field: value}))
    response = api.post(URL, raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Applicant.objects.exists()


def test_another_schools_or_a_closed_partner_is_refused(api, school):
    other = PartnerOrganisation.objects.create(school=SchoolFactory(), name="Elsewhere")
    closed = PartnerOrganisation.objects.create(school=school, name="Closed", active=False)
    for partner in (other, closed):
        response = api.post(URL, body(school, referrer=partner.pk), format="json")
        assert response.status_code == 400
        assert "referrer" in response.json()


def test_messages_follow_the_clients_language(api, school):
    response = api.post(URL, body(school, phone="12"), format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "numéro" in response.json()["phone"][0]


def test_malformed_bodies_are_400_not_500(api, school):
    for raw in (b"", b"{", b"[]", b"null", b'"x"', b"\xff\xfe", b'{"school": {"$gt": ""}}'):
        response = api.post(URL, raw, content_type="application/json")
        assert response.status_code == 400, raw


def test_a_duplicate_is_taken_and_flagged(api, school):
    api.post(URL, body(school), format="json")
    api.post(URL, body(school, first_name_latin="Olena", email="o@example.org"), format="json")
    first, second = Applicant.objects.order_by("pk")
    assert second.duplicate_of == first


def test_rate_limits_per_address_and_per_phone_answer_429_with_a_detail(api, school, settings):
    settings.APPLICATIONS_PER_IP = 2
    settings.APPLICATIONS_PER_PHONE = 1
    assert api.post(URL, body(school), format="json").status_code == 201
    # The same phone from another address.
    response = api.post(URL, body(school), format="json", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 429 and response.json()["detail"]
    assert api.post(URL, body(school, phone="+306900000303"), format="json").status_code == 201
    # A third from the first address, with a new phone.
    response = api.post(URL, body(school, phone="+306900000304"), format="json")
    assert response.status_code == 429
    assert Applicant.objects.count() == 2


def test_an_old_consent_version_is_refused(api, school):
    response = api.post(URL, body(school, consent_version="2020-01"), format="json")
    assert response.status_code == 400 and "consent_version" in response.json()


def test_only_post_is_allowed(api, school):
    assert api.get(URL).status_code == 405
    assert api.put(URL, body(school), format="json").status_code == 405
