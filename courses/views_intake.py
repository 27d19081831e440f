"""The applicant's pages: no account, a link from an SMS."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from courses.services import intake
from school.errors import ConflictError


@never_cache
@require_http_methods(["GET", "POST"])
def seat_offer(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a seat-offer SMS: what is offered and until when, with Accept and "I
    cannot come"; the answer is recorded once. In the applicant's language, unless they
    chose another on the page."""
    offer = intake.seat_offer_for_token(token)
    if offer is None:
        return render(request, "courses/intake/seat_offer.html", {"unknown": True}, status=404)
    if not request.COOKIES.get("django_language"):
        translation.activate(offer.applicant.language)
        request.LANGUAGE_CODE = offer.applicant.language
    context = {"offer": offer, "cycle": offer.cycle, "open": offer.is_open(timezone.now())}
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "accept":
                context["enrollment"] = intake.seat_offer_accept(offer=offer)
            else:
                intake.seat_offer_refuse(offer=offer)
        except ConflictError as error:
            context["error"] = error.message
            return render(request, "courses/intake/seat_offer.html", context, status=409)
        offer.refresh_from_db()
        context["open"] = False
    return render(request, "courses/intake/seat_offer.html", context)
