"""Personal data kept apart or for a time: special-category answers, each read of them, and
how long participant records are kept."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from school.choices import Answer, ProgrammePeriod
from school.models.people import Student
from school.models.schools import School


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
