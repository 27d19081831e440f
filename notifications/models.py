"""The outbox: one row per message to a person. Generic: it knows nothing of courses or exams.

Other apps queue messages inside their own transaction (``notification_queue``); sending reads
the outbox, so a message exists exactly when the change that caused it was committed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from notifications.texts import kind_name
from school.models import School, Student


class Notification(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="notifications"
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # Someone with neither a student record nor an account (an applicant: "applicant:12"),
    # so their messages can be found, and erased with them.
    person = models.CharField(_("other recipient"), max_length=40, blank=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel, blank=True)
    kind = models.CharField(_("kind"), max_length=50)
    language = models.CharField(_("language"), max_length=8)
    # What the message is about, as plain JSON values, rendered in the recipient's language.
    context = models.JSONField(_("context"), default=dict, blank=True)
    address = models.CharField(
        _("address"), max_length=254, blank=True, help_text=_("Phone or e-mail it goes to.")
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("rendered text"), blank=True)
    dedup_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    due_at = models.DateTimeField(_("due at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A sender holds a message until this time; another may take it after (a crashed worker).
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(student__isnull=False) | Q(user__isnull=False) | ~Q(person=""),
                name="notification_has_recipient",
            ),
        ]

    # Kinds whose text is a key to someone's account (a one-time sign-in link): the log shows
    # that such a message went out, never what it said.
    # Messages holding a sign-in link: whoever read it in the log could sign in as the student.
    PRIVATE_KINDS = frozenset(
        {
            "sign_in_link",
            "questionnaire_entry",
            "questionnaire_exit",
            "questionnaire_follow_up",
            "questionnaire_reminder",
            # The link answers a seat offer for the applicant.
            "seat_offer",
        }
    )

    def __str__(self) -> str:
        return f"{self.kind} → {self.student_id or self.user_id} ({self.get_status_display()})"

    @property
    def kind_name(self) -> str:
        """The kind in the reader's language ("Ακύρωση μαθήματος"), not its code."""
        return kind_name(self.kind, translation.get_language() or settings.LANGUAGE_CODE)

    @property
    def shown_body(self) -> str:
        """The text as the message log shows it."""
        if self.kind == "seat_offer":
            return str(_("(not shown: it holds the link that answers a seat offer)"))
        if self.kind in self.PRIVATE_KINDS:
            return str(_("(not shown: it holds a one-time sign-in link)"))
        return self.body
