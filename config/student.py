"""The student's own page, their calendar feed, the language switcher and sign-in links."""

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from config.calendar_feed import calendar_for
from config.sign_in import sign_in_links_send
from courses.selectors import lessons_of_student, student_attendance
from courses.services import school_today
from exams.selectors import exam_registrations_of_student
from school.choices import Role
from school.models import CalendarFeed, Student
from school.permissions import SignedInRequest, request_user, role_required
from school.selectors import calendar_feed_user
from school.services import (
    calendar_feed_renew,
    calendar_feed_token,
    sign_in_link_use,
    user_language_set,
)

LESSON_DAYS = 28


@role_required(Role.STUDENT)
def student_home(request: SignedInRequest) -> HttpResponse:
    """The student's own page: the coming four weeks of lessons (cancelled and moved ones
    marked), their attendance against the absence limit, their exams, their calendar link."""
    student = Student.objects.select_related("school").filter(user=request.user).first()
    context: dict[str, Any] = {"student": student, "lessons": [], "enrollments": []}
    if student is not None:
        today = school_today(student.school)
        feed = CalendarFeed.objects.filter(user=request.user).first()
        enrollments = student_attendance(student=student, today=today)
        for enrollment in enrollments:
            limit = enrollment.absence_limit_hours  # type: ignore[attr-defined]
            missed = enrollment.missed_hours  # type: ignore[attr-defined]
            enrollment.hours_left = max(limit - missed, 0)  # type: ignore[attr-defined]
            enrollment.limit_used = (  # type: ignore[attr-defined]
                min(round(100 * missed / limit), 100) if limit else 0
            )
            enrollment.over_limit = missed > limit  # type: ignore[attr-defined]
            enrollment.near_limit = limit and missed >= limit * 3 / 4  # type: ignore[attr-defined]
        context.update(
            today=today,
            lessons=list(
                lessons_of_student(
                    student=student, start=today, end=today + dt.timedelta(days=LESSON_DAYS)
                )
            ),
            enrollments=enrollments,
            registrations=exam_registrations_of_student(student=student),
            feed_url=(
                request.build_absolute_uri(
                    reverse("calendar-feed", args=[calendar_feed_token(feed)])
                )
                if feed
                else None
            ),
        )
    if context.get("feed_url"):
        # webcal:// makes phones subscribe (and keep the calendar up to date), not download.
        context["webcal_url"] = "webcal://" + context["feed_url"].split("://", 1)[1]
    response = render(request, "student/home.html", context)
    # The page holds the secret calendar address: not to be cached.
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required(Role.STUDENT)
def calendar_renew(request: SignedInRequest) -> HttpResponse:
    """Make the secret calendar address (again): any older address stops working."""
    calendar_feed_renew(user=request.user)
    return redirect(reverse("student-home") + "#calendar")


def _ics(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="lessons.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar behind a secret address, for calendar apps that cannot sign in. A wrong or
    renewed address is a plain 404 (the log filter keeps the token out of the logs)."""
    user = calendar_feed_user(token=token)
    if user is None:
        raise Http404
    return _ics(calendar_for(user=user))


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        # Only errors reach the renderer (the view returns the calendar itself): plain JSON.
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class MyCalendarView(APIView):
    """The signed-in user's lessons and exams as iCalendar (text/calendar), in the school's
    time zone; cancelled lessons have STATUS:CANCELLED."""

    renderer_classes = [ICalendarRenderer]

    @extend_schema(
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="iCalendar")
        }
    )
    def get(self, request: Request) -> HttpResponse:
        return _ics(calendar_for(user=request_user(request)))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a signed-in user their profile remembers it."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request_user(request), language=language)
    return response


def _site_url(request: HttpRequest) -> str:
    return settings.SITE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time sign-in link by phone or e-mail. The answer is the same whether or
    not an account matches."""
    address = request.POST.get("address", "").strip() if request.method == "POST" else ""
    if request.method == "POST" and address:
        sent = sign_in_links_send(
            address=address[:254],
            client_ip=request.META.get("REMOTE_ADDR", ""),
            base_url=_site_url(request),
        )
        if not sent:
            return render(request, "registration/sign_in_link.html", {"too_many": True}, status=429)
        return render(
            request,
            "registration/sign_in_link.html",
            {"sent": True, "minutes": settings.SIGN_IN_LINK_MINUTES},
        )
    return render(
        request,
        "registration/sign_in_link.html",
        {"missing": request.method == "POST"},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link_use_view(request: HttpRequest, token: str) -> HttpResponse:
    """Open a sign-in link. GET only shows a button: message apps and mail scanners open links
    to preview them, and must not use up the one chance."""
    if request.method == "POST":
        user = sign_in_link_use(token=token)
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
        response = render(request, "registration/sign_in_link_use.html", {"dead": True}, status=400)
    else:
        response = render(request, "registration/sign_in_link_use.html", {"dead": False})
    # The address holds the token: it goes to no other site ("no-referrer" would make the
    # browser send "Origin: null" with the form, which CSRF protection refuses).
    response["Referrer-Policy"] = "same-origin"
    return response
