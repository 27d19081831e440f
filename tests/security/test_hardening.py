"""Sign-in throttling, two-factor sign-in for coordinators, the deployment checks and the CSP."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_check_deploy_with_no_warnings():
    # The test run's own switches (the browser tests' async flag) are not the deployment's.
    dropped = ("SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="a-long-random-production-key-" + "x9Qz" * 12,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_pages_carry_a_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_api_docs_load_their_script_from_a_file(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"<script>" not in response.content


def test_five_wrong_passwords_lock_the_sign_in_page(client, coordinator):
    for _ in range(4):
        response = client.post("/", {"username": "coord", "password": "wrong"})
        assert response.status_code == 200
    assert client.post("/", {"username": "coord", "password": "wrong"}).status_code == 429
    response = client.post("/", {"username": "coord", "password": "pass-word-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_username(client, coordinator, auditor):
    for _ in range(5):
        client.post("/", {"username": "coord", "password": "wrong"})
    response = client.post("/", {"username": "audit", "password": "pass-word-123"})
    assert response.status_code == 302


def test_five_wrong_passwords_lock_the_api_token(api, coordinator):
    for _ in range(4):
        response = api.post(
            "/api/v1/auth/token/", {"username": "coord", "password": "wrong"}, format="json"
        )
        assert response.status_code == 400
    api.post("/api/v1/auth/token/", {"username": "coord", "password": "wrong"}, format="json")
    response = api.post(
        "/api/v1/auth/token/", {"username": "coord", "password": "pass-word-123"}, format="json"
    )
    assert response.status_code == 429
    assert "token" not in response.json()


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


def test_mail_and_redis_urls_may_come_from_files(tmp_path):
    (tmp_path / "email").write_text("smtp+tls://sender:s3cret@mail.example.org:587\n")
    (tmp_path / "redis").write_text("redis://:r3dis@cache.example.org:6379/2\n")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused",
        EMAIL_URL_FILE=str(tmp_path / "email"),
        REDIS_URL_FILE=str(tmp_path / "redis"),
    )
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.EMAIL_HOST, settings.EMAIL_HOST_PASSWORD, settings.CELERY_BROKER_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "mail.example.org",
        "s3cret",
        "redis://:r3dis@cache.example.org:6379/2",
    ]


def test_a_request_body_over_the_limit_is_refused_unread(client, coordinator, settings):
    settings.MAX_REQUEST_BYTES = 1_000_000
    client.force_login(coordinator)
    big = io.BytesIO(b"PK" + b"\0" * 1_100_000)
    big.name = "applicants.xlsx"
    response = client.post("/office/import/", {"file": big})
    assert response.status_code == 413
    response = client.post("/api/v1/students/", "x" * 1_100_000, content_type="application/json")
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_users_not_asked_for_a_code_get_no_code_page(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/two-factor/").status_code == 302
    assert not TOTPDevice.objects.exists()
