"""Pages that compose the apps: the front door, each role's home, the health check."""

from typing import Any

from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config import health
from courses.selectors import at_risk_enrollments, running_cycles
from courses.services import school_today
from exams.selectors import headline_pass_rate, pass_rates, upcoming_deadlines
from school.choices import Role
from school.permissions import SignedInRequest, request_school, role_required, sees_special_category

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


def _bars(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A bar chart in HTML: each row's pass rate as a <meter> under its label."""
    bars = [
        {**row, "percent": round(row["pass_rate"] * 100) if row["pass_rate"] is not None else 0}
        for row in rows
    ]
    return {"name": name, "rows": bars}


@role_required(Role.COORDINATOR, Role.AUDITOR)
def office(request: SignedInRequest) -> HttpResponse:
    """The coordinator's dashboard: running cycles, students at risk, open exam registrations,
    pass rates per round and level, and the school's headline pass rate."""
    school = request_school(request)
    today = school_today(school)
    passed, sat, rounds = headline_pass_rate(school_id=school.pk)
    return render(
        request,
        "office/home.html",
        {
            "school": school,
            "cycles": running_cycles(school_id=school.pk, today=today),
            "at_risk": at_risk_enrollments(
                school_id=school.pk,
                today=today,
                extended_limits=sees_special_category(request.user),
            ),
            "deadlines": upcoming_deadlines(school_id=school.pk, today=today),
            "by_round": _bars("round", pass_rates(school_id=school.pk, by="exam_round")),
            "by_level": _bars("level", pass_rates(school_id=school.pk, by="level")),
            "headline": {
                "passed": passed,
                "sat": sat,
                "rounds": rounds,
                "percent": round(100 * passed / sat) if sat else None,
            },
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    down = [name for name, ok in checks.items() if not ok]
    body: dict[str, object] = {
        "status": "ok" if not down else "unavailable",
        "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
    }
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)
