"""Two-factor sign-in for coordinators (TOTP from an authenticator app, via django-otp)."""

from base64 import b32encode

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from school.middleware import TWO_FACTOR_SESSION_KEY
from school.models import User


def totp_device_for_setup(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator, made once and shown until a code confirms it."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    return device


def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm a new authenticator with a current code from it; False if the code is not one."""
    if not (token.isdigit() and device.verify_token(token)):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def token_matches(*, user: User, token: str) -> bool:
    """Whether ``token`` is a current code of one of the user's confirmed authenticators."""
    return bool(token) and match_token(user, token.strip()) is not None


@never_cache
def two_factor(request: HttpRequest) -> HttpResponseBase:
    """Ask a signed-in coordinator for a code; the first time, set up the authenticator."""
    user = request.user
    # Only those their school asks (noted at sign-in) set up or give a code here.
    if not isinstance(user, User) or not request.session.get(TWO_FACTOR_SESSION_KEY, False):
        return redirect("home")
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    setup = None if has_device else totp_device_for_setup(user=user)
    error = ""
    if request.method == "POST":
        token = str(request.POST.get("token", ""))[:12].strip()
        device = None
        if setup is not None:
            if totp_device_confirm(device=setup, token=token):
                device = setup
        else:
            device = match_token(user, token) if token.isdigit() else None
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        error = _("That code is not right. Try the one your app shows now.")
    response: HttpResponse = render(
        request,
        "registration/two_factor.html",
        {
            "setup_key": b32encode(setup.bin_key).decode() if setup else "",
            "setup_url": setup.config_url if setup else "",
            "next": next_url,
            "error": error,
        },
        status=400 if error else 200,
    )
    return response
