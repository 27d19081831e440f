"""Every word of ours goes through translation: each student-facing template in six
languages, the admin's labels, and the admin words Django's own Greek catalogue lacks."""

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.utils import translation
from django.utils.functional import Promise

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
    "courses/templates/courses/intake/apply.html",
    "courses/templates/courses/intake/apply_thanks.html",
    "courses/templates/courses/intake/apply_refused.html",
    "courses/templates/courses/intake/_languages.html",
    "courses/templates/courses/intake/seat_offer.html",
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
    same = {"fr": {"Cycles", "Dates"}}.get(language, set())
    with translation.override(language):
        missing = sorted(i for i in ids - same if translation.gettext(i) == i)
    assert missing == []


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
