"""The coordinator's exam pages: rounds, registering a cycle, importing the centre's results."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import Cycle
from exams.imports import ResultsReport, results_import, results_report_workbook, results_template
from exams.models import ExamRound
from exams.selectors import round_page, rounds_of_school, rounds_with_figures
from exams.services import exam_registrations_for_cycle
from school.choices import Role
from school.errors import ConflictError
from school.pages import import_report_read, import_report_store, posted_id, xlsx_response
from school.permissions import SignedInRequest, coordinator_only, office_roles, request_school


def _rounds(request: SignedInRequest) -> QuerySet[ExamRound]:
    return rounds_of_school(school_id=request_school(request).pk)


def _report_key(pk: int, *, download: bool = False) -> str:
    """Where an import's report waits in the session: shown once on the round's page, and kept
    for its download."""
    return f"results-report-file-{pk}" if download else f"results-report-{pk}"


@office_roles
def round_list(request: SignedInRequest) -> HttpResponse:
    rounds = rounds_with_figures(school_id=request_school(request).pk)
    return render(request, "exams/round_list.html", {"rounds": rounds})


@office_roles
def round_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    exam_round = get_object_or_404(_rounds(request), pk=pk)
    page = round_page(exam_round=exam_round)
    return render(
        request,
        "exams/round_detail.html",
        {
            "exam_round": exam_round,
            "registrations": page.registrations,
            "cycles": page.cycles,
            "can_edit": request.user.role == Role.COORDINATOR,
            "report": import_report_read(request, _report_key(pk), ResultsReport, once=True),
        },
    )


@require_POST
@coordinator_only
def round_register_cycle(request: SignedInRequest, pk: int) -> HttpResponse:
    exam_round = get_object_or_404(_rounds(request), pk=pk)
    cycle = get_object_or_404(
        Cycle, pk=posted_id(request.POST.get("cycle")), school=exam_round.school
    )
    registered, skipped = exam_registrations_for_cycle(
        cycle=cycle, exam_round=exam_round, registered_by=request.user
    )
    messages.success(request, _("%(n)s students registered.") % {"n": len(registered)})
    for student, reason in skipped:
        messages.warning(request, f"{student.full_name}: {reason}")
    return redirect("office-exam-round", pk=pk)


@require_POST
@coordinator_only
def round_import_results(request: SignedInRequest, pk: int) -> HttpResponse:
    exam_round = get_object_or_404(_rounds(request), pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an .xlsx file."))
        return redirect("office-exam-round", pk=pk)
    try:
        report = results_import(exam_round=exam_round, upload=upload, recorded_by=request.user)
    except (
        ValidationError,
        ConflictError,
    ) as error:  # pragma: no cover - the import reports per row
        messages.error(request, str(error))
        return redirect("office-exam-round", pk=pk)
    import_report_store(request, _report_key(pk), report)
    import_report_store(request, _report_key(pk, download=True), report)
    return redirect("office-exam-round", pk=pk)


@coordinator_only
def round_results_template(request: SignedInRequest, pk: int) -> HttpResponse:
    exam_round = get_object_or_404(_rounds(request), pk=pk)
    return xlsx_response(results_template(exam_round), f"results-{pk}.xlsx")


@coordinator_only
def round_results_report(request: SignedInRequest, pk: int) -> HttpResponse:
    report = import_report_read(request, _report_key(pk, download=True), ResultsReport)
    if report is None:
        raise Http404
    return xlsx_response(results_report_workbook(report), f"results-import-report-{pk}.xlsx")
