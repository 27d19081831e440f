"""The way in: an application, a placement test, a seat offer that expires, an enrollment.

Every step is a function here, audited by the applicant's history (django-simple-history
records who changed what), and each message to the applicant goes through the outbox in the
language they applied in. States:

    applied -> invited -> placed -> offered -> enrolled
    (any open state) -> declined;  offered -> expired -> (offered again)

A seat offered is held: it counts against the cycle's capacity until the applicant accepts,
refuses, or the time runs out. Then the seat passes on by itself: to the first on the cycle's
waitlist, else to the applicant placed at that level who has waited longest.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from courses.models import (
    Applicant,
    Cycle,
    Enrollment,
    Level,
    PlacementDecision,
    PlacementSession,
    SeatOffer,
    availability_field,
)
from courses.services.cycles import _lock_cycle
from courses.services.enrollment import _promote, seats_free
from courses.services.questionnaires import entry_questionnaire_on_enrollment, site_url
from notifications.models import Notification
from notifications.services import Recipient, notification_queue
from school.errors import ConflictError
from school.models import PartnerOrganisation, School, Student, User
from school.throttle import within_limit

# The words applicants agree to, and their version. A new text needs a new version: each
# application keeps the version and the words it was shown, in the applicant's language.
CONSENT_VERSION = "2026-11"
CONSENT_TEXT = gettext_lazy(
    "The school keeps what you write here to contact you, invite you to a placement test and "
    "offer you a seat. Only the school's coordinators see it. If you do not join a class, it "
    "is erased after %(months)s months. You can ask the school to see or erase it at any time."
)

# Where an applicant stands before each step may be taken.
INVITABLE = (Applicant.Status.APPLIED, Applicant.Status.INVITED)
PLACEABLE = (
    Applicant.Status.APPLIED,
    Applicant.Status.INVITED,
    Applicant.Status.PLACED,
    Applicant.Status.EXPIRED,
)
OFFERABLE = (Applicant.Status.PLACED, Applicant.Status.EXPIRED)
OPEN_STATUSES = (
    Applicant.Status.APPLIED,
    Applicant.Status.INVITED,
    Applicant.Status.PLACED,
    Applicant.Status.OFFERED,
    Applicant.Status.EXPIRED,
)
MAX_OFFER_HOURS = 14 * 24


class TooManyApplications(Exception):
    """Over the rate limit for this address or phone: the API answers 429."""


def consent_text(school: School, language: str) -> str:
    with override(language):
        return str(CONSENT_TEXT % {"months": school.applicant_retention_months})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_reference() -> str:
    # No 0/O or 1/I: read aloud over the phone.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(8))
        reference = f"{code[:4]}-{code[4:]}"
        if not Applicant.objects.filter(reference=reference).exists():
            return reference


def _recipient(applicant: Applicant) -> Recipient:
    return Recipient(
        person=f"applicant:{applicant.pk}",
        phone=str(applicant.phone or ""),
        email=applicant.email,
        language=applicant.language,
    )


def _tell(
    applicant: Applicant,
    kind: str,
    event: str,
    facts: dict[str, Any] | None = None,
    *,
    requested: bool = False,
) -> int:
    """Queue one message of ``kind`` to the applicant about ``event`` (its dedup key)."""
    return notification_queue(
        school=applicant.school,
        kind=kind,
        recipients=[_recipient(applicant)],
        context={"recipient": str(applicant), "reference": applicant.reference, **(facts or {})},
        dedup_key=event,
        requested=requested,
    )


def _hashed(value: str) -> str:
    # The cache is no place for phone numbers.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


# -- applying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationForm:
    """What an applicant sends, already parsed (the API serializer or the page's form)."""

    first_name: str
    last_name: str
    first_name_latin: str
    last_name_latin: str
    phone: str
    language: str
    nationality: str
    date_of_birth: dt.date
    gender: str
    greek_level: str
    availability: list[str]
    consent_version: str
    email: str = ""
    referrer: PartnerOrganisation | None = None


def _likely_duplicate(school: School, form: ApplicationForm) -> Applicant | None:
    """The earliest application in the school with the same phone, or the same name (in
    either script) and date of birth; erased ones do not count."""
    same_name = Q(
        first_name_latin__iexact=form.first_name_latin,
        last_name_latin__iexact=form.last_name_latin,
    ) | Q(first_name__iexact=form.first_name, last_name__iexact=form.last_name)
    return (
        Applicant.objects.filter(school=school, erased_at__isnull=True)
        .filter(Q(phone=form.phone) | (same_name & Q(date_of_birth=form.date_of_birth)))
        .order_by("applied_at", "pk")
        .first()
    )


def application_submit(
    *,
    school: School,
    form: ApplicationForm,
    client_ip: str,
    now: dt.datetime | None = None,
    rate_limited: bool = True,
    shown_in: str = "",
) -> Applicant:
    """Take one application from the public page or the API. ``shown_in``: the language the
    page showed the consent in (default: the applicant's language), recorded with its words.

    1. Count it against the client address and the phone (Redis, shared by every process);
       over either limit raises ``TooManyApplications`` and nothing is stored.
    2. Refuse a consent version the school no longer shows, and a referrer of another school.
    3. Store it with the consent words in the applicant's language; flag it as a likely
       duplicate of an earlier application (same phone, or same name and date of birth),
       for the coordinator to merge.
    4. Confirm by SMS (or e-mail) in the applicant's language, with the reference.

    ``rate_limited=False`` is for applications the school writes itself (the demo school's,
    seeded again and again in tests): they are no visitor's requests and must not use up the
    public page's limits.
    """
    if rate_limited:
        window = settings.APPLICATIONS_WINDOW_SECONDS
        limit_ip, limit_phone = settings.APPLICATIONS_PER_IP, settings.APPLICATIONS_PER_PHONE
        by_ip = within_limit(f"apply:ip:{client_ip}", limit=limit_ip, window=window)
        by_phone = within_limit(
            f"apply:phone:{_hashed(form.phone)}", limit=limit_phone, window=window
        )
        if not (by_ip and by_phone):
            raise TooManyApplications
    if form.consent_version != CONSENT_VERSION:
        raise ValidationError(
            {"consent_version": _("This form is out of date: reload the page and agree again.")}
        )
    if form.referrer is not None and (
        form.referrer.school_id != school.pk or not form.referrer.active
    ):
        raise ValidationError({"referrer": _("Choose one of the organisations listed.")})
    now = now or timezone.now()
    if form.date_of_birth >= timezone.localdate(now, timezone=school.zone):
        raise ValidationError({"date_of_birth": _("The date of birth must be in the past.")})
    with transaction.atomic():
        applicant = Applicant(
            school=school,
            reference=_new_reference(),
            first_name=form.first_name,
            last_name=form.last_name,
            first_name_latin=form.first_name_latin,
            last_name_latin=form.last_name_latin,
            phone=form.phone,
            email=form.email,
            language=form.language,
            nationality=form.nationality,
            date_of_birth=form.date_of_birth,
            gender=form.gender,
            greek_level=form.greek_level,
            availability=availability_field(form.availability),
            referrer=form.referrer,
            consent_version=form.consent_version,
            consent_text=consent_text(school, shown_in or form.language),
            duplicate_of=_likely_duplicate(school, form),
            applied_at=now,
        )
        applicant.full_clean()
        applicant.save()
        _tell(
            applicant,
            "application_received",
            f"application:{applicant.pk}",
            {"school": school.name},
            requested=True,
        )
    return applicant


# -- placement tests --------------------------------------------------------------------------


@transaction.atomic
def placement_session_create(
    *, school: School, starts_at: dt.datetime, capacity: int, place: str = "", venue=None
) -> PlacementSession:
    session = PlacementSession(
        school=school, starts_at=starts_at, capacity=capacity, place=place, venue=venue
    )
    session.full_clean()
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("A placement test is planned for a later time.")})
    session.save()
    return session


