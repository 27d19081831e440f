"""Pages that compose the apps: the front door, each role's home, the health check."""

from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config import health
from courses.selectors import office_overview
from school.choices import Role
from school.permissions import SignedInRequest, role_required

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


@role_required(Role.COORDINATOR, Role.AUDITOR)
def office(request: SignedInRequest) -> HttpResponse:
    overview = office_overview(school_id=request.user.school_id or 0)
    return render(request, "office/home.html", {"overview": overview})


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
