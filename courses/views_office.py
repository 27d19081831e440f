"""The coordinator's pages for cycles, waitlists and the applicants import.

Each action is a small form that calls one service and comes back to the page with a message;
auditors see the same pages without the forms.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import services
from courses.imports import ImportReport, report_workbook, students_import, template_workbook
from courses.models import Cycle, Enrollment, Lesson
from courses.selectors import (
    at_risk_enrollments,
    cycle_page,
    cycles_open,
    cycles_with_counts,
    enrollment_page,
    students_to_enroll,
)
from courses.selectors.participations import completeness, operations_visible_to
from school.choices import Role
from school.errors import ConflictError
from school.models import Student
from school.pages import import_report_read, import_report_store, posted_id, xlsx_response
from school.permissions import (
    SignedInRequest,
    coordinator_only,
    office_roles,
    request_school,
    sees_special_category,
)


def _run(request: SignedInRequest, action: Callable[[], Any], done: str) -> None:
    """Run a service; its refusal, with its reason, becomes a message on the page instead of an
    error page. A service that answers False had nothing to do, and nothing is said."""
    try:
        result = action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except ConflictError as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this."))
    else:
        if result is not False:
            messages.success(request, done)


@office_roles
def cycle_list(request: SignedInRequest) -> HttpResponse:
    cycles = list(cycles_with_counts(school_id=request.user.school_id or 0))
    return render(request, "courses/office/cycle_list.html", {"cycles": cycles})


@office_roles
def cycle_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    try:
        page = cycle_page(
            cycle_id=pk,
            school_id=request.user.school_id or 0,
            extended_limits=sees_special_category(request.user),
        )
    except Cycle.DoesNotExist:
        raise Http404 from None
    can_edit = request.user.role == Role.COORDINATOR
    query = request.GET.get("q", "")
    found = students_to_enroll(cycle=page.cycle, query=query) if can_edit else []
    return render(
        request,
        "courses/office/cycle_detail.html",
        {"page": page, "can_edit": can_edit, "query": query, "found": found},
    )


def _own_cycle(request: SignedInRequest, pk: int) -> Cycle:
    return get_object_or_404(Cycle, pk=pk, school_id=request.user.school_id)


def _own_enrollment(request: SignedInRequest, pk: int) -> Enrollment:
    return get_object_or_404(
        Enrollment.objects.select_related("cycle"), pk=pk, cycle__school_id=request.user.school_id
    )


@require_POST
@coordinator_only
def cycle_generate_lessons(request: SignedInRequest, pk: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    _run(
        request,
        lambda: services.lessons_generate(cycle=cycle),
        _("Lessons generated from the timetable."),
    )
    return redirect("office-cycle", pk=pk)


@require_POST
@coordinator_only
def cycle_complete(request: SignedInRequest, pk: int) -> HttpResponse:
    cycle = _own_cycle(request, pk)
    _run(request, lambda: services.cycle_complete(cycle=cycle), _("The cycle is closed."))
    return redirect("office-cycle", pk=pk)


@require_POST
@coordinator_only
def cycle_enroll(request: SignedInRequest, pk: int) -> HttpResponse:
    """Enroll one student (a seat if free, else the waitlist)."""
    cycle = _own_cycle(request, pk)
    student = get_object_or_404(
        Student, pk=posted_id(request.POST.get("student")), school_id=cycle.school_id
    )
    _run(
        request,
        lambda: services.enrollment_create(student=student, cycle=cycle),
        _("Enrolled or waitlisted."),
    )
    return redirect("office-cycle", pk=pk)


@require_POST
@coordinator_only
def lesson_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(Lesson, pk=pk, cycle__school_id=request.user.school_id)
    _run(
        request,
        lambda: services.lesson_cancel(lesson=lesson),
        _("Lesson cancelled; its students will be told."),
    )
    return redirect("office-cycle", pk=lesson.cycle_id)


@require_POST
@coordinator_only
def enrollment_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    enrollment = _own_enrollment(request, pk)
    reason = request.POST.get("reason", "")[:300]
    _run(
        request,
        lambda: services.enrollment_withdraw(enrollment=enrollment, reason=reason),
        _("Withdrawn."),
    )
    return redirect("office-cycle", pk=enrollment.cycle_id)


@require_POST
@coordinator_only
def enrollment_promote(request: SignedInRequest, pk: int) -> HttpResponse:
    enrollment = _own_enrollment(request, pk)
    _run(
        request,
        lambda: services.enrollment_promote(enrollment=enrollment),
        _("Promoted to a seat."),
    )
    return redirect("office-cycle", pk=enrollment.cycle_id)


@require_POST
@coordinator_only
def enrollment_move(request: SignedInRequest, pk: int) -> HttpResponse:
    """Move a waitlisted student one place up or down."""
    enrollment = _own_enrollment(request, pk)
    direction = request.POST.get("direction", "")
    _run(
        request,
        lambda: services.waitlist_move(enrollment=enrollment, direction=direction),
        _("Waitlist reordered."),
    )
    return redirect("office-cycle", pk=enrollment.cycle_id)


# -- applicants import ---------------------------------------------------------------------------

REPORT_KEY = "applicants_import_report"


@coordinator_only
def import_students(request: SignedInRequest) -> HttpResponse:
    cycles = cycles_open(school_id=request_school(request).pk)
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        cycle = cycles.filter(pk=posted_id(request.POST.get("cycle"))).first()
        if upload is None:
            messages.error(request, _("Choose an .xlsx file."))
        else:
            report = students_import(school=request_school(request), upload=upload, cycle=cycle)
            import_report_store(request, REPORT_KEY, report)
    return render(request, "courses/office/import.html", {"cycles": cycles, "report": report})


@coordinator_only
def import_template(request: SignedInRequest) -> HttpResponse:
    return xlsx_response(template_workbook(), "applicants-template.xlsx")


@coordinator_only
def import_report(request: SignedInRequest) -> HttpResponse:
    report = import_report_read(request, REPORT_KEY, ImportReport)
    if report is None:
        raise Http404
    return xlsx_response(report_workbook(report), "applicants-import-report.xlsx")


@office_roles
def at_risk(request: SignedInRequest) -> HttpResponse:
    """Students who missed N lessons in a row or can no longer finish within the absence limit."""
    school = request_school(request)
    enrollments = at_risk_enrollments(
        school_id=school.pk,
        today=school.today(),
        extended_limits=sees_special_category(request.user),
    )
    return render(
        request, "courses/office/at_risk.html", {"enrollments": enrollments, "school": school}
    )


@office_roles
def enrollment_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One enrollment: attendance figures, every mark, and the history of changes to them."""
    page = enrollment_page(
        enrollment_id=pk,
        school_id=request_school(request).pk,
        extended_limits=sees_special_category(request.user),
    )
    if page is None:
        raise Http404
    return render(
        request,
        "courses/office/enrollment_detail.html",
        {
            "enrollment": page.enrollment,
            "can_edit": request.user.role == Role.COORDINATOR,
            "marks": page.marks,
            "history": page.history,
        },
    )


@office_roles
def operation_list(request: SignedInRequest) -> HttpResponse:
    """The school's funded operations, each leading to who lacks the funder's answers."""
    operations = operations_visible_to(user=request.user).order_by("-starts_on", "pk")
    return render(request, "courses/office/operation_list.html", {"operations": operations})


@office_roles
def operation_completeness(request: SignedInRequest, pk: int) -> HttpResponse:
    """One operation, or one of its cycles (``?cycle=``): who lacks entry answers or exit
    answers on time, the reminders they were sent, and the exit questionnaires closing this
    week."""
    operation = get_object_or_404(operations_visible_to(user=request.user), pk=pk)
    cycle_id = posted_id(request.GET.get("cycle")) if request.GET.get("cycle") else None
    school = request_school(request)
    page = completeness(operation=operation, today=school.today(), cycle_id=cycle_id)
    cycles = operation.cycles.order_by("-starts_on", "code")  # type: ignore[attr-defined]
    return render(
        request,
        "courses/office/operation_completeness.html",
        {"page": page, "cycles": cycles, "today": school.today()},
    )
