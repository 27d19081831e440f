"""The questionnaires' questions: what each asks, what it accepts, and what it must offer."""

import pytest
from django.core.exceptions import ValidationError

from school.questionnaires import (
    ENTRY,
    EXIT,
    FOLLOW_UP,
    FORMS,
    PREFER_NOT_TO_SAY,
    answers_clean,
)

ENTRY_ANSWERS = {
    "labour_market_status": "unemployed",
    "unemployed_months": "14",
    "isced_level": "3",
    "household_jobless": "no",
    "household_dependent_children": "yes",
    "household_single_adult": "declined",
    "foreign_background": "yes",
    "minority": "declined",
    "disability": "no",
    "other_disadvantage": "no",
    "homeless": "no",
    "rural_area": "no",
}


def test_every_sensitive_question_offers_prefer_not_to_say_and_a_consent_text():
    sensitive = [q for form in FORMS.values() for q in form.questions if q.sensitive]
    assert {q.name for q in sensitive} >= {"minority", "disability", "homeless"}
    for question in sensitive:
        assert PREFER_NOT_TO_SAY in dict(question.all_choices()), question.name
        assert str(question.consent)
    plain = [q for form in FORMS.values() for q in form.questions if not q.sensitive]
    assert all(PREFER_NOT_TO_SAY not in dict(q.all_choices()) for q in plain)


def test_only_disability_and_minority_are_special_category():
    special = {q.name for f in FORMS.values() for q in f.questions if q.special_category}
    assert special == {"disability", "minority"}


def test_entry_answers_are_kept_as_values_of_the_participant_record():
    answers = answers_clean(ENTRY, ENTRY_ANSWERS)
    assert answers["unemployed_months"] == 14
    assert answers["isced_level"] == "3"
    assert answers["minority"] == "declined"
    assert set(answers) == set(ENTRY_ANSWERS)


def test_months_unemployed_are_asked_only_of_the_unemployed():
    answers = answers_clean(
        ENTRY, {**ENTRY_ANSWERS, "labour_market_status": "employed", "unemployed_months": "3"}
    )
    assert "unemployed_months" not in answers


def test_a_missing_or_unknown_answer_is_named():
    with pytest.raises(ValidationError) as error:
        answers_clean(EXIT, {"in_education": "maybe", "employed": "yes"})
    assert set(error.value.message_dict) == {"in_education", "job_searching"}


@pytest.mark.parametrize("months", ["-1", "601", "two"])
def test_months_out_of_range_are_refused(months):
    with pytest.raises(ValidationError) as error:
        answers_clean(ENTRY, {**ENTRY_ANSWERS, "unemployed_months": months})
    assert set(error.value.message_dict) == {"unemployed_months"}


def test_the_follow_up_asks_about_work_and_a_better_situation():
    answers = answers_clean(FOLLOW_UP, {"employed": "no", "improved_situation": "yes"})
    assert answers == {"employed": "no", "improved_situation": "yes"}
