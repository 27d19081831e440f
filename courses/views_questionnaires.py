"""The questionnaires' pages: the participant answers on their phone (reached by the link in
their message, or from their page), and the office sends a cycle's questionnaires and types in
paper forms."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from courses.models import Cycle, Enrollment
from courses.selectors.questionnaires import cycle_questionnaires
from courses.services.questionnaires import questionnaire_due, questionnaires_send_to_cycle
from school.choices import AnswerSource, Role
from school.errors import ConflictError
from school.models import Questionnaire, QuestionnaireKind
from school.permissions import (
    SignedInRequest,
    coordinator_only,
    office_roles,
    role_required,
    sees_special_category,
)
from school.questionnaires import CONSENT_VERSION, FORMS, Question, questions_for
from school.services.participation import participation_for
from school.services.questionnaires import questionnaire_answer


@dataclass(frozen=True)
class Field:
    question: Question
    value: Any
    error: str

    @property
    def choices(self) -> Any:
        return self.question.all_choices()


def _fields(
    kind: str, data: Any, errors: dict[str, list[str]], *, special_category: bool = True
) -> list[Field]:
    return [
        Field(q, data.get(q.name), (errors.get(q.name) or [""])[0])
        for q in questions_for(kind, special_category=special_category)
    ]


def _answer(
    request: SignedInRequest, questionnaire: Questionnaire, **how: Any
) -> dict[str, list[str]] | None:
    """Keep the posted answers; the errors by question when some are wrong, else None."""
    try:
        questionnaire_answer(
            questionnaire=questionnaire,
            data=request.POST,
            consent_version=request.POST.get("consent_version", ""),
            by=request.user,
            **how,
        )
    except ValidationError as error:
        return error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    return None


@require_http_methods(["GET", "POST"])
@role_required(Role.STUDENT)
def questionnaire_answer_page(request: SignedInRequest, pk: int) -> HttpResponse:
    """The participant's own questionnaire: every question on one short page, in their
    language; closed after its last day; thanks once answered."""
    questionnaire = get_object_or_404(
        Questionnaire.objects.select_related("participation__student__school"),
        pk=pk,
        participation__student__user=request.user,
    )
    today = questionnaire.participation.student.school.today()
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and questionnaire.is_open(today):
        try:
            found = _answer(request, questionnaire, source=AnswerSource.PARTICIPANT)
        except ConflictError as error:
            messages.error(request, error.message)
            found = None
        if found is None:
            return redirect("questionnaire", pk=pk)
        errors = found
    questionnaire.refresh_from_db()
    response = render(
        request,
        "courses/questionnaires/answer.html",
        {
            "questionnaire": questionnaire,
            "form": FORMS[questionnaire.kind],
            "closed": questionnaire.closed_on(today),
            "questions": _fields(questionnaire.kind, request.POST, errors),
            "errors": errors,
            "consent_version": CONSENT_VERSION,
        },
        status=400 if errors else 200,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _kinds() -> list[tuple[str, str]]:
    return [(k.value, str(k.label)) for k in QuestionnaireKind]


def _send_buttons() -> list[tuple[str, str]]:
    return [
        (QuestionnaireKind.ENTRY, _("Send the entry questionnaire to the cycle")),
        (QuestionnaireKind.EXIT, _("Send the exit questionnaire to those who left")),
        (QuestionnaireKind.FOLLOW_UP, _("Send the 6-month follow-up to those it is due")),
    ]


@office_roles
def cycle_questionnaires_page(request: SignedInRequest, pk: int) -> HttpResponse:
    """A cycle's students and their entry, exit and follow-up questionnaires: answered (on the
    phone or on paper, late or not), open until when with the reminders sent, or closed."""
    try:
        page = cycle_questionnaires(cycle_id=pk, school_id=request.user.school_id or 0)
    except Cycle.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "courses/questionnaires/cycle.html",
        {
            "cycle": page.cycle,
            "rows": page.rows,
            "kinds": _kinds(),
            "send_buttons": _send_buttons(),
            "today": page.cycle.school.today(),
            "can_edit": request.user.role == Role.COORDINATOR,
            "skipped": request.session.pop("questionnaires_skipped", []),
        },
    )


@require_POST
@coordinator_only
def cycle_questionnaires_send(request: SignedInRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(
        Cycle.objects.select_related("operation"), pk=pk, school_id=request.user.school_id
    )
    kind = request.POST.get("kind", "")
    if kind not in QuestionnaireKind.values:
        messages.error(request, _("Unknown questionnaire."))
        return redirect("office-cycle-questionnaires", pk=pk)
    try:
        result = questionnaires_send_to_cycle(cycle=cycle, kind=kind, by=request.user)
    except ConflictError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Sent to %(sent)s students; not sent to %(skipped)s.")
            % {"sent": result.sent, "skipped": len(result.skipped)},
        )
        request.session["questionnaires_skipped"] = result.skipped
    return redirect("office-cycle-questionnaires", pk=pk)


@require_http_methods(["GET", "POST"])
@coordinator_only
def questionnaire_paper(request: SignedInRequest, pk: int, kind: str) -> HttpResponse:
    """Type in a participant's paper form (kept as ``paper``, with who typed it; marked late
    when typed in after the questionnaire closed)."""
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("student", "cycle__operation", "cycle__school"),
        pk=pk,
        cycle__school_id=request.user.school_id,
    )
    cycle = enrollment.cycle
    if kind not in QuestionnaireKind.values or cycle.operation is None:
        raise Http404
    today = cycle.school.today()
    # Disability and minority are typed in only by those who may see them.
    special = sees_special_category(request.user)
    try:
        participation = participation_for(enrollment.student, cycle.operation)
        questionnaire = questionnaire_due(
            participation=participation, kind=kind, today=today, closed_too=True
        )
    except ConflictError as error:
        messages.error(request, error.message)
        return redirect("office-cycle-questionnaires", pk=cycle.pk)
    errors: dict[str, list[str]] = {}
    answered_on = request.POST.get("answered_on", today.isoformat())
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(answered_on)
        except ValueError:
            errors = {"answered_on": [_("Enter a valid date.")]}
        else:
            try:
                found = _answer(
                    request,
                    questionnaire,
                    source=AnswerSource.PAPER,
                    answered_on=day,
                    special_category=special,
                )
            except ConflictError as error:
                messages.error(request, error.message)
                return redirect("office-cycle-questionnaires", pk=cycle.pk)
            if found is None:
                messages.success(request, _("The paper form is saved."))
                return redirect("office-cycle-questionnaires", pk=cycle.pk)
            errors = found
        for message in errors.get("answered_on", []) + errors.get("", []):
            messages.error(request, message)
    return render(
        request,
        "courses/questionnaires/paper.html",
        {
            "cycle": cycle,
            "student": enrollment.student,
            "questionnaire": questionnaire,
            "form": FORMS[kind],
            "questions": _fields(kind, request.POST, errors, special_category=special),
            "errors": errors,
            "answered_on": answered_on,
            "consent_version": CONSENT_VERSION,
        },
        status=400 if errors else 200,
    )
