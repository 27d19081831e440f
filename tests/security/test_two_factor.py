"""Two-factor sign-in for the coordinators of a school that asks for it (school.two_factor)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def two_factor_school(school):
    school.coordinators_two_factor = True
    school.save()
    return school


def test_coordinator_of_a_two_factor_school_is_held_at_the_code_page(client, two_factor_school):
    user = UserFactory(school=two_factor_school, role="coordinator")
    client.force_login(user)
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/")
    assert client.get("/api/v1/me/").status_code == 403


def test_a_right_code_lets_the_coordinator_in(client, two_factor_school):
    user = UserFactory(school=two_factor_school, role="coordinator")
    device = _device(user)
    client.force_login(user)
    response = client.post("/two-factor/?next=/office/", {"token": "000000"})
    assert response.status_code == 400
    # django-otp makes a device wait after a wrong code (1 s, then doubling); skip the wait.
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/two-factor/", {"token": _code(device), "next": "/office/"})
    assert response.status_code == 302
    assert response["Location"] == "/office/"
    assert client.get("/office/").status_code == 200


def test_first_sign_in_sets_up_the_authenticator(client, two_factor_school):
    user = UserFactory(school=two_factor_school, role="coordinator")
    client.force_login(user)
    page = client.get("/two-factor/")
    assert b"otpauth://totp/" in page.content
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    client.post("/two-factor/", {"token": _code(device), "next": "/office/"})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/office/").status_code == 200


def test_other_schools_and_roles_need_no_code(client, school, two_factor_school):
    teacher = UserFactory(school=two_factor_school, role="auditor")
    client.force_login(teacher)
    assert client.get("/office/").status_code == 200


def test_api_token_for_a_two_factor_coordinator_needs_the_code(api, two_factor_school):
    user = UserFactory(school=two_factor_school, role="coordinator", username="maria")
    device = _device(user)
    body = {"username": "maria", "password": "pass-word-123"}
    response = api.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert "otp" in response.json()
    response = api.post("/api/v1/auth/token/", {**body, "otp": _code(device)}, format="json")
    assert response.status_code == 200
    assert response.json()["token"]


def test_users_not_asked_for_a_code_get_no_code_page(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/two-factor/").status_code == 302
    assert not TOTPDevice.objects.exists()
