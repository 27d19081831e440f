"""Six languages: every student-facing string translated, the choice kept on the profile,
right-to-left pages for Arabic and Persian, dates and numbers in the reader's language."""

import ast
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from exams.services import exam_result_record
from notifications.models import Notification
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRegistrationFactory,
    ExamRoundFactory,
    LessonFactory,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
# What students, visitors and teachers (on their phones) read.
STUDENT_FACING = [
    "school/templates/base.html",
    "school/templates/student/home.html",
    "school/templates/school/parts/student_calendar.html",
    "courses/templates/courses/parts/student_lessons.html",
    "courses/templates/courses/parts/student_attendance.html",
    "exams/templates/exams/parts/student_exams.html",
    "school/templates/registration/login.html",
    "notifications/templates/registration/sign_in_link.html",
    "notifications/templates/registration/sign_in_link_use.html",
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


# -- every word of ours goes through translation ---------------------------------------------


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


OUR_APPS = {"school", "courses", "exams", "notifications", "config"}


def _translatable(text: object) -> bool:
    return isinstance(text, Promise)


def test_every_admin_label_of_ours_is_translatable():
    untranslatable = []
    for app in OUR_APPS:
        if not _translatable(apps.get_app_config(app).verbose_name):
            untranslatable.append(f"app {app}")
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in OUR_APPS:
            continue
        name = opts.label
        for text in (opts.verbose_name, opts.verbose_name_plural):
            if not _translatable(text):
                untranslatable.append(f"{name} verbose name")
        for field in opts.get_fields():
            if (field.auto_created and not field.concrete) or field.name == "id":
                continue
            if not _translatable(field.verbose_name):
                untranslatable.append(f"{name}.{field.name}")
        for title, _options in model_admin.fieldsets or ():
            if title is not None and not _translatable(title):
                untranslatable.append(f"{name} fieldset {title}")
        for action in model_admin.actions or ():
            if not _translatable(getattr(model_admin, action).short_description):
                untranslatable.append(f"{name} action {action}")
        for column in model_admin.list_display:
            # A column that is the admin's own method says what it shows (a dunder like
            # "__str__" is the model's, named by its verbose name).
            method = None if column.startswith("__") else getattr(model_admin, column, None)
            if callable(method) and not _translatable(getattr(method, "short_description", "")):
                untranslatable.append(f"{name} column {column}")
        for lookup in model_admin.list_filter:
            if isinstance(lookup, str):
                field = get_fields_from_path(model, lookup)[-1]
                if not _translatable(field.verbose_name):
                    untranslatable.append(f"{name} filter {lookup}")
    assert untranslatable == []


def test_the_admin_speaks_the_users_language(client, teacher, coordinator):
    coordinator.is_superuser = True
    coordinator.language = "el"
    coordinator.save()
    client.force_login(coordinator)
    index = client.get("/admin/").content.decode()
    assert "Γραμματεία σχολείου" in index  # "School office", not "Django administration"
    assert "Django" not in index
    page = client.get(f"/admin/school/teacher/{teacher.pk}/change/").content.decode()
    # The labels of the teacher's school (and of every other relation) are translated.
    assert ">Σχολείο:</label>" in page
    assert ">School:</label>" not in page


def test_django_admin_words_missing_from_its_greek_catalogue_are_in_ours():
    """Django's own Greek catalogue lacks some admin words ("Start typing to filter…"): they
    are listed for our catalogue, which Django reads first."""
    import django

    locale = Path(django.__file__).parent / "contrib" / "admin" / "locale"
    english = read_po((locale / "en" / "LC_MESSAGES" / "django.po").open("rb"))
    greek = read_po((locale / "el" / "LC_MESSAGES" / "django.po").open("rb"))
    translated = {m.id for m in greek if m.id and m.string and not m.fuzzy}
    missing = {m.id if isinstance(m.id, str) else m.id[0] for m in english if m.id} - {
        t if isinstance(t, str) else t[0] for t in translated
    }
    tree = ast.parse((ROOT / "school" / "third_party_words.py").read_text())
    listed = {
        call.args[0].value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and isinstance(call.args[0], ast.Constant)
    }
    assert "Start typing to filter…" in missing
    assert missing - listed == set()


def test_django_admin_script_words_missing_from_its_greek_catalogue_are_in_ours():
    """The same for the admin's scripts (/admin/jsi18n/): the teachers' two-list picker and the
    date picker."""
    import django

    locale = Path(django.__file__).parent / "contrib" / "admin" / "locale"
    english = read_po((locale / "en" / "LC_MESSAGES" / "djangojs.po").open("rb"))
    greek = read_po((locale / "el" / "LC_MESSAGES" / "djangojs.po").open("rb"))

    def key(message):
        return (message.context, message.id if isinstance(message.id, str) else message.id[0])

    translated = {key(m) for m in greek if m.id and m.string and not m.fuzzy}
    missing = {key(m) for m in english if m.id} - translated
    source = (ROOT / "school" / "third_party_words.js").read_text()
    listed = {(None, text) for text in re.findall(r'(?<!p)gettext\((?:\n\s*)?"([^"]+)"', source)}
    listed |= {(None, text) for text in re.findall(r"(?<!p)gettext\('([^']+)'", source)}
    listed |= set(re.findall(r'pgettext\("([^"]+)", "([^"]+)"\)', source))
    assert (None, "Choose all %s") in missing
    assert missing - listed == set()


def test_skill_and_exam_names_as_published_are_translated_and_a_schools_own_are_kept(
    client, student_user, catalogue
):
    catalogue("el", {"Reading": "Ανάγνωση", "Certificate of attainment in Greek": "Πιστοποιητικό"})
    exam_round = ExamRoundFactory(
        school=student_user.school, exam_date=dt.date(2026, 5, 16),
        registration_deadline=dt.date(2026, 3, 31), results_published_on=dt.date(2026, 7, 1),
    )  # fmt: skip
    skills = {skill.code: skill for skill in exam_round.scheme.skills.all()}
    skills["writing"].name = "Writing a letter"
    skills["writing"].save()
    registration = ExamRegistrationFactory(exam_round=exam_round, student=student_user.student)
    exam_result_record(registration=registration, points={code: Decimal(20) for code in skills})
    with translation.override("el"):
        assert str(exam_round.scheme) == "Πιστοποιητικό A1"
        assert [s.display_name for s in exam_round.scheme.skills.all()][:2] == [
            "Ανάγνωση",
            "Writing a letter",
        ]
    student_user.language = "el"
    student_user.save()
    client.force_login(student_user)
    page = client.get("/me/").content.decode()
    assert "<bdi>Ανάγνωση</bdi>: 20 / 25" in page
    assert "<bdi>Writing a letter</bdi>" in page
    assert "<bdi>Reading</bdi>" not in page


def test_an_enrollments_status_is_not_the_plural_column_heading(client, coordinator, catalogue):
    catalogue("el", {("enrollment status", "Enrolled"): "Εγγράφηκε", "Enrolled": "Εγγεγραμμένοι"})
    enrollment = EnrollmentFactory(cycle=CycleFactory(school=coordinator.school))
    coordinator.language = "el"
    coordinator.save()
    client.force_login(coordinator)
    page = client.get(f"/office/enrollments/{enrollment.pk}/").content.decode()
    assert "Εγγράφηκε" in page
    assert "Εγγεγραμμένοι" not in page
    # The heading over the count of students stays plural.
    assert "Εγγεγραμμένοι" in client.get("/office/cycles/").content.decode()


# -- Greek dates: the month after a day is in the genitive ------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("el", "30 Νοεμβρίου"), ("uk", "30 листопада"), ("fr", "30 novembre"), ("en", "November 30")],
)
def test_a_day_and_its_month_read_as_each_language_writes_them(language, expected):
    with translation.override(language):
        assert date_format(dt.date(2026, 11, 30), "MONTH_DAY_FORMAT") == expected


@time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC))
def test_greek_pages_put_the_month_in_the_genitive(client, student_user, teacher):
    day = dt.date(2026, 11, 30)
    cycle = CycleFactory(
        school=student_user.school, starts_on=day - dt.timedelta(days=7),
        ends_on=day + dt.timedelta(days=40),
    )  # fmt: skip
    cycle.teachers.add(teacher)
    EnrollmentFactory(cycle=cycle, student=student_user.student)
    LessonFactory(cycle=cycle, date=day + dt.timedelta(days=1))
    for user in (student_user, teacher.user):
        user.language = "el"
        user.save()

    client.force_login(student_user)
    page = client.get("/me/").content.decode()
    assert "Τρίτη 1 Δεκεμβρίου 2026" in page
    assert "Δεκέμβριος" not in page

    client.force_login(teacher.user)
    page = client.get("/teach/").content.decode()
    assert "Δευτέρα 30 Νοεμβρίου" in page
    assert "Νοέμβριος" not in page