def _lock(applicant: Applicant) -> Applicant:
    """The applicant's row, locked; an erased application takes no further step."""
    locked = (
        Applicant.objects.select_for_update(of=("self",))
        .select_related("school", "placement_level")
        .get(pk=applicant.pk)
    )
    if locked.erased_at is not None:
        raise ConflictError(_("This application was erased."))
    return locked


def _refuse(applicant: Applicant, action: str) -> ConflictError:
    return ConflictError(
        _("This applicant is %(status)s: they cannot be %(action)s now.")
        % {"status": applicant.get_status_display().lower(), "action": action}
    )


def _session_facts(session: PlacementSession) -> dict[str, str]:
    local = session.starts_at.astimezone(session.school.zone)
    return {
        "date": local.date().isoformat(),
        "time": f"{local:%H:%M}",
        "place": session.where,
    }


@transaction.atomic
def applicant_invite(
    *, applicant: Applicant, session: PlacementSession, by: User | None = None
) -> Applicant:
    """Invite an applicant to a placement test (again, to another one, if they missed it).

    1. Lock the session (its seats) and the applicant.
    2. Refuse a session of another school, one already held, or one with every seat taken.
    3. Record the invitation and send the date and place by SMS; the day before, the
       reminder job sends it again.
    """
    session = (
        PlacementSession.objects.select_for_update(of=("self",))
        .select_related("school")
        .get(pk=session.pk)
    )
    applicant = _lock(applicant)
    if session.school_id != applicant.school_id:
        raise ValidationError({"session": _("This placement test is not in the school.")})
    if applicant.status not in INVITABLE:
        raise _refuse(applicant, _("invited to a placement test"))
    if session.starts_at <= timezone.now():
        raise ConflictError(_("This placement test has already taken place."))
    if applicant.session_id == session.pk:
        raise ConflictError(_("This applicant is already invited to this placement test."))
    taken = session.applicants.filter(status=Applicant.Status.INVITED).count()
    if taken >= session.capacity:
        raise ConflictError(
            _("This placement test is full (%(capacity)s seats).") % {"capacity": session.capacity}
        )
    applicant.session = session
    applicant.status = Applicant.Status.INVITED
    applicant.invited_at = timezone.now()
    applicant._change_reason = f"invited by {by}" if by else ""  # type: ignore[attr-defined]
    applicant.save()
    _tell(
        applicant,
        "placement_invitation",
        f"placement-invitation:{session.pk}:{applicant.pk}",
        _session_facts(session),
    )
    return applicant


