"""Schools (the tenants), their venues and rooms, and each school's rules and clock."""

import datetime as dt
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from school.choices import ProgrammePeriod

percent_validators = [MinValueValidator(0), MaxValueValidator(100)]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class School(models.Model):
    """A tenant: one school with its funder's operation and its attendance rules."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    # The school's part of public addresses (/apply/<slug>/): Latin letters, so a link in an SMS
    # survives every phone.
    slug = models.SlugField(
        _("short name in addresses"),
        max_length=60,
        unique=True,
        help_text=_("Latin letters, digits and hyphens; the application page is /apply/<this>/."),
    )
    country = CountryField(_("country"), help_text=_("Decides the public holidays lessons skip."))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Athens", validators=[validate_time_zone]
    )
    operation_code = models.CharField(
        _("ESF operation code"),
        max_length=50,
        blank=True,
        help_text=_("The funder's code of the operation (e.g. the MIS code), printed on reports."),
    )
    programme_period = models.CharField(
        _("programme period"),
        max_length=9,
        choices=ProgrammePeriod,
        default=ProgrammePeriod.ESF_2021_2027,
        help_text=_("Decides which ESF indicator set the funder's report uses."),
    )
    absence_limit_percent = models.DecimalField(
        # xgettext:no-python-format
        _("absence limit (% of total hours)"),
        max_digits=5,
        decimal_places=2,
        default=10,
        validators=percent_validators,
        # xgettext:no-python-format
        help_text=_("ESF-funded training in Greece allows 10% of a programme's total hours."),
    )
    extended_absence_limit_percent = models.DecimalField(
        # xgettext:no-python-format
        _("extended absence limit (% of total hours)"),
        max_digits=5,
        decimal_places=2,
        default=20,
        validators=percent_validators,
        help_text=_(
            # xgettext:no-python-format
            "For participants with a disability or documented hospitalisation (20% in Greece)."
        ),
    )
    at_risk_consecutive_absences = models.PositiveSmallIntegerField(
        _("absences in a row that flag a student at risk"), default=2
    )
    attendance_edit_days = models.PositiveSmallIntegerField(
        _("days a teacher may correct attendance"),
        default=7,
        help_text=_("Older corrections need a coordinator."),
    )
    qualification_counts_as_result = models.BooleanField(
        _("certificate counts as 'gaining a qualification'"),
        default=True,
        help_text=_("Whether the funder counts the language certificate as a result indicator."),
    )
    coordinators_two_factor = models.BooleanField(
        _("coordinators sign in with a second factor"),
        default=False,
        help_text=_(
            "Coordinators then confirm each sign-in with a code from an authenticator app (TOTP)."
        ),
    )
    applicant_retention_months = models.PositiveSmallIntegerField(
        _("months an application is kept"),
        default=12,
        validators=[MinValueValidator(1)],
        help_text=_(
            "An applicant who never enrolls is erased this long after applying; the monthly "
            "counts of applications remain."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(absence_limit_percent__gte=0, absence_limit_percent__lte=100),
                name="school_absence_limit_percent",
            ),
            models.CheckConstraint(
                condition=Q(extended_absence_limit_percent__gte=F("absence_limit_percent"))
                & Q(extended_absence_limit_percent__lte=100),
                name="school_extended_absence_limit_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A school made in code (the demo, a script) gets its address from its name.
        self.fill_slug()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        # The API takes a school "by id or slug": digits alone would read as an id.
        if self.slug.isdigit():
            raise ValidationError(
                {
                    "slug": _(
                        "A school's address needs at least one letter: digits alone read as its number."
                    )
                }
            )

    def fill_slug(self) -> None:
        """Give a school without an address one from its name ("Athens Social School" ->
        athens-social-school; school, school-2 ... for a name with no Latin letters), as the
        migration gave one to each school that existed before addresses."""
        if self.slug:
            return
        base = slugify(self.name)[:50].strip("-") or "school"
        if base.isdigit():
            base = f"school-{base}"
        self.slug, n = base, 1
        while School.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
            n += 1
            self.slug = f"{base}-{n}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self) -> dt.date:
        """Today where the school is: the day its lessons, deadlines and limits are counted in,
        whatever the server's clock says."""
        return timezone.localdate(timezone=self.zone)


class Venue(models.Model):
    """A place lessons happen: a community centre, a library, the school's own building."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="venues"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="venue_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=100)
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.venue.name}, {self.name}"


class PartnerOrganisation(models.Model):
    """An organisation that sends people to the school (municipal social services, an NGO):
    the applicant says who referred them, and the funnel counts applications per referrer."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(
        _("listed on the application page"),
        default=True,
        help_text=_("Untick to stop offering it; past applications keep it."),
    )

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="partner_name_once_per_school")
        ]

    def __str__(self) -> str:
        return self.name
