"""The applicant's pages: the public application page of a school, and the link in a seat-offer
SMS. No account; each in the applicant's language, which they can change on the page."""

import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from courses.forms_intake import (
    APPLICATION_MAX_BYTES,
    DAYS,
    PARTS_OF_DAY,
    ApplicationPageForm,
)
from courses.services import intake
from school.errors import ConflictError
from school.models import PartnerOrganisation, School

# The thank-you page's address carries the reference, signed: no session is needed, and nobody
# can make the page show a reference of their choosing.
THANKS_SALT = "courses.apply.thanks"
THANKS_MAX_AGE = 24 * 3600
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _school(slug: str) -> School:
    return get_object_or_404(School, slug=slug[:60])


def _thanks(school: School, reference: str) -> HttpResponse:
    signed = signing.dumps(reference, salt=THANKS_SALT)
    return redirect(reverse("apply-thanks", args=[school.slug]) + f"?r={signed}")


def _decoy_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def _body_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """The public application page: a form a person fills on a phone, then a thank-you with
    their reference. A filled honeypot gets the same thank-you and nothing is stored."""
    school = _school(slug)
    if _body_length(request) > APPLICATION_MAX_BYTES:
        return render(
            request, "courses/intake/apply_refused.html", {"school": school, "too_big": True},
            status=413,
        )  # fmt: skip
    partners = list(
        PartnerOrganisation.objects.filter(school=school, active=True).order_by("name", "pk")
    )
    language = translation.get_language()
    form = ApplicationPageForm(
        request.POST if request.method == "POST" else None,
        school_today=school.today(),
        partners=partners,
        initial={"language": language, "consent_version": intake.CONSENT_VERSION},
    )
    status = 200
    if request.method == "POST":
        if form.is_bot:
            return _thanks(school, _decoy_reference())
        if form.is_valid():
            try:
                applicant = intake.application_submit(
                    school=school,
                    form=form.application(),
                    client_ip=request.META.get("REMOTE_ADDR", ""),
                    # The consent recorded is the one the person read on this page.
                    shown_in=translation.get_language() or "",
                )
            except intake.TooManyApplications:
                return render(
                    request, "courses/intake/apply_refused.html", {"school": school}, status=429
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _thanks(school, applicant.reference)
        status = 400
    consent_error = form.errors.get("consent_version")
    return render(
        request,
        "courses/intake/apply.html",
        {
            "school": school,
            "form": form,
            "consent_text": intake.consent_text(school, language),
            "consent_version": intake.CONSENT_VERSION,
            "consent_error": consent_error,
            "parts_of_day": PARTS_OF_DAY,
            "days": DAYS,
            "chosen_times": form.chosen("availability"),
            "birth_min": form.oldest_birth_date.isoformat(),
            "birth_max": form.youngest_birth_date.isoformat(),
        },
        status=status,
    )


@never_cache
@require_GET
def apply_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    school = _school(slug)
    try:
        reference = signing.loads(
            request.GET.get("r", "")[:200], salt=THANKS_SALT, max_age=THANKS_MAX_AGE
        )
    except signing.BadSignature:
        raise Http404 from None
    return render(
        request,
        "courses/intake/apply_thanks.html",
        {"school": school, "reference": reference},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def seat_offer(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a seat-offer SMS: what is offered (the class, its days and times, where)
    and until when, in the school's time zone, with Accept and "I cannot come"; the answer is
    recorded once. In the applicant's language, unless they chose another on the page."""
    offer = intake.seat_offer_for_token(token[:100])
    if offer is None:
        return render(request, "courses/intake/seat_offer.html", {"unknown": True}, status=404)
    if not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        translation.activate(offer.applicant.language)
        request.LANGUAGE_CODE = offer.applicant.language
    cycle = offer.cycle
    # The school's clock, wherever the server is: the SMS said the same time.
    expires = timezone.localtime(offer.expires_at, offer.applicant.school.zone)
    context = {
        "offer": offer,
        "cycle": cycle,
        "timetable": list(cycle.timetable.all()),
        "expires_day": expires.date(),
        "expires_time": f"{expires:%H:%M}",
        "open": offer.is_open(timezone.now()),
    }
    if request.method == "POST":
        try:
            answer = request.POST.get("answer")
            if answer == "accept":
                context["enrollment"] = intake.seat_offer_accept(offer=offer)
            elif answer == "refuse":
                intake.seat_offer_refuse(offer=offer)
            else:
                # Neither button: nothing is decided for the applicant.
                return render(request, "courses/intake/seat_offer.html", context, status=400)
        except ConflictError as error:
            context["error"] = error.message
            return render(request, "courses/intake/seat_offer.html", context, status=409)
        offer.refresh_from_db()
        context["open"] = False
    return render(request, "courses/intake/seat_offer.html", context)
