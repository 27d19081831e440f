from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from school.choices import Role


class UserLanguageMiddleware:
    """Speak each signed-in user's own language, kept on their profile.

    Runs after LocaleMiddleware, which has already chosen from the session cookie or the
    browser for anonymous visitors.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


TWO_FACTOR_SESSION_KEY = "two_factor_required"


def remember_two_factor(
    sender: object, request: HttpRequest, user: object, **kwargs: object
) -> None:
    """At sign-in, note in the session whether this coordinator's school asks for a code.

    Kept in the session (loaded on every request anyway) so that pages pay no extra query;
    a school that turns the setting on reaches each coordinator at their next sign-in.
    """
    school = (
        getattr(user, "school", None) if getattr(user, "role", "") == Role.COORDINATOR else None
    )
    if school is not None and school.coordinators_two_factor:
        request.session[TWO_FACTOR_SESSION_KEY] = True


def needs_second_factor(request: HttpRequest) -> bool:
    """A coordinator of a school that asks for two-factor sign-in who has not given a code."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return False
    if not request.session.get(TWO_FACTOR_SESSION_KEY, False):
        return False
    return not user.is_verified()  # type: ignore[union-attr]


class TwoFactorMiddleware:
    """Hold a coordinator who signed in with a password only at the code page.

    Runs after django-otp's middleware, which says whether this session gave a code. Pages
    redirect to the code page; API calls on that session get a 403 (API tokens ask for the code
    when they are issued instead).
    """

    OPEN_PREFIXES = ("/two-factor/", "/signout/", "/i18n/", "/static/", "/healthz", "/metrics")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request) and not request.path.startswith(self.OPEN_PREFIXES):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": str(_("Give the code from your authenticator app first."))},
                    status=403,
                )
            return redirect_to_login(request.get_full_path(), login_url=reverse("two-factor"))
        return self.get_response(request)


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The username django-axes records for a sign-in attempt, made safe to store.

    Sign-in forms do not cap what is typed, and PostgreSQL refuses NUL bytes: a 100,000-character
    or NUL-laden "username" would otherwise turn a failed sign-in into a server error.
    """
    if credentials:
        value = credentials.get("username", "")
    else:
        value = request.POST.get("username", "") if request.method == "POST" else ""
    return str(value or "").replace("\x00", "")[:150]


class RejectNulBytesMiddleware:
    """Answer 400 to a query string or form carrying a NUL byte: no field may hold one, and
    PostgreSQL would refuse it with a server error wherever a view stores text as given."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            params.append(request.POST)
        for query in params:
            for key, values in query.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    message = _("The request holds a NUL character, which no field accepts.")
                    if request.path.startswith("/api/"):
                        return JsonResponse({"detail": message}, status=400)
                    return HttpResponseBadRequest(message)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Answer 413 to a request body larger than ``MAX_REQUEST_BYTES`` before anything reads it.

    Django caps form fields in memory but streams uploaded files to disk whatever their size;
    the largest thing we accept is a spreadsheet of ``IMPORT_MAX_BYTES``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            message = _("The request is larger than %(mb)s MB.") % {
                "mb": settings.MAX_REQUEST_BYTES // 1_000_000
            }
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
