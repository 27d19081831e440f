"""Levels, cycles with their timetable, lessons, enrollments and attendance."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from courses.models.intake import (
    Applicant,
    Availability,
    GreekLevel,
    PlacementSession,
    SeatOffer,
    availability_field,
)
from school.models import Operation, Room, School, Student, Teacher, Venue

__all__ = [
    "LATEST_LESSON_END",
    "Applicant",
    "Attendance",
    "Availability",
    "Certificate",
    "Closure",
    "Cycle",
    "Enrollment",
    "GreekLevel",
    "Lesson",
    "Level",
    "PlacementDecision",
    "PlacementSession",
    "SeatOffer",
    "TimetableSlot",
    "availability_field",
    "certificate_upload_to",
]

LATEST_LESSON_END = dt.time(22, 0)


class Level(models.Model):
    """A level of the Common European Framework the school teaches: data, so B1 can be added."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    includes_history = models.BooleanField(
        _("includes Greek history"),
        default=False,
        help_text=_("A2 cycles also teach elements of Greek history and culture."),
    )
    prerequisite = models.ForeignKey(
        "self",
        verbose_name=_("prerequisite"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("A completed cycle at this level (or a placement decision) is needed first."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code


class Cycle(models.Model):
    """One run of a course at one level: dates, timetable, seats, hours, teachers, venue."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="cycles"
    )
    level = models.ForeignKey(
        Level, verbose_name=_("level"), on_delete=models.PROTECT, related_name="cycles"
    )
    # The funded operation the cycle runs under: its students are that operation's participants.
    operation = models.ForeignKey(
        Operation,
        verbose_name=_("operation"),
        on_delete=models.PROTECT,
        related_name="cycles",
        null=True,
        blank=True,
    )
    code = models.CharField(_("code"), max_length=50)
    section = models.CharField(_("section"), max_length=50, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=25)
    total_hours = models.DecimalField(_("total teaching hours"), max_digits=6, decimal_places=2)
    teachers = models.ManyToManyField(
        Teacher, verbose_name=_("teachers"), related_name="cycles", blank=True
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        related_name="cycles",
        null=True,
        blank=True,
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        on_delete=models.SET_NULL,
        related_name="cycles",
        null=True,
        blank=True,
    )
    absence_limit_percent = models.DecimalField(
        # xgettext:no-python-format
        _("absence limit (% of total hours)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty to use the school's limit; a funder's call may set another."),
    )
    cancelled_at = models.DateTimeField(
        _("cancelled at"),
        null=True,
        blank=True,
        help_text=_("A cancelled cycle takes no enrollments."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="cycle_unique_code"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="cycle_dates"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cycle_capacity_positive"),
            models.CheckConstraint(condition=Q(total_hours__gt=0), name="cycle_hours_positive"),
            models.CheckConstraint(
                condition=Q(absence_limit_percent__isnull=True)
                | Q(absence_limit_percent__gte=0, absence_limit_percent__lte=100),
                name="cycle_absence_limit_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class TimetableSlot(models.Model):
    """One weekly meeting of a cycle: Monday 17:00-20:00."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="timetable"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        verbose_name = _("timetable slot")
        verbose_name_plural = _("timetable")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "weekday", "starts_at"], name="timetable_slot_unique"
            ),
            # No lessons on Sundays (DOMAIN.md §3).
            models.CheckConstraint(condition=Q(weekday__lte=5), name="timetable_no_sunday"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="timetable_slot_times"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__lte=LATEST_LESSON_END), name="timetable_ends_by_22"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class Closure(models.Model):
    """Days the school is closed beyond public holidays (strikes, elections, the summer)."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="closures"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="closure_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on}: {self.reason}"


class Lesson(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="lessons"
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    # Kept alongside the times so that hour totals are a plain SUM in SQL on every database.
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SCHEDULED)
    topic = models.CharField(_("topic covered"), max_length=300, blank=True)
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        on_delete=models.SET_NULL,
        related_name="lessons",
        null=True,
        blank=True,
    )
    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("teacher"),
        on_delete=models.SET_NULL,
        related_name="lessons",
        null=True,
        blank=True,
        help_text=_("Who taught it; signs the attendance sheet."),
    )
    # Set when a lesson is moved, so students see where it came from and so that generating
    # lessons again does not put a lesson back in the slot it left.
    moved_from_date = models.DateField(_("moved from"), null=True, blank=True)
    moved_from_starts_at = models.TimeField(_("moved from time"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["date", "starts_at"]
        indexes = [models.Index(fields=["cycle", "date"]), models.Index(fields=["date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "date", "starts_at"], name="lesson_unique_start"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="lesson_times"),
            models.CheckConstraint(
                condition=Q(ends_at__lte=LATEST_LESSON_END), name="lesson_ends_by_22"
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=4), name="lesson_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle.code} {self.date} {self.starts_at:%H:%M}"

    @staticmethod
    def hours_between(starts_at: dt.time, ends_at: dt.time) -> Decimal:
        minutes = (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)
        return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


class Enrollment(models.Model):
    class Status(models.TextChoices):
        # One enrollment's status, never a heading over a list of students ("Enrolled" above a
        # count reads in the plural in most languages).
        ENROLLED = "enrolled", pgettext_lazy("enrollment status", "Enrolled")
        WAITLISTED = "waitlisted", pgettext_lazy("enrollment status", "Waitlisted")
        WITHDRAWN = "withdrawn", pgettext_lazy("enrollment status", "Withdrawn")
        COMPLETED = "completed", pgettext_lazy("enrollment status", "Completed")

    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="enrollments"
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    # The first lesson attended (ESF entry) and the day the student left or finished (exit).
    entry_date = models.DateField(_("entry date"), null=True, blank=True)
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("withdrawal reason"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["cycle", "status", "waitlist_position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["student", "cycle"], name="enrollment_once_per_cycle"),
            models.UniqueConstraint(
                fields=["cycle", "waitlist_position"],
                condition=Q(status="waitlisted"),
                name="enrollment_unique_waitlist_position",
            ),
            # A waitlisted enrollment has a place in the queue; no other status has one.
            models.CheckConstraint(
                condition=(Q(status="waitlisted") & Q(waitlist_position__isnull=False))
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="enrollment_waitlist_position_iff_waitlisted",
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True)
                | Q(entry_date__isnull=True)
                | Q(exit_date__gte=F("entry_date")),
                name="enrollment_exit_after_entry",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawal_reason=""),
                name="enrollment_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(student)s in %(cycle)s") % {"student": self.student, "cycle": self.cycle})


class PlacementDecision(models.Model):
    """A coordinator's decision that a student may join a level without its prerequisite."""

    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="placement_decisions",
    )
    level = models.ForeignKey(
        Level, verbose_name=_("level"), on_delete=models.PROTECT, related_name="placements"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="placement_decisions",
    )
    decided_on = models.DateField(_("decided on"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("placement decision")
        verbose_name_plural = _("placement decisions")
        ordering = ["-decided_on"]

    def __str__(self) -> str:
        return str(
            _("%(student)s placed at %(level)s") % {"student": self.student, "level": self.level}
        )


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("enrollment"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="attendance_once"),
        ]
        indexes = [models.Index(fields=["lesson", "status"])]

    def __str__(self) -> str:
        return f"{self.enrollment.student} {self.lesson.date}: {self.get_status_display()}"


def certificate_upload_to(certificate: "Certificate", filename: str) -> str:
    return f"certificates/{certificate.enrollment.cycle.school_id}/{filename}"


class Certificate(models.Model):
    """An attendance or completion certificate of one enrollment, as a PDF with a code anyone
    can check at /verify/<code>. Revoked, never deleted: the page then says so."""

    class Kind(models.TextChoices):
        ATTENDANCE = "attendance", _("Certificate of attendance")
        COMPLETION = "completion", _("Certificate of completion")

    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("enrollment"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    # 160 random bits in base32, in groups of four: cannot be guessed, can be typed.
    code = models.CharField(_("verification code"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the certificate says, as it was when issued (later marks do not change a document
    # already printed).
    hours_attended = models.DecimalField(_("hours attended"), max_digits=7, decimal_places=2)
    hours_held = models.DecimalField(_("hours held"), max_digits=7, decimal_places=2)
    first_lesson = models.DateField(_("first lesson"), null=True, blank=True)
    last_lesson = models.DateField(_("last lesson"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to=certificate_upload_to, blank=True, max_length=300)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One valid certificate of a kind per enrollment; a revoked one may be reissued.
            models.UniqueConstraint(
                fields=["enrollment", "kind"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_valid_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="certificate_revoked_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(hours_attended__gte=0) & Q(hours_attended__lte=F("hours_held")),
                name="certificate_hours_within_held",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"
