"""The ground floor: schools (tenants), venues, people and their participant record."""

import zoneinfo
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from school.choices import (
    Answer,
    Gender,
    IscedLevel,
    LabourMarketStatus,
    ProgrammePeriod,
    Role,
)

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

percent_validators = [MinValueValidator(0), MaxValueValidator(100)]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class School(models.Model):
    """A tenant: one school with its funder's operation and its attendance rules."""

    name = models.CharField(_("name"), max_length=200, unique=True)
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

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


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
        return f"{self.first_name} {self.last_name}"

    @property
    def latin_name(self) -> str:
        """The name in Latin letters, or "" when it is not known or reads the same."""
        latin = f"{self.first_name_latin} {self.last_name_latin}".strip()
        return "" if latin.casefold() == self.full_name.casefold() else latin

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


class SpecialCategoryData(models.Model):
    """GDPR art. 9 data, kept apart so that no query for a roster or a list can reach it.

    Only users with the ``view_specialcategorydata`` permission read it; never teachers.
    """

    student = models.OneToOneField(
        Student,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="special_category",
    )
    disability = models.CharField(_("disability"), max_length=8, choices=Answer, blank=True)
    disability_asked_on = models.DateField(_("disability asked on"), null=True, blank=True)
    minority = models.CharField(
        _("minority (incl. Roma)"), max_length=8, choices=Answer, blank=True
    )
    minority_asked_on = models.DateField(_("minority asked on"), null=True, blank=True)
    documented_hospitalisation = models.BooleanField(
        _("documented hospitalisation"),
        default=False,
        help_text=_("Raises the absence limit to the extended limit."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("special-category data")
        verbose_name_plural = _("special-category data")
        constraints = [
            models.CheckConstraint(
                condition=Q(disability="") | Q(disability_asked_on__isnull=False),
                name="special_category_disability_asked_on",
            ),
            models.CheckConstraint(
                condition=Q(minority="") | Q(minority_asked_on__isnull=False),
                name="special_category_minority_asked_on",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Special-category data #%(id)s") % {"id": self.pk})


class RetentionPeriod(models.Model):
    """How long one programme period's participant records are kept (DOMAIN.md §4).

    2021-2027: five years from 31 December of the year of the funder's last payment; 2014-2020:
    two to three years after the accounts (the years are data). Students who entered while the
    period ran are anonymised once it has ended, unless an audit holds the records.
    """

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="retention_periods"
    )
    programme_period = models.CharField(
        _("programme period"), max_length=9, choices=ProgrammePeriod
    )
    entries_from = models.DateField(_("participants who entered from"))
    entries_until = models.DateField(_("participants who entered until"))
    last_payment_on = models.DateField(
        _("funder's last payment (or accounts) on"),
        null=True,
        blank=True,
        help_text=_("Blank while payments go on: nothing is anonymised before it is known."),
    )
    years = models.PositiveSmallIntegerField(
        _("years kept after 31 December of that year"),
        default=5,
        help_text=_("5 for ESF+ 2021-2027; 2-3 for ESF 2014-2020 (see the funder's notice)."),
    )
    audit_hold = models.BooleanField(
        _("held for an audit"),
        default=False,
        help_text=_("Records are kept longer while an audit is under way."),
    )

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        ordering = ["school", "entries_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "programme_period"], name="retention_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(entries_until__gte=F("entries_from")),
                name="retention_entries_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.programme_period}"

    @property
    def ends_on(self) -> date | None:
        """The last day records are kept: 31 December of the payment year plus the years."""
        if self.last_payment_on is None:
            return None
        return date(self.last_payment_on.year + self.years, 12, 31)


class SpecialCategoryRead(models.Model):
    """One read of a student's special-category data: who, when, which student and how.

    A table, not a log line, so the record itself holds no disability or minority answer and
    can be shown to the school's coordinators and auditors.
    """

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="special_category_reads",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), auto_now_add=True, db_index=True)
    via = models.CharField(_("via"), max_length=40)

    class Meta:
        verbose_name = _("special-category read")
        verbose_name_plural = _("special-category reads")
        ordering = ["-read_at", "-id"]
        indexes = [models.Index(fields=["school", "-read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.student_id} {self.read_at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A user's secret calendar address, for calendar apps that cannot sign in.

    The address is ``public_id`` plus an HMAC of a random ``key`` under the site's secret key:
    the table alone does not give the address away, and a renewal (a new id and key) makes the
    old address answer 404.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    public_id = models.CharField(max_length=32, unique=True)
    key = models.CharField(max_length=64)
    renewed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of user #{self.user_id}"


class SignInLink(models.Model):
    """A one-time sign-in link: only a hash of its token is kept; used once, then dead."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"sign-in link #{self.pk} of user #{self.user_id}"


def report_upload_to(report: "Report", filename: str) -> str:
    return f"reports/{report.school_id}/{filename}"


class Report(models.Model):
    """A funder's workbook built in the background: what was asked, by whom, how far it got.

    Generic: the kinds (and what each workbook holds) are registered by the apps whose data
    they read (``school.reports``). A report has a file exactly when it is done.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=40)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    cycle_code = models.CharField(
        _("cycle"), max_length=50, blank=True, help_text=_("Only this cycle; blank for all.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    with_special_category = models.BooleanField(
        _("with special-category data"),
        default=False,
        help_text=_("Only users with the special-category permission may download it."),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to=report_upload_to, blank=True, max_length=300)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress"),
            # Never a file to download unless the build finished; never "done" without one.
            models.CheckConstraint(
                condition=(Q(status="done") & ~Q(file="")) | (~Q(status="done") & Q(file="")),
                name="report_file_iff_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start}–{self.period_end} ({self.status})"
