import datetime as dt
import os
import socket
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from school.models import Participation, SpecialCategoryData
from school.services import participation as participations
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    SchoolFactory,
    StudentFactory,
    TeacherFactory,
    UserFactory,
)


def _answers(url_host: str, port: int) -> bool:
    try:
        with socket.create_connection((url_host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    """Say plainly which service is missing instead of failing every test with a traceback."""
    from urllib.parse import urlparse

    database = settings.DATABASES["default"]
    redis = urlparse(settings.REDIS_URL)
    missing = []
    if database["ENGINE"].endswith("postgresql") and not _answers(
        database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)
    ):
        missing.append(
            f"PostgreSQL at {database.get('HOST')}:{database.get('PORT')} does not answer. Start it "
            "with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start "
            "(or point DATABASE_URL at one)."
        )
    if not _answers(redis.hostname or "127.0.0.1", redis.port or 6379):
        missing.append(
            f"Redis at {redis.hostname}:{redis.port} does not answer. Start it with: "
            "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' "
            "(or point REDIS_URL at one)."
        )
    if missing:
        pytest.exit("\n".join(missing), returncode=3)


def pytest_configure(config: pytest.Config) -> None:
    """`TEST_CLOCK_SHIFT_DAYS=365 make test` runs the suite as if it were that many days later,
    to find tests that only pass on the day they were written. Tests that need a fixed day
    freeze the clock themselves (time_machine.travel), which overrides this shift."""
    days = int(os.environ.get("TEST_CLOCK_SHIFT_DAYS") or 0)
    if days:
        import datetime as dt

        import time_machine

        traveller = time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=days))
        traveller.start()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # The second run of `make test`, on what `make run` uses. Row locks and a worker in
        # another process need PostgreSQL; the schema fuzzing asks nothing of the database
        # that the first run did not.
        for item in items:
            if item.get_closest_marker("postgres") or item.get_closest_marker("fuzz"):
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL"))
    if os.environ.get("TEST_CLOCK_SHIFT_DAYS"):
        # A worker is a process of its own, on the real clock: with the test's clock shifted,
        # every message looks due in the future to it.
        skip = pytest.mark.skip(reason="a Celery worker runs on the real clock")
        for item in items:
            if item.get_closest_marker("worker"):
                item.add_marker(skip)


# Playwright's sync API runs an event loop in the test's thread; the ORM calls our tests make
# alongside it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _no_language_left_behind():
    """A request by a user with a language activates it for the thread; the next test must
    not read its messages in that language."""
    yield
    translation.deactivate()


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def coordinator(school):
    return UserFactory(school=school, role="coordinator", username="coord")


@pytest.fixture
def auditor(school):
    return UserFactory(school=school, role="auditor", username="audit")


@pytest.fixture
def teacher(school):
    return TeacherFactory(school=school, user__username="teach")


@pytest.fixture
def student_user(school):
    student = StudentFactory(school=school)
    user = UserFactory(school=school, role="student", username="learner")
    student.user = user
    student.save()
    return user


@pytest.fixture
def api():
    return APIClient()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def media(settings, tmp_path):
    """Files the test stores (reports, uploads) go to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()]


@pytest.fixture
def participant(school):
    """An ESF participant who entered in February 2026 and answered the disability question:
    what the reports' special-category columns are about."""
    cycle = CycleFactory(school=school, code="A1-REPORT")
    enrollment = EnrollmentFactory(cycle=cycle, entry_date=dt.date(2026, 2, 2))
    SpecialCategoryData.objects.create(
        student=enrollment.student, disability="yes", disability_asked_on=dt.date(2026, 2, 2)
    )
    participation = Participation.objects.get(student=enrollment.student)
    participations.entry_answers_record(
        participation, {"disability": "yes"}, answered_on=dt.date(2026, 2, 2), source="paper"
    )
    return enrollment


@pytest.fixture
def catalogue(tmp_path, settings):
    """A translation catalogue of our own, read before the project's: proves a word goes through
    gettext without waiting for the translators. ``catalogue("el", {"Reading": "Ανάγνωση"})``;
    a key ``(context, msgid)`` is a pgettext word."""

    def make(language: str, words: dict) -> None:
        book = Catalog(locale=language, domain="django")
        for key, text in words.items():
            context, msgid = key if isinstance(key, tuple) else (None, key)
            book.add(msgid, text, context=context)
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / "django.mo").open("wb") as file:
            write_mo(file, book)
        # Changing LOCALE_PATHS drops Django's cached translations (django.test.signals).
        settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]

    return make
