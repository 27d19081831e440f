"""The front door, the language switch, and the two pages the other apps fill: the student's
own page and the office dashboard (their parts: ``school.frames``)."""

import sys
from typing import Any

from django import db
from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from school.choices import Role
from school.frames import OFFICE_DASHBOARD, STUDENT_PAGE
from school.models import Student
from school.permissions import (
    SignedInRequest,
    office_roles,
    request_school,
    request_user,
    role_required,
)
from school.services import calendar_feed_renew, user_language_set

ROLE_HOMES: dict[str, str] = {
    Role.COORDINATOR: "office",
    Role.AUDITOR: "office",
    Role.TEACHER: "teach",
    Role.STUDENT: "student-home",
}


def home(request: HttpRequest) -> HttpResponseBase:
    """Sign-in for visitors; each signed-in user goes on to their role's home."""
    if not request.user.is_authenticated:
        return LoginView.as_view(redirect_authenticated_user=True)(request)
    if request.user.is_superuser and not request.user.role:
        return redirect("admin:index")
    return redirect(
        ROLE_HOMES.get(Role(request.user.role), "signed-out")
        if request.user.role in Role.values
        else "signed-out"
    )


def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/no_role.html", status=403)


@office_roles
def office(request: SignedInRequest) -> HttpResponse:
    """The coordinator's dashboard: running cycles, students at risk, open exam registrations,
    pass rates per round and level, and the school's headline pass rate."""
    school = request_school(request)
    today = school.today()
    context: dict[str, Any] = {
        "school": school,
        "parts": OFFICE_DASHBOARD.parts(),
        **OFFICE_DASHBOARD.context(request, school, today),
    }
    return render(request, "office/home.html", context)


@role_required(Role.STUDENT)
def student_home(request: SignedInRequest) -> HttpResponse:
    """The student's own page: the coming four weeks of lessons (cancelled and moved ones
    marked), their attendance against the absence limit, their exams, their calendar link."""
    student = Student.objects.select_related("school").filter(user=request.user).first()
    context: dict[str, Any] = {"student": student, "parts": STUDENT_PAGE.parts()}
    if student is not None:
        today = student.school.today()
        context.update(today=today, **STUDENT_PAGE.context(request, student, today))
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


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a signed-in user their profile remembers it."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request_user(request), language=language)
    return response


def unavailable(error: BaseException | None) -> bool:
    """Whether an error means a service is down for a while (the database, Redis, the broker)
    rather than a bug."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    kinds = (
        db.OperationalError,
        db.InterfaceError,
        BrokerError,
        RedisConnectionError,
        RedisTimeoutError,
        ConnectionError,
    )
    while error is not None:
        if isinstance(error, kinds):
            return True
        error = error.__cause__ or error.__context__
    return False


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The site's handler500. A service that is down (the database restarting, Redis gone)
    gives a 503 "try again in a minute" page, or JSON for the API, with Retry-After; the next
    request after it is back succeeds, as Django opens a new connection. Anything else is a
    500."""
    if not unavailable(sys.exc_info()[1]):
        return defaults.server_error(request)
    headers = {"Retry-After": "30"}
    if request.path.startswith("/api/"):
        detail = _("The service is temporarily unavailable. Please try again in a minute.")
        return JsonResponse({"detail": str(detail)}, status=503, headers=headers)
    page = loader.get_template("503.html").render({"request": request})
    return HttpResponse(page, status=503, headers=headers)
