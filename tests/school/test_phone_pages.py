"""Every page of every role, on a phone (390x844), in Greek and in Arabic, on the demo school.

Each page must fit the screen (no sideways scrolling), give every figure a label, show no word
left in English, and pass axe-core's WCAG 2.1 A/AA rules.
"""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client

from courses.models import Applicant, Certificate, Enrollment, Lesson
from exams.models import ExamRound
from school.models import Questionnaire, School, User
from tests.browser import (
    assert_accessible,
    assert_figures_labelled,
    assert_fits_the_phone,
    phone_page,
    screenshot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # The day the demo is seeded for, so that its running cycles are running.
    pytest.mark.time_machine(dt.datetime(2026, 11, 24, 18, 0, tzinfo=dt.UTC)),
]
TODAY = "2026-11-24"

# Words that are the same in every language (abbreviations, file formats).
ANY_LANGUAGE = {"sms", "mail", "xlsx", "esf", "isced", "iso", "ics", "pdf", "csv"}

# The visible text of the page in its own language: text nodes, placeholders and accessible
# names. Left out: the language switch (each language's own name), anything marked
# translate="no", and text in another language than the page's (a message in the student's).
PAGE_TEXT_JS = """() => {
  const page = document.documentElement.lang;
  const texts = [];
  const own = (element) => {
    const tagged = element.closest("[lang]");
    return !tagged || tagged.getAttribute("lang") === page;
  };
  const skip = "script, style, noscript, select, [translate=no], [hidden]";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.trim();
    if (text && element && !element.closest(skip) && own(element)) texts.push(text);
  }
  for (const element of document.querySelectorAll("[placeholder], [aria-label], [data-label]")) {
    if (element.closest(skip) || !own(element)) continue;
    for (const name of ["placeholder", "aria-label", "data-label"]) {
      if (element.getAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  texts.push(document.title);
  return texts;
}"""
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")


def data_words() -> set[str]:
    """Every word held in the database (names, codes, venues, topics ...): data is shown as it
    was typed, so any other word in Latin letters on a Greek or Arabic page is an English one."""
    words: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in {"school", "courses", "exams", "notifications"}:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        for row in model._default_manager.values_list(*fields) if fields else []:
            for value in row:
                words.update(w.casefold() for w in LATIN_WORD.findall(str(value or "")))
    return words


def untranslated(texts: list[str], allowed: set[str]) -> list[str]:
    found = []
    for text in texts:
        english = [
            w for w in LATIN_WORD.findall(text) if w.casefold() not in allowed | ANY_LANGUAGE
        ]
        if english:
            found.append(f"{text[:80]!r} ({', '.join(english[:4])})")
    return found


@pytest.fixture
def demo():
    call_command("seed_demo", "--today", TODAY, verbosity=0)


def pages_of(role: str) -> list[str]:
    cycle = Enrollment.objects.filter(status="enrolled").order_by("cycle__code").first().cycle
    enrollment = cycle.enrollments.filter(status="enrolled").order_by("pk").first()
    exam_round = ExamRound.objects.order_by("exam_date").first()
    lesson = (
        Lesson.objects.filter(cycle__teachers__user__username="teacher", date__lte=TODAY)
        .order_by("-date")
        .first()
    )
    open_questionnaire = Questionnaire.objects.filter(
        participation__student__user__username="student", answered_at__isnull=True
    ).first()
    office = [
        "/office/",
        f"/office/cycles/{cycle.pk}/questionnaires/",
        "/office/cycles/",
        f"/office/cycles/{cycle.pk}/",
        f"/office/enrollments/{enrollment.pk}/",
        "/office/at-risk/",
        "/office/exams/",
        f"/office/exams/{exam_round.pk}/",
        "/office/notifications/",
        "/office/reports/",
        "/office/operations/",
        f"/office/operations/{cycle.operation_id}/",
    ]
    # The queue, for coordinators only; an applicant's page where the demo has one at each
    # step that shows different actions (applied, placed, offered).
    applicants = [
        f"/office/applicants/{applicant.pk}/"
        for status in ("applied", "placed", "offered")
        if (applicant := Applicant.objects.filter(status=status).order_by("pk").first())
    ]
    return {
        "coordinator": [
            *office,
            "/office/applicants/",
            *applicants,
            "/office/placement-tests/",
            "/office/import/",
            f"/office/enrollments/{enrollment.pk}/questionnaires/entry/paper/",
        ],
        "auditor": office,
        "teacher": ["/teach/", f"/teach/lessons/{lesson.pk}/"],
        "student": ["/me/", f"/me/questionnaires/{open_questionnaire.pk}/"],
        "visitor": [
            "/",
            "/signin/link/",
            f"/verify/{Certificate.objects.get().code}",
            f"/apply/{School.objects.get().slug}/",
        ],
    }[role]


@pytest.mark.parametrize("language", ["el", "ar"])
@pytest.mark.parametrize("role", ["coordinator", "auditor", "teacher", "student", "visitor"])
def test_every_page_fits_a_phone_is_labelled_translated_and_accessible(
    live_server, demo, role, language
):
    allowed = data_words()
    paths = pages_of(role)
    with phone_page() as page:
        if role == "visitor":
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
        else:
            user = User.objects.get(username=role)
            User.objects.filter(pk=user.pk).update(language=language)
            client = Client()
            client.force_login(user)
            page.context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
        problems = []
        for path in paths:
            response = page.goto(live_server.url + path)
            where = f"{role} {language} {path}"
            assert response.status == 200, where
            assert page.evaluate("document.documentElement.lang") == language, where
            assert page.evaluate("document.documentElement.dir") == (
                "rtl" if language == "ar" else "ltr"
            )
            screenshot(page, f"phone-{role}-{language}-{path.strip('/').replace('/', '-')}")
            for check in (assert_fits_the_phone, assert_figures_labelled, assert_accessible):
                try:
                    check(page, where)
                except AssertionError as error:
                    problems.append(str(error))
            english = untranslated(page.evaluate(PAGE_TEXT_JS), allowed)
            if english:
                problems.append(f"{where}: left in English: {english[:8]}")
        assert not problems, "\n".join(problems)
