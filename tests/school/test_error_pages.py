"""The error pages: the site's look, the reader's language, a way back home, and the reason of a
refusal when there is one."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.template import loader
from django.test import Client
from django.utils import translation

from school.models import Report
from tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db
GREEK = {settings.LANGUAGE_COOKIE_NAME: "el"}


def greek_visitor(**kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies.load(GREEK)
    return client


def is_styled_with_a_way_home(page: str) -> bool:
    return "css/site.css" in page and 'class="button" href="/"' in page


def test_not_found_page_is_greek_for_a_greek_visitor():
    response = greek_visitor().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="el"' in page and "Η σελίδα δεν βρέθηκε" in page
    assert is_styled_with_a_way_home(page)


def test_forbidden_page_speaks_the_users_own_language(client, school):
    # A teacher who keeps Greek on their profile opens an office page.
    user = TeacherFactory(school=school).user
    user.language = "el"
    user.save()
    client.force_login(user)
    response = client.get("/office/")
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="el"' in page and "Απαγορευμένο" in page
    assert is_styled_with_a_way_home(page)
    # No reason was given for this refusal: only the general text, no empty reason.
    assert 'id="error-reason"' not in page


def test_forbidden_page_shows_the_reason_it_was_given(client, auditor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(auditor)
    response = client.post("/office/reports/", {"kind": "esf-participants"})
    assert response.status_code == 403
    assert "a coordinator asks for them" in response.content.decode()
    report = Report(
        school=auditor.school, kind="esf-participants", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31), status="done", with_special_category=True,
    )  # fmt: skip
    report.file.save("esf.xlsx", ContentFile(b"a workbook"))
    response = client.get(f"/office/reports/{report.pk}/download/")
    page = response.content.decode()
    assert response.status_code == 403
    assert (
        '<p class="error" id="error-reason">This report holds special-category data you may '
        "not see.</p>" in page
    )


@pytest.mark.urls("tests.school.error_urls")
def test_server_error_page_is_greek_and_styled():
    client = greek_visitor(raise_request_exception=False)
    response = client.get("/fails/")
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="el"' in page and "Σφάλμα στο server" in page
    assert is_styled_with_a_way_home(page)


def test_server_error_page_renders_without_a_request_or_the_database(
    django_assert_num_queries,
):
    # The database may be what failed: the page needs no context, no user, no query.
    with translation.override("el"), django_assert_num_queries(0):
        page = loader.get_template("500.html").render()
    assert "Σφάλμα στο server" in page and 'href="/"' in page
    assert "csrfmiddlewaretoken" not in page


def test_csrf_failure_page_is_greek_and_styled():
    client = greek_visitor(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "fr"})
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="el"' in page and "Απαγορευμένο" in page
    assert is_styled_with_a_way_home(page)
    # Ours, not Django's bare technical page.
    assert "CSRF" not in page
