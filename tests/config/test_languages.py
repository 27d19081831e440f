"""Six languages: every student-facing string translated, the choice kept on the profile,
right-to-left pages for Arabic and Persian, dates and numbers in the reader's language."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from notifications.models import Notification
from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
# What students, visitors and teachers (on their phones) read.
STUDENT_FACING = [
    "config/templates/base.html",
    "config/templates/student/home.html",
    "config/templates/registration/login.html",
    "config/templates/registration/sign_in_link.html",
    "config/templates/registration/sign_in_link_use.html",
    "courses/templates/courses/_lesson.html",
    "courses/templates/courses/teach_home.html",
    "courses/templates/courses/teach_lesson.html",
]


def _msgids(template: str) -> set[str]:
    text = (ROOT / template).read_text()
    ids = set(re.findall(r'{% translate "([^"]+)" %}', text))
    ids |= set(re.findall(r"{% translate '([^']+)' %}", text))
    for body in re.findall(r"{% blocktranslate[^%]*%}(.*?){% endblocktranslate %}", text, re.S):
        ids.add(re.sub(r"{{ (\w+) }}", r"%(\1)s", body))
    return ids


@pytest.mark.parametrize("language", ["el", "ar", "fa", "uk", "fr"])
def test_every_student_facing_string_is_translated(language):
    ids = set().union(*(_msgids(t) for t in STUDENT_FACING))
    assert len(ids) > 50
    # Words that are the same in both languages.
    same = {"fr": {"Cycles"}}.get(language, set())
    with translation.override(language):
        missing = sorted(i for i in ids - same if translation.gettext(i) == i)
    assert missing == []


@pytest.mark.parametrize(
    ("language", "direction"),
    [("ar", "rtl"), ("fa", "rtl"), ("el", "ltr"), ("uk", "ltr"), ("fr", "ltr"), ("en", "ltr")],
)
def test_switcher_keeps_the_choice_on_the_profile(client, student_user, language, direction):
    client.force_login(student_user)
    response = client.post("/i18n/setlang/", {"language": language, "next": "/me/"})
    assert response.status_code == 302
    student_user.refresh_from_db()
    assert student_user.language == language
    # The student's messages follow the language they chose.
    assert student_user.student.language == language
    page = client.get("/me/").content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in page
    assert 'id="language"' in page


def test_profile_language_wins_over_the_browser(client, student_user):
    student_user.language = "fa"
    student_user.save()
    client.force_login(student_user)
    page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'dir="rtl"' in page
    assert "کلاس‌های من" in page


def test_visitors_switch_without_an_account(client):
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "تسجيل الدخول" in page


def test_unknown_language_changes_nothing(client, student_user):
    client.force_login(student_user)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/me/"})
    student_user.refresh_from_db()
    assert student_user.language == "en"


def test_dates_and_numbers_in_the_readers_language(client, student_user):
    today = timezone.localdate(timezone=student_user.school.zone)
    cycle = CycleFactory(
        school=student_user.school,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=40),
    )
    EnrollmentFactory(cycle=cycle, student=student_user.student)
    day = today + dt.timedelta(days=1)
    LessonFactory(cycle=cycle, date=day)
    client.force_login(student_user)
    months = {
        "el": ["Ιανουαρίου", "Φεβρουαρίου", "Μαρτίου", "Απριλίου", "Μαΐου", "Ιουνίου", "Ιουλίου", "Αυγούστου", "Σεπτεμβρίου", "Οκτωβρίου", "Νοεμβρίου", "Δεκεμβρίου"],
        "ar": ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
        "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    }  # fmt: skip
    for language, names in months.items():
        client.post("/i18n/setlang/", {"language": language, "next": "/me/"})
        page = client.get("/me/").content.decode()
        assert names[day.month - 1] in page, language
    client.post("/i18n/setlang/", {"language": "fa", "next": "/me/"})
    assert "17:00 تا 20:00" in client.get("/me/").content.decode()


def test_api_errors_come_in_the_token_users_language(coordinator):
    coordinator.language = "el"
    coordinator.save()
    message = Notification.objects.create(
        school=coordinator.school, user=coordinator, kind="exam_day", channel="email",
        language="el", dedup_key="k:1", due_at=timezone.now(), status="sent",
    )  # fmt: skip
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=coordinator).key}")
    response = client.post(f"/api/v1/notifications/{message.pk}/resend/")
    assert response.status_code == 409
    assert response.json()["detail"] == "Μόνο ένα μήνυμα που απέτυχε μπορεί να σταλεί ξανά."
    # DRF's own messages too.
    response = client.get("/api/v1/notifications/999999/")
    assert response.status_code == 404
    assert response.json()["detail"] != "Not found."