def placement_reminders_send(*, now: dt.datetime | None = None) -> int:
    """The day before a placement test, remind each applicant still invited to it (once)."""
    now = now or timezone.now()
    sent = 0
    sessions = PlacementSession.objects.select_related("school", "venue").filter(
        starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=2)
    )
    for session in sessions:
        tomorrow = now.astimezone(session.school.zone).date() + dt.timedelta(days=1)
        if session.starts_at.astimezone(session.school.zone).date() != tomorrow:
            continue
        invited = session.applicants.filter(status=Applicant.Status.INVITED).select_related(
            "school"
        )
        for applicant in invited:
            with transaction.atomic():
                sent += _tell(
                    applicant,
                    "placement_reminder",
                    f"placement-reminder:{session.pk}:{applicant.pk}",
                    _session_facts(session),
                )
    return sent


@transaction.atomic
def applicant_place(
    *, applicant: Applicant, level: Level, notes: str = "", by: User | None = None
) -> Applicant:
    """Record the placement result: the level the applicant will start at, and notes."""
    applicant = _lock(applicant)
    if applicant.status not in PLACEABLE:
        raise _refuse(applicant, _("placed"))
    applicant.placement_level = level
    applicant.placement_notes = (notes or "").strip()
    applicant.status = Applicant.Status.PLACED
    applicant.placed_at = timezone.now()
    applicant.placed_by = by
    applicant.save()
    return applicant


