"""Answering a questionnaire: from the participant's phone, or a paper form the office types
in. The answers are checked against the questionnaire's questions (``school.questionnaires``)
and kept where the participation keeps them (``school.services.participation``)."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from school.choices import AnswerSource, Role
from school.errors import ConflictError
from school.models import Questionnaire, QuestionnaireKind, Student, User
from school.questionnaires import CONSENT_VERSIONS, FORMS, answers_clean
from school.services import participation as participations
from school.services import user_upsert


def _yes_no(value: Any) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _entry_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(answers)
    if "isced_level" in values:
        values["isced_level"] = int(values["isced_level"])
    if "rural_area" in values:
        values["rural_area"] = _yes_no(values["rural_area"])
    return values


@transaction.atomic
def questionnaire_answer(
    *,
    questionnaire: Questionnaire,
    data: Mapping[str, Any],
    consent_version: str,
    source: str = AnswerSource.PARTICIPANT,
    answered_on: dt.date | None = None,
    by: User | None = None,
    today: dt.date | None = None,
    special_category: bool = True,
) -> Questionnaire:
    """Keep a questionnaire's answers.

    1. Once: an answered questionnaire is not answered again (409).
    2. The participant answers while it is open (409 once closed); the office's paper form is
       taken later too, and marked late.
    3. The consent texts' version shown must be a known one: it is kept with the answers.
    4. Every question asked is answered (a sensitive one may be "prefer not to say"), each with
       one of its choices (400 naming the question); a paper form typed in by someone without
       the special-category permission leaves disability and minority unanswered.
    5. The answers go to the participation: entry answers (disability and minority to their
       own table), the exit's answers or the follow-up, dated the day they were given.
    """
    questionnaire = (
        Questionnaire.objects.select_for_update(of=("self",))
        .select_related("participation__operation__school", "exit")
        .get(pk=questionnaire.pk)
    )
    school = questionnaire.participation.operation.school
    today = today or school.today()
    answered_on = answered_on or today
    if questionnaire.answered:
        raise ConflictError(_("This questionnaire is answered already."))
    if source not in (AnswerSource.PARTICIPANT, AnswerSource.PAPER):
        raise ValidationError({"source": _("Answers come from the participant or a paper form.")})
    closed = questionnaire.closed_on(answered_on)
    if source == AnswerSource.PARTICIPANT and questionnaire.closed_on(today):
        raise ConflictError(_("This questionnaire is closed."))
    if consent_version not in CONSENT_VERSIONS:
        raise ValidationError({"consent_version": _("Unknown version of the consent texts.")})
    answers = answers_clean(questionnaire.kind, data, special_category=special_category)
    common: dict[str, Any] = {
        "answered_on": answered_on,
        "source": source,
        "consent_version": consent_version,
        "by": by,
    }
    if questionnaire.kind == QuestionnaireKind.ENTRY:
        participations.entry_answers_record(
            questionnaire.participation, _entry_values(answers), **common
        )
    elif questionnaire.kind == QuestionnaireKind.EXIT:
        assert questionnaire.exit is not None
        participations.exit_answers_record(
            questionnaire.exit, {k: _yes_no(v) for k, v in answers.items()}, **common
        )
    else:
        assert questionnaire.exit is not None
        participations.follow_up_record(
            questionnaire.exit, {k: _yes_no(v) for k, v in answers.items()}, **common
        )
    questionnaire.answered_at = timezone.now()
    questionnaire.source = source
    questionnaire.consent_version = consent_version
    questionnaire.recorded_by = by
    questionnaire.late = closed
    questionnaire.save(
        update_fields=["answered_at", "source", "consent_version", "recorded_by", "late"]
    )
    return questionnaire


@transaction.atomic
def student_account_ensure(*, student: Student) -> User:
    """The student's account, made (without a password: they sign in by link) when they have
    none, so that a questionnaire's link can sign them in."""
    student = (
        Student.objects.select_for_update(of=("self",))
        .select_related("user", "school")
        .get(pk=student.pk)
    )
    if student.user is not None:
        return student.user
    return user_upsert(
        username=f"student-{student.pk}",
        password=None,
        role=Role.STUDENT,
        school=student.school,
        student=student,
    )


def form_for(questionnaire: Questionnaire) -> Any:
    return FORMS[questionnaire.kind]
