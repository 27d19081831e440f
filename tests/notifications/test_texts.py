"""The messages' texts (notifications.texts): every kind in English and Greek, the student's
language with fallbacks, dates as each language writes them."""

import pytest

from notifications.texts import TEXTS, render
from tests.notifications.messages import CONTEXT


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_every_kind_has_english_and_greek(kind):
    assert {"en", "el"} <= set(TEXTS[kind])


def test_texts_come_in_the_students_language_with_fallbacks():
    assert render("lesson_cancelled", "fa", CONTEXT)[0] == "fa"
    assert "لغو" in render("lesson_cancelled", "fa", CONTEXT)[2]
    assert render("waitlist_promoted_coordinator", "ar", {"student": "X", "cycle": "A1"})[0] == "en"
    # An empty room leaves no double space; a missing value renders as nothing.
    assert "  " not in render("lesson_moved", "en", CONTEXT)[2]


def test_days_in_a_text_read_as_its_language_writes_them():
    # Kept as ISO dates in the facts; written out in the text, the Greek month in the genitive.
    assert render("lesson_cancelled", "el", CONTEXT)[2] == (
        "Το μάθημα A1-2026-A στις 23 Νοεμβρίου (17:00) ακυρώνεται."
    )
    assert "on 23 November at 17:00" in render("lesson_cancelled", "en", CONTEXT)[2]
    exam = {"round": "A1", "exam_date": "2027-05-15", "centre": "X", "deadline": "2027-03-31"}
    assert "15 Μαΐου 2027" in render("exam_day", "el", exam)[2]
    assert "31 березня 2027" in render("exam_deadline", "uk", exam)[2]
