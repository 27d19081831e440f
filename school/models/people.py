"""People: who signs in (users, with their role), teachers, and students with the funder's
participant record."""

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from school.choices import (
    Answer,
    Gender,
    IscedLevel,
    LabourMarketStatus,
    Role,
)
from school.models.schools import School

# EU member states (ISO 3166-1 alpha-2). A participant whose nationality is not one of these is a
# third-country national for the ESF indicators (CO15, EECO13).
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)


def default_language() -> str:
    """The installation's language (Greek by default) for a new account."""
    return settings.LANGUAGE_CODE


class User(AbstractUser):
    """A person who signs in. ``role`` decides what they see; ``school`` is their tenant."""

    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=default_language
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # Every role works inside one school; only an operator (no role) stands outside.
            models.CheckConstraint(
                condition=Q(role="") | Q(school__isnull=False), name="user_role_needs_school"
            ),
        ]


class Teacher(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="teacher",
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="teachers"
    )
    phone = PhoneNumberField(_("phone"), blank=True)

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class Student(models.Model):
    """A participant: who they are and the funder's participant record as of the entry date."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="students"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
    )
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    # Names are kept in the script of the person's documents; a Greek teacher reading the roster
    # aloud needs them in Latin letters too.
    first_name_latin = models.CharField(
        _("first name in Latin letters"),
        max_length=150,
        blank=True,
        help_text=_("As in the passport or residence permit, if the name is in another script."),
    )
    last_name_latin = models.CharField(_("last name in Latin letters"), max_length=150, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(
        _("gender"), max_length=12, choices=Gender, default=Gender.UNDISCLOSED
    )
    nationality = CountryField(_("nationality"), blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Messages and pages reach the student in this language."),
    )
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    contact_channel = models.CharField(
        _("messages by"),
        max_length=8,
        choices=[("sms", _("SMS")), ("email", _("E-mail"))],
        default="sms",
        help_text=_("Used when the student has both a phone and an e-mail address."),
    )
    messages_opt_out = models.BooleanField(_("no messages"), default=False)

    # The ESF participant record (DOMAIN.md §2), as of the entry date. Blank means not yet asked.
    entry_form_on = models.DateField(
        _("entry form filled on"), null=True, blank=True, help_text=_("When the fields were asked.")
    )
    labour_market_status = models.CharField(
        _("labour-market status"), max_length=24, choices=LabourMarketStatus, blank=True
    )
    unemployed_months = models.PositiveSmallIntegerField(
        _("months unemployed"), null=True, blank=True
    )
    isced_level = models.PositiveSmallIntegerField(
        _("highest education (ISCED 2011)"), choices=IscedLevel, null=True, blank=True
    )
    household_jobless = models.CharField(
        _("jobless household"), max_length=8, choices=Answer, blank=True
    )
    household_dependent_children = models.CharField(
        _("household with dependent children"), max_length=8, choices=Answer, blank=True
    )
    household_single_adult = models.CharField(
        _("single adult with dependent children"), max_length=8, choices=Answer, blank=True
    )
    foreign_background = models.CharField(
        _("foreign background"), max_length=8, choices=Answer, blank=True
    )
    other_disadvantage = models.CharField(
        _("other disadvantage"), max_length=8, choices=Answer, blank=True
    )
    homeless = models.CharField(
        _("homeless or housing exclusion"), max_length=8, choices=Answer, blank=True
    )
    rural_area = models.BooleanField(_("lives in a rural area"), null=True, blank=True)

    # Result indicators, taken on exit (within 4 weeks of leaving).
    exit_form_on = models.DateField(_("exit form filled on"), null=True, blank=True)
    exit_in_education = models.BooleanField(
        _("in education or training on exit"), null=True, blank=True
    )
    exit_employed = models.BooleanField(_("employed on exit"), null=True, blank=True)
    exit_job_searching = models.BooleanField(_("job searching on exit"), null=True, blank=True)
    qualification_gained_on = models.DateField(
        _("qualification gained on"),
        null=True,
        blank=True,
        help_text=_("Set when the student passes a certification exam."),
    )

    anonymised_on = models.DateField(
        _("anonymised on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Personal data replaced after the retention period; figures stay."),
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["school", "last_name", "first_name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(unemployed_months__isnull=True)
                | Q(labour_market_status__in=["unemployed", "long_term_unemployed"]),
                name="student_unemployed_months_only_when_unemployed",
            ),
            models.CheckConstraint(
                condition=Q(isced_level__isnull=True) | Q(isced_level__lte=8),
                name="student_isced_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    @property
    def latin_name(self) -> str:
        return latin_name(
            self.first_name, self.last_name, self.first_name_latin, self.last_name_latin
        )

    @property
    def is_third_country_national(self) -> bool | None:
        if not self.nationality:
            return None
        return str(self.nationality) not in EU_MEMBER_STATES

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# A student's names as pages show them, also for rows read without the whole record (the roster).
def full_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}"


def latin_name(first_name: str, last_name: str, first_name_latin: str, last_name_latin: str) -> str:
    """The name in Latin letters, or "" when it is not known or reads the same."""
    latin = f"{first_name_latin} {last_name_latin}".strip()
    return "" if latin.casefold() == full_name(first_name, last_name).casefold() else latin
