"""The deployment checks, the content security policy and the request size limit."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