# -- seat offers ------------------------------------------------------------------------------


def _offer(
    applicant: Applicant,
    cycle: Cycle,
    *,
    hours: int,
    by: User | None,
    now: dt.datetime,
    base_url: str,
) -> SeatOffer:
    """Hold a seat for the applicant and send them the link (cycle and applicant locked)."""
    token = secrets.token_urlsafe(24)
    offer = SeatOffer.objects.create(
        applicant=applicant,
        cycle=cycle,
        token_hash=_token_hash(token),
        offered_at=now,
        expires_at=now + dt.timedelta(hours=hours),
        offered_by=by,
    )
    applicant.status = Applicant.Status.OFFERED
    applicant.offered_at = now
    applicant.save()
    expires = offer.expires_at.astimezone(cycle.school.zone)
    _tell(
        applicant,
        "seat_offer",
        f"seat-offer:{offer.pk}",
        {
            "cycle": cycle.code,
            "level": cycle.level.code,
            "starts_on": cycle.starts_on.isoformat(),
            "expires_on": expires.date().isoformat(),
            "expires_time": f"{expires:%H:%M}",
            "link": base_url + reverse("seat-offer", args=[token]),
        },
    )
    return offer


@transaction.atomic
def applicant_offer(
    *,
    applicant: Applicant,
    cycle: Cycle,
    hours: int | None = None,
    by: User | None = None,
    base_url: str | None = None,
) -> SeatOffer:
    """Offer a placed applicant a seat in a cycle of their level, held for ``hours``.

    1. Lock the cycle (its seats), then the applicant.
    2. Refuse a cycle of another school or level, a cancelled or finished one, and a full
       one: enrolled students and open offers fill it, and while anyone waits on its
       waitlist the free seat is theirs.
    3. Hold the seat and send the link by SMS; the applicant has until ``expires_at``.
    """
    hours = settings.SEAT_OFFER_HOURS if hours is None else hours
    if not 1 <= hours <= MAX_OFFER_HOURS:
        raise ValidationError(
            {"hours": _("Give between 1 and %(most)s hours.") % {"most": MAX_OFFER_HOURS}}
        )
    cycle = _lock_cycle(cycle)
    applicant = _lock(applicant)
    if cycle.school_id != applicant.school_id:
        raise ValidationError({"cycle": _("This cycle is not in the applicant's school.")})
    if applicant.status not in OFFERABLE:
        raise _refuse(applicant, _("offered a seat"))
    if applicant.placement_level_id != cycle.level_id:
        raise ValidationError(
            {
                "cycle": _("The applicant was placed at %(level)s; this cycle is %(cycle)s.")
                % {"level": applicant.placement_level, "cycle": cycle.level.code}
            }
        )
    today = cycle.school.today()
    if cycle.cancelled_at is not None or cycle.ends_on < today:
        raise ConflictError(_("Cycle %(code)s is cancelled or finished.") % {"code": cycle.code})
    waiting = cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED).exists()
    if waiting or seats_free(cycle) <= 0:
        raise ConflictError(
            _("%(code)s has no free seat: its seats are taken, offered, or owed to its waitlist.")
            % {"code": cycle.code}
        )
    return _offer(
        applicant, cycle, hours=hours, by=by, now=timezone.now(), base_url=base_url or site_url()
    )


