"""The questionnaires participants fill in themselves (or the office types from paper): entry,
exit and the 6-month follow-up. Every question, its answer choices and its consent text are
written here, once; the pages, the paper form and the answer check all read them. "Gaining a
qualification" is not asked: for this school it is the certificate, known from the results.

Answers are plain values keyed by the question's ``name`` (the participant record's field
names, DOMAIN.md §2). A sensitive question always offers "prefer not to say", stored as
``declined`` (never estimated), and shows its consent text; the version of the consent texts
the participant saw is kept with the answers, so a changed text gets a new version.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from school.choices import Answer, IscedLevel

# The consent texts below, as shown today. Change this whenever a consent text changes: the
# answers keep the version their participant saw.
CONSENT_VERSION = "2026-11"
# Every version ever shown (a paper form printed earlier names its own).
CONSENT_VERSIONS = frozenset({CONSENT_VERSION})

ENTRY, EXIT, FOLLOW_UP = "entry", "exit", "follow-up"
KINDS = (ENTRY, EXIT, FOLLOW_UP)

PREFER_NOT_TO_SAY = Answer.DECLINED.value


@dataclass(frozen=True)
class Question:
    """One question: ``choices`` are (stored value, label); a ``number`` question takes a whole
    number between ``minimum`` and ``maximum``. ``only_if`` names another question's answers
    for which it is asked at all (months unemployed only of the unemployed)."""

    name: str
    text: Promise
    choices: tuple[tuple[str, Promise], ...] = ()
    number: bool = False
    minimum: int = 0
    maximum: int = 600
    help: Promise | str = ""
    # Sensitive: "prefer not to say" is offered and the consent text is shown.
    consent: Promise | None = None
    # GDPR art. 9 (disability, minority): kept apart, read only with the permission, logged.
    special_category: bool = False
    only_if: tuple[str, tuple[str, ...]] | None = None

    @property
    def sensitive(self) -> bool:
        return self.consent is not None

    def all_choices(self) -> tuple[tuple[str, Promise], ...]:
        if self.sensitive:
            return (*self.choices, (PREFER_NOT_TO_SAY, _("Prefer not to say")))
        return self.choices

    def asked(self, answers: Mapping[str, Any]) -> bool:
        if self.only_if is None:
            return True
        other, values = self.only_if
        return answers.get(other) in values


@dataclass(frozen=True)
class QuestionnaireForm:
    kind: str
    title: Promise
    intro: Promise
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def question(self, name: str) -> Question:
        return next(q for q in self.questions if q.name == name)

    @property
    def sensitive(self) -> bool:
        return any(q.sensitive for q in self.questions)


YES_NO = (("yes", _("Yes")), ("no", _("No")))

CONSENT_HOUSEHOLD = _(
    "We ask about your household because the European Social Fund counts the people it "
    "helps. Your answer goes into anonymous totals only. You may prefer not to say."
)
CONSENT_BACKGROUND = _(
    "The European Social Fund counts people with a foreign background, who are homeless or "
    "who face other disadvantages, in anonymous totals. You may prefer not to say."
)
CONSENT_SPECIAL = _(
    "This is sensitive personal data (GDPR art. 9). Only the coordinators who need it can see "
    "it, never the teachers, and every look at it is recorded. It is used for the European "
    "Social Fund's anonymous totals. You may prefer not to say."
)

# The labour-market status, as the participant describes it. Long-term unemployment is worked
# out from the months and the age at entry, never asked.
UNEMPLOYED = "unemployed"
LABOUR_MARKET_STATUS = Question(
    name="labour_market_status",
    text=_("What is your work situation today?"),
    choices=(
        ("employed", _("I work (employed or self-employed)")),
        (UNEMPLOYED, _("I do not work and I am looking for work")),
        ("inactive_in_education", _("I do not work: I study or I am in training")),
        ("inactive", _("I do not work and I am not looking for work")),
    ),
)

ENTRY_FORM = QuestionnaireForm(
    kind=ENTRY,
    title=_("Questions at the start of the course"),
    intro=_(
        "The European Social Fund pays for your lessons. It asks every participant a few "
        "questions about the day they started. It takes two minutes."
    ),
    questions=(
        LABOUR_MARKET_STATUS,
        Question(
            name="unemployed_months",
            text=_("For how many months have you been without work?"),
            number=True,
            maximum=600,
            help=_("Months without a break, up to today."),
            only_if=("labour_market_status", (UNEMPLOYED,)),
        ),
        Question(
            name="isced_level",
            text=_("What is the highest school or study you finished?"),
            choices=tuple((str(level.value), level.label) for level in IscedLevel),
        ),
        Question(
            name="household_jobless",
            text=_("Does nobody in your household have a job?"),
            choices=YES_NO,
            consent=CONSENT_HOUSEHOLD,
        ),
        Question(
            name="household_dependent_children",
            text=_("Do children who depend on you or your partner live with you?"),
            choices=YES_NO,
            consent=CONSENT_HOUSEHOLD,
        ),
        Question(
            name="household_single_adult",
            text=_("Are you the only adult in a household with dependent children?"),
            choices=YES_NO,
            consent=CONSENT_HOUSEHOLD,
        ),
        Question(
            name="foreign_background",
            text=_("Were you or your parents born outside Greece?"),
            choices=YES_NO,
            consent=CONSENT_BACKGROUND,
        ),
        Question(
            name="minority",
            text=_("Do you belong to a minority (for example Roma)?"),
            choices=YES_NO,
            consent=CONSENT_SPECIAL,
            special_category=True,
        ),
        Question(
            name="disability",
            text=_("Do you have a disability?"),
            choices=YES_NO,
            consent=CONSENT_SPECIAL,
            special_category=True,
        ),
        Question(
            name="other_disadvantage",
            text=_("Do you face another disadvantage (for example in getting a job)?"),
            choices=YES_NO,
            consent=CONSENT_BACKGROUND,
        ),
        Question(
            name="homeless",
            text=_("Are you homeless or without a home of your own?"),
            choices=YES_NO,
            consent=CONSENT_BACKGROUND,
        ),
        Question(
            name="rural_area",
            text=_("Do you live in a village or in the countryside?"),
            choices=YES_NO,
        ),
    ),
)

EXIT_FORM = QuestionnaireForm(
    kind=EXIT,
    title=_("Questions now that the course has ended for you"),
    intro=_(
        "The European Social Fund asks everyone who leaves a course three short questions, "
        "within four weeks. Your answers count only in anonymous totals."
    ),
    questions=(
        Question(
            name="in_education",
            text=_("Are you now studying or in training (other than this course)?"),
            choices=YES_NO,
        ),
        Question(
            name="employed",
            text=_("Do you have a job now (employed or self-employed)?"),
            choices=YES_NO,
        ),
        Question(
            name="job_searching",
            text=_("Are you looking for a job now?"),
            choices=YES_NO,
        ),
    ),
)

FOLLOW_UP_FORM = QuestionnaireForm(
    kind=FOLLOW_UP,
    title=_("Six months after the course"),
    intro=_(
        "Six months have passed since your course ended. The European Social Fund asks how "
        "you are doing now. Your answers count only in anonymous totals."
    ),
    questions=(
        Question(
            name="employed",
            text=_("Do you have a job now (employed or self-employed)?"),
            choices=YES_NO,
        ),
        Question(
            name="improved_situation",
            text=_("Is your work situation better than when you started the course?"),
            help=pgettext_lazy(
                "follow-up", "For example a job instead of none, or a better or steadier job."
            ),
            choices=YES_NO,
        ),
    ),
)

FORMS: dict[str, QuestionnaireForm] = {q.kind: q for q in (ENTRY_FORM, EXIT_FORM, FOLLOW_UP_FORM)}

KIND_LABELS: dict[str, Promise] = {
    ENTRY: _("entry"),
    EXIT: _("exit"),
    FOLLOW_UP: _("6-month follow-up"),
}


def questions_for(kind: str, *, special_category: bool = True) -> tuple[Question, ...]:
    """The questions of ``kind``; without the special-category ones for an office user who may
    not see them (they stay unanswered: typed in by someone who may)."""
    return tuple(q for q in FORMS[kind].questions if special_category or not q.special_category)


def answers_clean(
    kind: str, data: Mapping[str, Any], *, special_category: bool = True
) -> dict[str, Any]:
    """The answers of a questionnaire of ``kind`` as stored: every question asked, each answer
    one of its choices (a number in its range); a question not asked is left out. Missing or
    wrong answers raise a ``ValidationError`` naming each question."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions_for(kind, special_category=special_category):
        raw = data.get(question.name)
        raw = raw.strip() if isinstance(raw, str) else raw
        if not question.asked({**data, **answers}):
            continue
        if raw in (None, ""):
            errors[question.name] = str(_("Please answer this question."))
            continue
        if question.number:
            try:
                value = int(raw)
            except (TypeError, ValueError):
                errors[question.name] = str(_("Please write a whole number."))
                continue
            if not question.minimum <= value <= question.maximum:
                errors[question.name] = str(
                    _("Please write a number from %(minimum)s to %(maximum)s.")
                    % {"minimum": question.minimum, "maximum": question.maximum}
                )
                continue
            answers[question.name] = value
            continue
        chosen = str(raw)
        if chosen not in dict(question.all_choices()):
            errors[question.name] = str(_("Please choose one of the answers."))
            continue
        answers[question.name] = chosen
    if errors:
        raise ValidationError(errors)
    return answers
