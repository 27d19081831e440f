"""The sign-in link pages: ask for a one-time link by phone or e-mail, then open it."""

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from notifications.sign_in import sign_in_links_send
from school.services import sign_in_link_use


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
    # A link may lead on to one page of this site (a questionnaire), never elsewhere.
    next_page = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_page, allowed_hosts=None):
        next_page = ""
    if request.method == "POST":
        user = sign_in_link_use(token=token)
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(next_page or "home")
        if next_page and request.user.is_authenticated:
            # The link was used already, from this browser: go on to the page it leads to.
            return redirect(next_page)
        response = render(request, "registration/sign_in_link_use.html", {"dead": True}, status=400)
    else:
        response = render(request, "registration/sign_in_link_use.html", {"dead": False})
    # The address holds the token: it goes to no other site ("no-referrer" would make the
    # browser send "Origin: null" with the form, which CSRF protection refuses).
    response["Referrer-Policy"] = "same-origin"
    return response