def seat_offer_for_token(token: str) -> SeatOffer | None:
    """The offer a link points at, whatever its state (the page says when it is over)."""
    return (
        SeatOffer.objects.select_related("cycle__level", "cycle__venue", "applicant__school")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def _lock_offer(offer: SeatOffer) -> tuple[SeatOffer, Cycle]:
    cycle = _lock_cycle(offer.cycle)
    offer = (
        SeatOffer.objects.select_for_update(of=("self",))
        .select_related("applicant")
        .get(pk=offer.pk)
    )
    offer.cycle = cycle
    return offer, cycle


@transaction.atomic
def seat_offer_accept(*, offer: SeatOffer, now: dt.datetime | None = None) -> Enrollment:
    """The applicant takes the seat held for them.

    1. Lock the cycle and the offer; refuse one answered, expired or past its time, or whose
       cycle was cancelled meanwhile.
    2. The applicant becomes a student of the school (with the placement decision that lets
       them into a level with a prerequisite) and takes the held seat.
    3. The entry questionnaire of the cycle's operation follows, as for every new student.
    """
    now = now or timezone.now()
    offer, cycle = _lock_offer(offer)
    applicant = _lock(offer.applicant)
    if not offer.is_open(now):
        raise ConflictError(_("This offer is no longer open."))
    if cycle.cancelled_at is not None or cycle.ends_on < cycle.school.today():
        raise ConflictError(_("This cycle was cancelled or has finished."))
    student = Student(
        school=applicant.school,
        first_name=applicant.first_name,
        last_name=applicant.last_name,
        first_name_latin=applicant.first_name_latin,
        last_name_latin=applicant.last_name_latin,
        date_of_birth=applicant.date_of_birth,
        gender=applicant.gender,
        nationality=applicant.nationality,
        language=applicant.language,
        phone=applicant.phone,
        email=applicant.email,
    )
    student.full_clean()
    student.save()
    decider = applicant.placed_by or offer.offered_by
    if cycle.level.prerequisite_id is not None and decider is not None:
        PlacementDecision.objects.create(
            student=student,
            level=cycle.level,
            decided_by=decider,
            decided_on=cycle.school.today(),
            note=applicant.placement_notes,
        )
    enrollment = Enrollment.objects.create(
        student=student, cycle=cycle, status=Enrollment.Status.ENROLLED
    )
    offer.status = SeatOffer.Status.ACCEPTED
    offer.answered_at = now
    offer.save()
    applicant.status = Applicant.Status.ENROLLED
    applicant.enrolled_at = now
    applicant.student = student
    applicant.enrollment = enrollment
    applicant.save()
    entry_questionnaire_on_enrollment(enrollment)
    return enrollment


def _pass_seat_on(cycle: Cycle, *, now: dt.datetime, base_url: str) -> str:
    """Give a seat that came free from an offer to the next in line (cycle locked): the first
    on the cycle's waitlist, else the applicant placed at the level who has waited longest,
    with an offer of the usual length. Returns who got it, for the log."""
    first = (
        cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED)
        .select_related("student")
        .order_by("waitlist_position")
        .first()
    )
    if first is not None:
        if seats_free(cycle) > 0:
            first.cycle = cycle
            _promote(first)
            return f"enrollment:{first.pk}"
        return ""
    if seats_free(cycle) <= 0 or cycle.ends_on < cycle.school.today():
        return ""
    following = (
        Applicant.objects.select_for_update(skip_locked=True)
        .filter(
            school_id=cycle.school_id,
            status=Applicant.Status.PLACED,
            placement_level_id=cycle.level_id,
            erased_at__isnull=True,
        )
        .exclude(offers__cycle=cycle)
        .order_by("placed_at", "applied_at", "pk")
        .first()
    )
    if following is None:
        return ""
    following.school = cycle.school
    _offer(following, cycle, hours=settings.SEAT_OFFER_HOURS, by=None, now=now, base_url=base_url)
    return f"applicant:{following.pk}"


