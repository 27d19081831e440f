"""The way in: people apply on a phone, sit a placement test, are offered a seat that expires.

An applicant is not yet a student. They become one when they accept a seat; until then only
the coordinators of their school see them, and one who never enrolls is erased after the
school's retention period (the row stays, emptied, so the monthly counts do not change).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from school.choices import Gender
from school.models import PartnerOrganisation, School, Student, Venue


class GreekLevel(models.TextChoices):
    """How much Greek the applicant says they know, in words a beginner can answer."""

    NONE = "none", _("No Greek at all")
    WORDS = "words", _("A few words and phrases")
    EVERYDAY = "everyday", _("Simple everyday conversations")
    READ_WRITE = "read_write", _("I can read and write simple texts")


class Availability(models.TextChoices):
    """When the applicant can come: parts of the day and days of the week (lessons never run on
    Sundays)."""

    MORNING = "morning", _("Mornings")
    AFTERNOON = "afternoon", _("Afternoons")
    EVENING = "evening", _("Evenings")
    MONDAY = "mon", _("Monday")
    TUESDAY = "tue", _("Tuesday")
    WEDNESDAY = "wed", _("Wednesday")
    THURSDAY = "thu", _("Thursday")
    FRIDAY = "fri", _("Friday")
    SATURDAY = "sat", _("Saturday")


class PlacementSession(models.Model):
    """A placement test: a time, a place and a number of seats applicants are invited to."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, null=True, blank=True
    )
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("Room, floor or address, as the applicant's SMS should say it."),
    )
    capacity = models.PositiveSmallIntegerField(_("seats"), default=20)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("placement test")
        verbose_name_plural = _("placement tests")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="placement_session_seats")
        ]

    def __str__(self) -> str:
        local = self.starts_at.astimezone(self.school.zone)
        return f"{local:%Y-%m-%d %H:%M} {self.where}".strip()

    @property
    def where(self) -> str:
        return ", ".join(part for part in (str(self.venue or ""), self.place) if part)


class Applicant(models.Model):
    """One application, from the public page or the API, and where it stands."""

    class Status(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("applicant status", "Applied")
        INVITED = "invited", pgettext_lazy("applicant status", "Invited to a test")
        PLACED = "placed", pgettext_lazy("applicant status", "Placed")
        OFFERED = "offered", pgettext_lazy("applicant status", "Offered a seat")
        ENROLLED = "enrolled", pgettext_lazy("applicant status", "Enrolled")
        DECLINED = "declined", pgettext_lazy("applicant status", "Declined")
        EXPIRED = "expired", pgettext_lazy("applicant status", "Offer expired")

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    # Given to the applicant to quote when they call; random, so it tells nothing.
    reference = models.CharField(_("reference"), max_length=12, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.APPLIED, db_index=True
    )

    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    first_name_latin = models.CharField(_("first name in Latin letters"), max_length=150)
    last_name_latin = models.CharField(_("last name in Latin letters"), max_length=150)
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    nationality = CountryField(_("nationality"), blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(
        _("gender"), max_length=12, choices=Gender, default=Gender.UNDISCLOSED
    )
    greek_level = models.CharField(
        _("Greek, as the applicant sees it"), max_length=10, choices=GreekLevel, blank=True
    )
    # Codes of ``Availability`` between commas (",morning,mon,"), so one LIKE finds who can
    # come in the evening on both PostgreSQL and SQLite.
    availability = models.CharField(_("can come"), max_length=100, blank=True)
    referrer = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: the applicant came by themself."),
    )
    consent_version = models.CharField(_("consent version"), max_length=20)
    consent_text = models.TextField(_("consent text shown"))

    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("likely duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    session = models.ForeignKey(
        PlacementSession,
        verbose_name=_("placement test"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applicants",
    )
    placement_level = models.ForeignKey(
        "courses.Level",
        verbose_name=_("placement level"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    placement_notes = models.TextField(_("placement notes"), blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    declined_reason = models.CharField(_("reason declined"), max_length=300, blank=True)
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    enrollment = models.ForeignKey(
        "courses.Enrollment",
        verbose_name=_("enrollment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # Each step's moment, for the funnel: they stay when the applicant is erased.
    applied_at = models.DateTimeField(_("applied at"), db_index=True)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    placed_at = models.DateTimeField(_("placed at"), null=True, blank=True)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("declined or expired at"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["applied_at", "id"]
        indexes = [models.Index(fields=["school", "status", "applied_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(declined_reason=""),
                name="applicant_declined_with_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="enrolled") | Q(enrolled_at__isnull=False),
                name="applicant_enrolled_has_date",
            ),
        ]

    def __str__(self) -> str:
        if self.erased_at:
            return str(_("Erased applicant %(reference)s") % {"reference": self.reference})
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def availability_codes(self) -> list[str]:
        return [code for code in self.availability.split(",") if code]

    def get_availability_display(self) -> list[str]:
        labels = dict(Availability.choices)
        return [str(labels.get(code, code)) for code in self.availability_codes]


def availability_field(codes: list[str]) -> str:
    """The stored form of a list of ``Availability`` codes: in the order of the choices,
    between commas."""
    chosen = set(codes)
    kept = [code for code in Availability.values if code in chosen]
    return f",{','.join(kept)}," if kept else ""


class SeatOffer(models.Model):
    """A seat in a cycle held for one applicant until they accept or the time runs out."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("seat offer status", "Waiting for an answer")
        ACCEPTED = "accepted", pgettext_lazy("seat offer status", "Accepted")
        REFUSED = "refused", pgettext_lazy("seat offer status", "Refused")
        EXPIRED = "expired", pgettext_lazy("seat offer status", "Expired")
        WITHDRAWN = "withdrawn", pgettext_lazy("seat offer status", "Withdrawn")

    applicant = models.ForeignKey(
        Applicant, verbose_name=_("applicant"), on_delete=models.CASCADE, related_name="offers"
    )
    cycle = models.ForeignKey(
        "courses.Cycle",
        verbose_name=_("cycle"),
        on_delete=models.PROTECT,
        related_name="seat_offers",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    # Only the hash of the link's token: whoever reads the database cannot accept for them.
    token_hash = models.CharField(max_length=64, unique=True)
    offered_at = models.DateTimeField(_("offered at"))
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("offered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the seat passed on by itself from an expired offer."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seat offer")
        verbose_name_plural = _("seat offers")
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status="open"),
                name="seat_offer_one_open_per_applicant",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("offered_at")),
                name="seat_offer_expires_after_offer",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.cycle}"

    def is_open(self, now: dt.datetime) -> bool:
        return self.status == self.Status.OPEN and self.expires_at > now
