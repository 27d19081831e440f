"""The language switch (school.views.set_language): the choice kept on the profile,
right-to-left pages for Arabic and Persian, and API answers in the token user's language."""

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from notifications.models import Notification

pytestmark = pytest.mark.django_db


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