@transaction.atomic
def seat_offer_refuse(
    *, offer: SeatOffer, now: dt.datetime | None = None, base_url: str | None = None
) -> SeatOffer:
    """The applicant says no from the link: the seat passes on at once, and they wait again
    among those placed."""
    now = now or timezone.now()
    offer, cycle = _lock_offer(offer)
    applicant = _lock(offer.applicant)
    if not offer.is_open(now):
        raise ConflictError(_("This offer is no longer open."))
    offer.status = SeatOffer.Status.REFUSED
    offer.answered_at = now
    offer.save()
    # They cannot come to this cycle, perhaps to another: back among those placed, for the
    # office to offer another time (a seat of this cycle never comes back to them by itself).
    applicant.status = Applicant.Status.PLACED
    applicant.save()
    _pass_seat_on(cycle, now=now, base_url=base_url or site_url())
    return offer


def seat_offers_expire(*, now: dt.datetime | None = None, base_url: str | None = None) -> int:
    """Close every open offer past its time, one transaction each: the applicant is told, and
    the seat passes to the next in line, who is told too. Returns how many expired."""
    now = now or timezone.now()
    base_url = base_url or site_url()
    due = list(
        SeatOffer.objects.filter(status=SeatOffer.Status.OPEN, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            offer, cycle = _lock_offer(SeatOffer.objects.select_related("cycle").get(pk=pk))
            if offer.status != SeatOffer.Status.OPEN:
                continue  # accepted a moment before the lock
            applicant = _lock(offer.applicant)
            offer.status = SeatOffer.Status.EXPIRED
            offer.answered_at = now
            offer.save()
            applicant.status = Applicant.Status.EXPIRED
            applicant.closed_at = now
            applicant.save()
            _tell(
                applicant,
                "seat_offer_expired",
                f"seat-offer-expired:{offer.pk}",
                {"cycle": cycle.code},
            )
            _pass_seat_on(cycle, now=now, base_url=base_url)
            expired += 1
    return expired


# -- declining, merging, erasing --------------------------------------------------------------


@transaction.atomic
def applicant_decline(
    *, applicant: Applicant, reason: str, by: User | None = None, base_url: str | None = None
) -> Applicant:
    """Close an application with a reason (kept for the office, not sent). An offer waiting
    for an answer is withdrawn and its seat passes on; the applicant is told kindly."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the application is declined.")})
    # Locks in the order every step takes them (cycle, offer, applicant), so a decline at the
    # moment the applicant accepts, or the expiry job runs, waits instead of deadlocking.
    pending = SeatOffer.objects.filter(applicant=applicant, status=SeatOffer.Status.OPEN).first()
    cycle = offer = None
    if pending is not None:
        offer, cycle = _lock_offer(pending)
    applicant = _lock(applicant)
    if applicant.status not in OPEN_STATUSES:
        raise _refuse(applicant, _("declined"))
    now = timezone.now()
    if offer is not None and offer.status != SeatOffer.Status.OPEN:
        offer = cycle = None  # answered while we waited for the lock
    if offer is None and applicant.offers.filter(status=SeatOffer.Status.OPEN).exists():
        raise ConflictError(_("A seat was offered meanwhile: open the application again."))
    if offer is not None:
        offer.status = SeatOffer.Status.WITHDRAWN
        offer.answered_at = now
        offer.save()
    applicant.status = Applicant.Status.DECLINED
    applicant.declined_reason = reason[:300]
    applicant.closed_at = now
    applicant.save()
    _tell(
        applicant,
        "application_declined",
        f"application-declined:{applicant.pk}",
        {"school": applicant.school.name},
    )
    if cycle is not None:
        _pass_seat_on(cycle, now=now, base_url=base_url or site_url())
    return applicant


@transaction.atomic
def applicant_merge(*, duplicate: Applicant, into: Applicant, by: User | None = None) -> Applicant:
    """Fold a second application into the first: what the first lacks (e-mail, referrer)
    and every time the person said they can come are kept on the first; the second is closed
    as a duplicate (it stays counted as an application, and is erased in its time)."""
    first, second = sorted([duplicate, into], key=lambda a: a.pk)
    locked = {
        a.pk: a for a in Applicant.objects.select_for_update().filter(pk__in=[first.pk, second.pk])
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if duplicate.pk == into.pk or duplicate.school_id != into.school_id:
        raise ValidationError({"into": _("Choose another application of the same school.")})
    if duplicate.status not in (Applicant.Status.APPLIED, Applicant.Status.INVITED):
        raise _refuse(duplicate, _("merged"))
    if into.erased_at is not None:
        raise ConflictError(_("That application was erased."))
    if into.status in (Applicant.Status.DECLINED, Applicant.Status.ENROLLED):
        # The person is applying again after an earlier application closed: the new one is
        # the one that goes on.
        raise ConflictError(
            _("The earlier application is %(status)s: keep this one, it is the one that goes on.")
            % {"status": into.get_status_display().lower()}
        )
    into.email = into.email or duplicate.email
    into.referrer = into.referrer or duplicate.referrer
    into.availability = availability_field(into.availability_codes + duplicate.availability_codes)
    into.save()
    duplicate.status = Applicant.Status.DECLINED
    duplicate.duplicate_of = into
    duplicate.declined_reason = _("Duplicate of %(reference)s.") % {"reference": into.reference}
    duplicate.closed_at = timezone.now()
    duplicate.save()
    return into


PERSONAL_FIELDS = {
    "first_name": "",
    "last_name": "",
    "first_name_latin": "",
    "last_name_latin": "",
    "phone": "",
    "email": "",
    "nationality": "",
    "date_of_birth": None,
    "gender": "undisclosed",
    "greek_level": "",
    "availability": "",
    "placement_notes": "",
    "declined_reason": "",
    "consent_text": "",
}


def applicants_erase_expired(*, now: dt.datetime | None = None) -> int:
    """Erase each applicant who never enrolled, once their school's retention period has run
    from the day they applied (an open offer waits for its answer first).

    The row stays, emptied of everything that names the person, so applications per month and
    referrer, and the funnel, do not change; their history and their messages go.
    """
    now = now or timezone.now()
    erased = 0
    for school in School.objects.all():
        cutoff = now - dt.timedelta(days=round(30.44 * school.applicant_retention_months))
        due = list(
            Applicant.objects.filter(school=school, erased_at__isnull=True, applied_at__lt=cutoff)
            .exclude(status__in=[Applicant.Status.ENROLLED, Applicant.Status.OFFERED])
            .values_list("pk", flat=True)
        )
        for pk in due:
            with transaction.atomic():
                applicant_erase(applicant=Applicant.objects.select_for_update().get(pk=pk), now=now)
                erased += 1
    return erased


def applicant_erase(
    *, applicant: Applicant, now: dt.datetime | None = None, with_student: bool = False
) -> Applicant:
    """Empty an application of personal data, with its history and its messages. Not while
    a seat is held for it: the link would enroll a person with no name (decline first). Not
    an enrolled applicant on its own: the student record holds the same data and is erased
    by the student's anonymisation, which erases the application with it (``with_student``)."""
    if applicant.status == Applicant.Status.ENROLLED and not with_student:
        raise ConflictError(
            _(
                "This applicant is now a student: erase the student's record (their data "
                "request), which erases the application with it."
            )
        )
    if applicant.offers.filter(status=SeatOffer.Status.OPEN).exists():
        raise ConflictError(
            _("A seat is held for this applicant: decline the application first, then erase it.")
        )
    now = now or timezone.now()
    for field, blank in PERSONAL_FIELDS.items():
        setattr(applicant, field, blank)
    if applicant.status == Applicant.Status.DECLINED:
        # A declined row keeps a reason (a constraint); the office's own words may name them.
        applicant.declined_reason = "erased"
    # An erased applicant no longer takes a seat at a placement test.
    applicant.session = None
    applicant.erased_at = now
    applicant.save_without_historical_record()  # type: ignore[attr-defined]
    applicant.history.all().delete()
    Notification.objects.filter(person=f"applicant:{applicant.pk}").delete()
    return applicant
