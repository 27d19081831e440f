"""The teacher's and the student's pages."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from courses import services
from courses.certificates import hours_text
from courses.models import Attendance, Certificate, Lesson
from courses.selectors import (
    certificates_visible_to,
    enrollments_visible_to,
    lessons_of_teacher,
    lessons_visible_to,
    roster_for_lesson,
)
from school.choices import Role
from school.errors import ConflictError
from school.permissions import (
    SignedInRequest,
    request_school,
    request_user,
    role_required,
    sees_special_category,
)
from school.throttle import within_limit

# How far back the teacher's page looks for lessons still waiting for attendance.
WAITING_DAYS = 14


@role_required(Role.TEACHER)
def teach_home(request: SignedInRequest) -> HttpResponse:
    """Today's lessons of the cycles the teacher teaches, the next seven days', and the last
    two weeks' lessons still waiting for attendance."""
    today = request_school(request).today()
    week_end = today + dt.timedelta(days=7)
    teacher = getattr(request.user, "teacher", None)
    lessons = (
        list(
            lessons_of_teacher(
                teacher=teacher, start=today - dt.timedelta(days=WAITING_DAYS), end=week_end
            )
        )
        if teacher
        else []
    )
    return render(
        request,
        "courses/teach_home.html",
        {
            "today": today,
            "today_lessons": [lesson for lesson in lessons if lesson.date == today],
            "week_lessons": [lesson for lesson in lessons if lesson.date > today],
            "unmarked_lessons": [
                lesson
                for lesson in lessons
                if lesson.date < today and lesson.status == Lesson.Status.SCHEDULED
            ],
        },
    )


@role_required(Role.TEACHER, Role.COORDINATOR)
def teach_lesson(request: SignedInRequest, pk: int) -> HttpResponse:
    """Take attendance: one tap per student, everyone present, save. Works without JavaScript
    (a form post); with it, marks go to the API and wait on the phone while it is offline."""
    lesson = (
        lessons_visible_to(user=request_user(request))
        .select_related("cycle__school", "cycle__venue", "room__venue")
        .filter(pk=pk)
        .first()
    )
    if lesson is None:
        raise Http404
    if request.method == "POST":
        _save_from_form(request, lesson)
        return redirect("teach-lesson", pk=pk)
    school = lesson.cycle.school
    starts = dt.datetime.combine(lesson.date, lesson.starts_at, tzinfo=school.zone)
    roster = roster_for_lesson(lesson=lesson, extended_limits=sees_special_category(request.user))
    return render(
        request,
        "courses/teach_lesson.html",
        {
            "lesson": lesson,
            "roster": roster,
            "statuses": Attendance.Status.choices,
            "can_mark": lesson.status != Lesson.Status.CANCELLED and starts <= timezone.now(),
            "not_started": starts > timezone.now(),
            "api_url": reverse("lesson-attendance", args=[lesson.pk]),
            "labels": {**dict(Attendance.Status.choices), "unmarked": _("Tap to mark")},
            "still_to_mark": str(STILL_TO_MARK),
        },
    )


STILL_TO_MARK = gettext_lazy(
    "Saved. Still to mark: %(count)s. The lesson waits for attendance until everyone has a mark."
)


def still_to_mark(count: int) -> str:
    return str(STILL_TO_MARK) % {"count": count}


def _save_from_form(request: SignedInRequest, lesson: Lesson) -> None:
    try:
        if "cancel_lesson" in request.POST:
            services.lesson_cancel(lesson=lesson)
            messages.success(
                request, _("The lesson is marked cancelled; its students will be told.")
            )
            return
        roster = roster_for_lesson(lesson=lesson)
        # "Everyone present" fills in only the students nobody has marked: a late or absent
        # mark already made (posted with the form, or saved before) stays as it is.
        fill = "present" if "everyone_present" in request.POST else None
        marks = [
            (entry.pk, mark)
            for entry in roster
            if (mark := request.POST.get(f"mark-{entry.pk}") or entry.mark or fill)
        ]
        saved = services.attendance_save(
            lesson=lesson, marks=marks, topic=request.POST.get("topic"), by=request.user
        )
        unmarked = saved.unmarked_count  # type: ignore[attr-defined]
        if unmarked:
            messages.warning(request, still_to_mark(unmarked))
        else:
            messages.success(request, _("Attendance saved."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except (ConflictError, PermissionDenied) as error:
        messages.error(request, str(getattr(error, "message", error)))


@never_cache
@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """The public page that checks a certificate: its kind, the holder's initials, the level,
    the hours and the dates, nothing more; revoked ones say so; an unknown code is a 404.
    Rate-limited per client address."""
    client = request.META.get("REMOTE_ADDR", "")
    if not within_limit(
        f"certificate-verify:{client}",
        limit=settings.CERTIFICATE_VERIFY_PER_IP,
        window=settings.CERTIFICATE_VERIFY_WINDOW_SECONDS,
    ):
        return render(request, "courses/verify.html", {"too_many": True}, status=429)
    certificate = (
        Certificate.objects.select_related("enrollment__student", "enrollment__cycle__level")
        .filter(code=code.strip().upper()[:40])
        .first()
    )
    if certificate is None:
        return render(request, "courses/verify.html", {"unknown": True}, status=404)
    student = certificate.enrollment.student
    initials = ". ".join(
        name[:1].upper() for name in (student.first_name, student.last_name) if name
    )
    return render(
        request,
        "courses/verify.html",
        {
            "certificate": certificate,
            "initials": f"{initials}.",
            "level": certificate.enrollment.cycle.level.code,
            "attended": hours_text(certificate.hours_attended),
            "held": hours_text(certificate.hours_held),
        },
    )


@require_POST
@role_required(Role.STUDENT)
def student_certificate_request(request: SignedInRequest) -> HttpResponse:
    """The student asks for a certificate of one of their own enrollments."""
    enrollment = (
        enrollments_visible_to(user=request_user(request))
        .filter(pk=_int(request.POST.get("enrollment")))
        .first()
    )
    if enrollment is None:
        raise Http404
    try:
        services.certificate_issue(
            enrollment=enrollment,
            kind=request.POST.get("kind", ""),
            issued_by=request_user(request),
            base_url=settings.SITE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/"),
        )
    except (ConflictError, ValidationError) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("Your certificate is ready: download it below."))
    return redirect(reverse("student-home") + "#certificates")


@role_required(Role.STUDENT)
def student_certificate_download(request: SignedInRequest, pk: int) -> HttpResponse:
    """One of the student's own certificates, as PDF."""
    certificate = certificates_visible_to(user=request_user(request)).filter(pk=pk).first()
    if certificate is None or not certificate.file:
        raise Http404
    return FileResponse(  # type: ignore[return-value]
        certificate.file.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
        content_type="application/pdf",
    )


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 12 else 0


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
