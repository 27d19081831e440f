"""Settings: production refuses to start without its secrets, which may come from files;
the other settings start without them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START = "import django; django.setup(); print('started')"


def start_production(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    return subprocess.run(
        [sys.executable, "-c", START],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = start_production(DATABASE_URL="postgres://postgres@127.0.0.1:5432/x")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    result = start_production(SECRET_KEY="k" * 50)
    assert result.returncode != 0
    assert "Set DATABASE_URL" in result.stderr


def test_production_starts_with_both(tmp_path):
    result = start_production(
        SECRET_KEY="k" * 50, DATABASE_URL="postgres://postgres@127.0.0.1:5432/x"
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_secret_may_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("f" * 50 + "\n")
    result = start_production(
        SECRET_KEY_FILE=str(secret), DATABASE_URL="postgres://postgres@127.0.0.1:5432/x"
    )
    assert result.returncode == 0, result.stderr


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


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.test"])
def test_other_settings_start_without_secrets(module, tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    clean.update(DJANGO_SETTINGS_MODULE=module, VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", START],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("bind", "url"), [(None, "http://127.0.0.1:8000"), ("0.0.0.0:8080", "http://0.0.0.0:8080")]
)
def test_make_run_announces_the_address_the_web_process_binds(bind, url):
    env = {k: v for k, v in os.environ.items() if k != "BIND"}
    if bind:
        env["BIND"] = bind
    # --dry-run prints the recipe's commands without running any of them.
    plan = subprocess.run(
        ["make", "--dry-run", "run"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    ).stdout  # fmt: skip
    announced = [line for line in plan.splitlines() if "Starting web" in line]
    assert announced == [f'echo "Starting web, worker and beat at {url} (Ctrl-C stops all three)"']
    # The web process of the Procfile binds to the same BIND, 127.0.0.1:8000 by default.
    assert "--bind ${BIND:-127.0.0.1:8000}" in (ROOT / "Procfile").read_text()
