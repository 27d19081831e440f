"""Funding reports built in the background."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from school.models.schools import School


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
