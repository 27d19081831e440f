"""The coordinator's queue of applicants and the placement tests (coordinators only:
applicants have not joined, so auditors and teachers do not see them).

Each action is a small form that calls one service of ``courses.services.intake`` and comes
back to the applicant's page with the service's message.
"""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import Applicant, Availability, Cycle, Level, PlacementSession
from courses.selectors.intake import (
    applicant_history,
    applicant_status_counts,
    applicants_filtered,
    applicants_visible_to,
    cycles_to_offer,
    placement_sessions_visible_to,
    placement_sessions_with_seats,
)
from courses.services import intake
from courses.views_office import _run
from school.models import PartnerOrganisation, Venue
from school.pages import posted_id
from school.permissions import SignedInRequest, coordinator_only, request_school

PAGE_SIZE = 50


def _age(born: dt.date | None, today: dt.date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@coordinator_only
def applicant_list(request: SignedInRequest) -> HttpResponse:
    """The queue, oldest application first, with the filters and the count at each status."""
    school = request_school(request)
    every = applicants_visible_to(user=request.user)
    chosen = {
        name: request.GET.get(name, "")[:20]
        for name in ("status", "level", "availability", "referrer")
    }
    if chosen["status"] not in Applicant.Status.values:
        chosen["status"] = ""
    shown = applicants_filtered(every, **chosen)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    today = school.today()
    for applicant in page.object_list:
        applicant.age = _age(applicant.date_of_birth, today)  # type: ignore[attr-defined]
        offers = getattr(applicant, "open_offers", [])
        applicant.open_offer = offers[0] if offers else None  # type: ignore[attr-defined]
    counts = applicant_status_counts(every)
    query = urlencode({name: value for name, value in chosen.items() if value})
    return render(
        request,
        "courses/office/applicant_list.html",
        {
            "page": page,
            "chosen": chosen,
            "query": query,
            "counts": [(value, label, counts[value]) for value, label in Applicant.Status.choices],
            "total": sum(counts.values()),
            "statuses": Applicant.Status.choices,
            "levels": list(Level.objects.order_by("position", "code")),
            "availabilities": Availability.choices,
            "referrers": list(
                PartnerOrganisation.objects.filter(school=school).order_by("name", "pk")
            ),
        },
    )


def _own(request: SignedInRequest, pk: int) -> Applicant:
    return get_object_or_404(applicants_visible_to(user=request.user), pk=pk)


@coordinator_only
def applicant_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One application: what the applicant wrote, where they stand, the actions their state
    allows, and its history."""
    applicant = _own(request, pk)
    school = request_school(request)
    offers = getattr(applicant, "open_offers", [])
    status = applicant.status
    erased = applicant.erased_at is not None
    can = {
        "invite": not erased and status in intake.INVITABLE,
        "place": not erased and status in intake.PLACEABLE,
        "offer": not erased and status in intake.OFFERABLE,
        "decline": not erased and status in intake.OPEN_STATUSES,
        "merge": not erased
        and applicant.duplicate_of_id is not None
        and status in (Applicant.Status.APPLIED, Applicant.Status.INVITED),
        # An enrolled applicant is erased with their student record, not here.
        "erase": not erased and status != Applicant.Status.ENROLLED and not offers,
    }
    return render(
        request,
        "courses/office/applicant_detail.html",
        {
            "applicant": applicant,
            "age": _age(applicant.date_of_birth, school.today()),
            "open_offer": offers[0] if offers else None,
            "can": can,
            "sessions": placement_sessions_with_seats(user=request.user) if can["invite"] else [],
            "levels": list(Level.objects.order_by("position", "code")) if can["place"] else [],
            "cycles": (
                cycles_to_offer(school=school, level_id=applicant.placement_level_id)
                if can["offer"]
                else []
            ),
            "hours": settings.SEAT_OFFER_HOURS,
            "history": applicant_history(applicant=applicant),
        },
    )


@require_POST
@coordinator_only
def applicant_invite(request: SignedInRequest, pk: int) -> HttpResponse:
    applicant = _own(request, pk)
    session = PlacementSession.objects.filter(
        pk=posted_id(request.POST.get("session")), school_id=applicant.school_id
    ).first()
    if session is None:
        messages.error(request, _("Choose a placement test."))
    else:
        _run(
            request,
            lambda: intake.applicant_invite(applicant=applicant, session=session, by=request.user),
            _("Invited; the applicant gets the date and place by SMS."),
        )
    return redirect("office-applicant", pk=pk)


@require_POST
@coordinator_only
def applicant_place(request: SignedInRequest, pk: int) -> HttpResponse:
    applicant = _own(request, pk)
    level = Level.objects.filter(pk=posted_id(request.POST.get("level"))).first()
    if level is None:
        messages.error(request, _("Choose a level."))
    else:
        notes = request.POST.get("notes", "")[:2000]
        _run(
            request,
            lambda: intake.applicant_place(
                applicant=applicant, level=level, notes=notes, by=request.user
            ),
            _("Placement recorded."),
        )
    return redirect("office-applicant", pk=pk)


@require_POST
@coordinator_only
def applicant_offer(request: SignedInRequest, pk: int) -> HttpResponse:
    applicant = _own(request, pk)
    cycle = Cycle.objects.filter(
        pk=posted_id(request.POST.get("cycle")), school_id=applicant.school_id
    ).first()
    hours = posted_id(request.POST.get("hours")) or settings.SEAT_OFFER_HOURS
    if cycle is None:
        messages.error(request, _("Choose a cycle."))
    else:
        _run(
            request,
            lambda: intake.applicant_offer(
                applicant=applicant, cycle=cycle, hours=hours, by=request.user
            ),
            _("Seat offered; the applicant gets a link by SMS to accept."),
        )
    return redirect("office-applicant", pk=pk)


@require_POST
@coordinator_only
def applicant_decline(request: SignedInRequest, pk: int) -> HttpResponse:
    applicant = _own(request, pk)
    reason = request.POST.get("reason", "")[:300]
    _run(
        request,
        lambda: intake.applicant_decline(applicant=applicant, reason=reason, by=request.user),
        _("Application declined."),
    )
    return redirect("office-applicant", pk=pk)


@require_POST
@coordinator_only
def applicant_merge(request: SignedInRequest, pk: int) -> HttpResponse:
    applicant = _own(request, pk)
    into = Applicant.objects.filter(
        pk=posted_id(request.POST.get("into")), school_id=applicant.school_id
    ).first()
    if into is None:
        messages.error(request, _("Choose the application to keep."))
        return redirect("office-applicant", pk=pk)
    _run(
        request,
        lambda: intake.applicant_merge(duplicate=applicant, into=into, by=request.user),
        _("Merged into the earlier application."),
    )
    return redirect("office-applicant", pk=into.pk)


@require_POST
@coordinator_only
def applicant_erase(request: SignedInRequest, pk: int) -> HttpResponse:
    """Erase now, at the applicant's request (the monthly job does it after the retention
    period anyway)."""
    applicant = _own(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return redirect("office-applicant", pk=pk)

    def erase() -> Applicant:
        with transaction.atomic():
            locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
            return intake.applicant_erase(applicant=locked)

    _run(request, erase, _("The application was erased."))
    return redirect("office-applicant", pk=pk)


@coordinator_only
def placement_tests(request: SignedInRequest) -> HttpResponse:
    """The school's placement tests, coming ones first, with who is invited to each; and the
    form to plan one."""
    school = request_school(request)
    if request.method == "POST":
        starts_at = _posted_moment(request.POST.get("starts_at", ""))
        if starts_at is None:
            messages.error(request, _("Give the date and time of the test."))
        else:
            if starts_at.tzinfo is None:
                starts_at = starts_at.replace(tzinfo=school.zone)
            venue = Venue.objects.filter(
                pk=posted_id(request.POST.get("venue")), school=school
            ).first()
            _run(
                request,
                lambda: intake.placement_session_create(
                    school=school,
                    starts_at=starts_at,
                    capacity=posted_id(request.POST.get("capacity")) or 0,
                    place=request.POST.get("place", "")[:200].strip(),
                    venue=venue,
                ),
                _("Placement test planned."),
            )
        return redirect("office-placement-tests")
    now = dt.datetime.now(dt.UTC)
    sessions = list(
        placement_sessions_visible_to(user=request.user).prefetch_related(
            Prefetch(
                "applicants",
                queryset=Applicant.objects.order_by("last_name_latin", "first_name_latin", "pk"),
                to_attr="invitees",
            )
        )
    )
    return render(
        request,
        "courses/office/placement_tests.html",
        {
            "groups": [
                (_("Coming"), [s for s in sessions if s.starts_at > now]),
                (_("Held"), [s for s in sessions if s.starts_at <= now][::-1]),
            ],
            "venues": list(Venue.objects.filter(school=school).order_by("name", "pk")),
        },
    )


def _posted_moment(value: str) -> dt.datetime | None:
    """A posted date and time (``2026-12-01T10:00`` from a datetime-local field), or None;
    a well-formed but impossible one (February 30th) is None too."""
    try:
        return parse_datetime(value.strip()[:40])
    except ValueError:
        return None
