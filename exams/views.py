"""The coordinator's exam pages: rounds, registering a cycle, importing the centre's results."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import Cycle
from courses.views_office import _id
from exams.imports import results_import, results_report_workbook, results_template
from exams.models import ExamRound
from exams.services import exam_registrations_for_cycle
from school.choices import Role
from school.errors import ConflictError
from school.permissions import SignedInRequest, request_school, role_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
office_roles = role_required(Role.COORDINATOR, Role.AUDITOR)
coordinator_only = role_required(Role.COORDINATOR)


def _rounds(request: SignedInRequest):  # type: ignore[no-untyped-def]
    return ExamRound.objects.filter(school=request_school(request)).select_related(
        "scheme__level", "scheme__exam_type"
    )


@office_roles
def round_list(request: SignedInRequest) -> HttpResponse:
    rounds = _rounds(request).annotate(
        registered=Count("registrations"),
        sat=Count("registrations__result"),
        passed=Count("registrations__result", filter=Q(registrations__result__passed=True)),
    )
    return render(request, "exams/round_list.html", {"rounds": rounds.order_by("-exam_date")})


@office_roles
def round_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    exam_round = get_object_or_404(_rounds(request), pk=pk)
    registrations = exam_round.registrations.select_related("student", "cycle", "result").order_by(
        "student__last_name", "pk"
    )
    cycles = Cycle.objects.filter(school=exam_round.school, level=exam_round.scheme.level).order_by(
        "-starts_on"
    )
    return render(
        request,
        "exams/round_detail.html",
        {
            "exam_round": exam_round,
            "registrations": registrations,
            "cycles": cycles,
            "can_edit": request.user.role == Role.COORDINATOR,
            "report": request.session.pop(f"results-report-{pk}", None),
        },
    )


@require_POST
@coordinator_only
def round_register_cycle(request: SignedInRequest, pk: int) -> HttpResponse:
    exam_round = get_object_or_404(_rounds(request), pk=pk)
    cycle = get_object_or_404(Cycle, pk=_id(request.POST.get("cycle")), school=exam_round.school)
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
    request.session[f"results-report-{pk}"] = {
        "recorded": report.recorded,
        "problems": [[p.row, p.field, p.message] for p in report.problems],
    }
    request.session[f"results-report-file-{pk}"] = request.session[f"results-report-{pk}"]
    return redirect("office-exam-round", pk=pk)


@coordinator_only
def round_results_template(request: SignedInRequest, pk: int) -> HttpResponse:
    exam_round = get_object_or_404(_rounds(request), pk=pk)
    response = HttpResponse(results_template(exam_round), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="results-{pk}.xlsx"'
    return response


@coordinator_only
def round_results_report(request: SignedInRequest, pk: int) -> HttpResponse:
    from courses.imports import Problem
    from exams.imports import ResultsReport

    stored = request.session.get(f"results-report-file-{pk}")
    if not stored:
        raise Http404
    report = ResultsReport(stored["recorded"], [Problem(*p) for p in stored["problems"]])
    response = HttpResponse(results_report_workbook(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="results-import-report-{pk}.xlsx"'
    return response
