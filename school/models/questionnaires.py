"""Questionnaires sent to participants: which one, about which exit, when it closes, the
reminders sent, and how and when it was answered. The answers themselves go where the
participation keeps them (entry answers, the exit, the follow-up)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from school.choices import AnswerSource
from school.models.participation import Exit, Participation
from school.models.schools import School


class QuestionnaireKind(models.TextChoices):
    ENTRY = "entry", _("entry")
    EXIT = "exit", _("exit")
    FOLLOW_UP = "follow-up", _("6-month follow-up")


class Questionnaire(models.Model):
    """One questionnaire of one participation: sent by SMS or e-mail with a sign-in link,
    answered on the phone or typed in from paper.

    Open until ``closes_on`` (4 weeks after the exit for an exit questionnaire); after that the
    participant's link says it is closed, and a paper answer typed in later is marked late.
    """

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    participation = models.ForeignKey(
        Participation,
        verbose_name=_("participation"),
        on_delete=models.CASCADE,
        related_name="questionnaires",
    )
    kind = models.CharField(_("questionnaire"), max_length=10, choices=QuestionnaireKind)
    exit = models.ForeignKey(
        Exit,
        verbose_name=_("exit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questionnaires",
        help_text=_("The exit an exit questionnaire or a follow-up is about."),
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    times_sent = models.PositiveSmallIntegerField(_("times sent"), default=0)
    closes_on = models.DateField(_("closes on"))
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=AnswerSource, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    late = models.BooleanField(
        _("late"), default=False, help_text=_("Answered after the questionnaire had closed.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation"],
                condition=Q(kind="entry"),
                name="questionnaire_one_entry_per_participation",
            ),
            models.UniqueConstraint(
                fields=["exit", "kind"],
                condition=Q(exit__isnull=False),
                name="questionnaire_one_per_exit_and_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="entry", exit__isnull=True)
                | (~Q(kind="entry") & Q(exit__isnull=False)),
                name="questionnaire_exit_only_for_exit_and_follow_up",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(source=""),
                name="questionnaire_answer_has_source",
            ),
        ]
        indexes = [models.Index(fields=["school", "closes_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.participation_id}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def closed_on(self, today: dt.date) -> bool:
        return today > self.closes_on

    def is_open(self, today: dt.date) -> bool:
        return not self.answered and not self.closed_on(today)
