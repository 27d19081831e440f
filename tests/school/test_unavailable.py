"""While the database or Redis is down, pages answer 503 with a readable page in the reader's
language (not a traceback), the API answers JSON, and both recover on their own."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
import redis
from django import db
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path
from kombu.exceptions import OperationalError as BrokerError

from config.urls import handler500  # noqa: F401 (this module is the URLconf of a test)
from config.urls import urlpatterns as site
from tests.browser import assert_accessible, assert_fits_the_phone, phone_page, screenshot

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def database_down(request: HttpRequest) -> HttpResponse:
    raise db.OperationalError("connection refused")


def broker_down(request: HttpRequest) -> HttpResponse:
    try:
        raise redis.exceptions.ConnectionError("Error 111 connecting")
    except redis.exceptions.ConnectionError as error:
        raise BrokerError(str(error)) from error


def bug(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("down/", database_down),
    path("api/v1/down/", database_down),
    path("queue-down/", broker_down),
    path("bug/", bug),
    *site,
]


@override_settings(ROOT_URLCONF="tests.school.test_unavailable")
def test_a_service_that_is_down_gives_a_translated_503_page_not_a_traceback():
    client = Client(raise_request_exception=False)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "el"})
    for url in ("/down/", "/queue-down/"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert '<html lang="el"' in page and "Προσωρινά μη διαθέσιμο" in page
        assert "Traceback" not in page and "connection refused" not in page
    api = client.get("/api/v1/down/")
    assert api.status_code == 503 and "detail" in api.json()
    assert client.get("/bug/").status_code == 500


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["el", "ar", "fa", "uk", "fr"])
@override_settings(ROOT_URLCONF="tests.school.test_unavailable")
def test_the_503_page_reads_well_on_a_phone_in_every_language(live_server, language):
    """What a teacher sees on a 390 px phone while the database restarts: the page in their
    language (right to left in Arabic and Persian), the whole text on the screen with no
    sideways scrolling, a button to try again, and axe-core's WCAG 2.1 A/AA rules passed."""
    with phone_page() as page:
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        response = page.goto(live_server.url + "/down/")
        where = f"503 {language}"
        assert response.status == 503, where
        assert page.evaluate("document.documentElement.lang") == language
        assert page.evaluate("document.documentElement.dir") == (
            "rtl" if language in ("ar", "fa") else "ltr"
        )
        screenshot(page, f"phone-503-{language}")
        assert_fits_the_phone(page, where)
        assert_accessible(page, where)
        text = page.inner_text("main")
        assert "Nothing you saved" not in text and "Try again" not in text, where
        # The button is big enough to tap and inside the screen.
        button = page.locator("main a.button").bounding_box()
        assert button["height"] >= 40 and button["x"] >= 0 and button["x"] + button["width"] <= 390
        body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert body >= 16, f"{where}: {body}px text"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def pg_bin(name: str) -> list[str]:
    """A PostgreSQL program, run as the postgres user when we are root (initdb and the server
    refuse to run as root)."""
    found = shutil.which(name) or str(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] / name)
    return ["runuser", "-u", "postgres", "--", found] if os.geteuid() == 0 else [found]


class PrivatePostgres:
    """A PostgreSQL of the test's own (initdb in a temporary folder, its own port): the
    machine's shared server is never restarted."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        subprocess.run(
            [*pg_bin("initdb"), "-D", str(folder / "data"), "-U", "postgres", "-A", "trust"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        subprocess.run(
            [*pg_bin("pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
             "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "-w", "start"],
            check=True, capture_output=True,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            [*pg_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip


@pytest.mark.postgres
def test_pages_answer_503_while_postgresql_restarts_and_recover_on_their_own(tmp_path):
    # Outside pytest's own temporary folder, which only root may enter.
    folder = Path(tempfile.mkdtemp(prefix="pg-drill-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    server = PrivatePostgres(folder)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{server.port}/postgres",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage = [sys.executable, "manage.py"]
    web = None
    try:
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            ["create_school", "--name", "Drill School", "--country", "GR"],
        ):
            subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run(
            [*manage, "create_user", "--username", "drill", "--password", "drill-Pass-2026",
             "--role", "coordinator", "--school", "1"],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        site_url = f"http://127.0.0.1:{port}"
        browser = httpx.Client(base_url=site_url, timeout=10, cookies={"django_language": "el"})
        wait_for(lambda: _answers(browser, "/healthz"), "the web server")
        browser.get("/")
        signed_in = browser.post(
            "/", data={"username": "drill", "password": "drill-Pass-2026",
                       "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            headers={"Referer": site_url + "/"},
        )  # fmt: skip
        assert signed_in.status_code == 302
        assert browser.get("/office/").status_code == 200

        server.stop()
        page = browser.get("/office/")
        assert page.status_code == 503
        assert "Προσωρινά μη διαθέσιμο" in page.text and "Traceback" not in page.text
        # A load balancer (no session) is told which service is down.
        assert httpx.get(f"{site_url}/healthz").json()["down"] == ["database"]
        assert browser.get("/api/v1/cycles/").status_code == 503

        server.start()
        # Back on their own: no restart of the web server, the session still good.
        wait_for(lambda: browser.get("/office/").status_code == 200, "the page to come back")
        assert httpx.get(f"{site_url}/healthz").status_code == 200
    finally:
        if web:
            web.terminate()
            web.wait(timeout=20)
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _answers(browser: "httpx.Client", url: str) -> bool:
    try:
        return browser.get(url).status_code in (200, 503)
    except httpx.TransportError:
        return False
