"""The funder's view of a student (DOMAIN.md §2, "Counting in a reporting period"): operations,
participations, the entry answers frozen at entry, exits with their own answers and the
six-month follow-up.

A participation is one student within one operation. Its entry answers are kept as given on
the entry date: a later change of the student's record never touches them, and a correction
goes through ``school.services.participation.entry_answers_correct`` with a reason (the
history keeps it). Writes go through ``school.services.participation``.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from school.choices import (
    Answer,
    AnswerSource,
    ExitReason,
    Gender,
    IscedLevel,
    LabourMarketStatus,
    ProgrammePeriod,
)
from school.models.people import EU_MEMBER_STATES, Student
from school.models.schools import School

# Answers about an exit count "upon leaving" when given within this many days after it.
EXIT_ANSWER_DAYS = 28


class Operation(models.Model):
    """One funded operation a school runs (code, programme period, dates, funder); each cycle
    belongs to one."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="operations"
    )
    code = models.CharField(
        _("operation code"),
        max_length=50,
        help_text=_("The funder's code of the operation (e.g. the MIS code), printed on reports."),
    )
    programme_period = models.CharField(
        _("programme period"),
        max_length=9,
        choices=ProgrammePeriod,
        default=ProgrammePeriod.ESF_2021_2027,
        help_text=_("Decides which ESF indicator set the funder's report uses."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    follow_up_months = models.PositiveSmallIntegerField(
        _("follow-up after (months)"),
        default=6,
        help_text=_("The longer-term results are asked this many months after the exit."),
    )
    follow_up_window_days = models.PositiveSmallIntegerField(
        _("follow-up window (days either side)"),
        default=28,
        help_text=_("Follow-up answers count when given this close to the date they are due."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        ordering = ["school", "starts_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="operation_unique_code"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="operation_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def follow_up_due(self, exit_date: dt.date) -> dt.date:
        return exit_date + relativedelta(months=self.follow_up_months)


class Participation(models.Model):
    """One student in one operation. Re-entering the same operation stays one participation
    (first entry data, last exit); a later operation is a new participation."""

    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    operation = models.ForeignKey(
        Operation,
        verbose_name=_("operation"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    entry_date = models.DateField(
        _("entry date"), null=True, blank=True, help_text=_("The first lesson attended.")
    )
    # The latest entry (a re-entry after an exit): an exit before it no longer ends the
    # participation.
    last_entry_date = models.DateField(_("last entry date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["operation", "student", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "operation"], name="participation_one_per_operation"
            ),
            models.CheckConstraint(
                condition=Q(last_entry_date__isnull=True)
                | Q(entry_date__isnull=False, last_entry_date__gte=F("entry_date")),
                name="participation_entries_order",
            ),
        ]
        indexes = [models.Index(fields=["operation", "entry_date"])]

    def __str__(self) -> str:
        return f"{self.operation_id}/{self.student_id}"


class EntryAnswers(models.Model):
    """The participant's answers as of the entry date: frozen (DOMAIN.md §2).

    Long-term unemployment is worked out from the months and the age at entry by the service,
    never typed. A question the participant refused is stored as "declined"; ``answered_on`` is
    when they were asked. Disability and minority are in ``EntrySpecialCategory``.
    """

    participation = models.OneToOneField(
        Participation,
        verbose_name=_("participation"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="entry_answers",
    )
    answered_on = models.DateField(_("answered on"))
    source = models.CharField(_("source"), max_length=12, choices=AnswerSource)
    consent_version = models.CharField(_("consent text version"), max_length=40, blank=True)
    gender = models.CharField(
        _("gender"), max_length=12, choices=Gender, default=Gender.UNDISCLOSED
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
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
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entry answers")
        verbose_name_plural = _("entry answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(unemployed_months__isnull=True)
                | Q(labour_market_status__in=["unemployed", "long_term_unemployed"]),
                name="entry_unemployed_months_only_when_unemployed",
            ),
            models.CheckConstraint(
                condition=~Q(labour_market_status="long_term_unemployed")
                | Q(unemployed_months__isnull=False),
                name="entry_long_term_needs_months",
            ),
            models.CheckConstraint(
                condition=Q(isced_level__isnull=True) | Q(isced_level__lte=8),
                name="entry_isced_level_range",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Entry answers #%(id)s") % {"id": self.pk})

    @property
    def third_country_national(self) -> bool | None:
        return None if not self.nationality else str(self.nationality) not in EU_MEMBER_STATES


class EntrySpecialCategory(models.Model):
    """Disability and minority as answered at entry: special-category data, kept apart and read
    only with the special-category permission (each read logged)."""

    participation = models.OneToOneField(
        Participation,
        verbose_name=_("participation"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="entry_special_category",
    )
    disability = models.CharField(_("disability"), max_length=8, choices=Answer, blank=True)
    disability_asked_on = models.DateField(_("disability asked on"), null=True, blank=True)
    minority = models.CharField(
        _("minority (incl. Roma)"), max_length=8, choices=Answer, blank=True
    )
    minority_asked_on = models.DateField(_("minority asked on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entry special-category answers")
        verbose_name_plural = _("entry special-category answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(disability="") | Q(disability_asked_on__isnull=False),
                name="entry_special_disability_asked_on",
            ),
            models.CheckConstraint(
                condition=Q(minority="") | Q(minority_asked_on__isnull=False),
                name="entry_special_minority_asked_on",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Special-category data #%(id)s") % {"id": self.pk})


class Exit(models.Model):
    """One exit of a participation, with the answers about it. Answers count "upon leaving"
    only when given on or after the exit and within 4 weeks of it; later ones are kept and
    marked late."""

    participation = models.ForeignKey(
        Participation,
        verbose_name=_("participation"),
        on_delete=models.CASCADE,
        related_name="exits",
    )
    date = models.DateField(_("exit date"))
    reason = models.CharField(_("reason"), max_length=12, choices=ExitReason)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=AnswerSource, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=40, blank=True)
    in_education = models.BooleanField(_("in education or training"), null=True, blank=True)
    employed = models.BooleanField(_("employed, including self-employed"), null=True, blank=True)
    job_searching = models.BooleanField(_("job searching"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exit")
        verbose_name_plural = _("exits")
        ordering = ["participation", "date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["participation", "date"], name="exit_one_per_day"),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | ~Q(source=""),
                name="exit_answers_have_source",
            ),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.participation_id} {self.date}"

    @property
    def answered(self) -> bool:
        return self.answered_on is not None

    @property
    def late(self) -> bool:
        return exit_answers_late(self.date, self.answered_on)


def exit_answers_late(exit_date: dt.date, answered_on: dt.date | None) -> bool:
    """Answered before the exit or more than 4 weeks after it: kept, never counted."""
    if answered_on is None:
        return False
    return answered_on < exit_date or answered_on > exit_date + dt.timedelta(EXIT_ANSWER_DAYS)


class FollowUp(models.Model):
    """The six-month follow-up of one exit (the longer-term results)."""

    exit = models.OneToOneField(
        Exit, verbose_name=_("exit"), on_delete=models.CASCADE, related_name="follow_up"
    )
    answered_on = models.DateField(_("answered on"))
    source = models.CharField(_("source"), max_length=12, choices=AnswerSource)
    consent_version = models.CharField(_("consent text version"), max_length=40, blank=True)
    employed = models.BooleanField(_("employed, including self-employed"), null=True, blank=True)
    improved_situation = models.BooleanField(
        _("in a better labour-market situation"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("six-month follow-up")
        verbose_name_plural = _("six-month follow-ups")

    def __str__(self) -> str:
        return f"{self.exit_id} {self.answered_on}"
