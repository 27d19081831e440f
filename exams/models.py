"""Certification exams: types and their scoring schemes, rounds, registrations, results.

Points, thresholds and grade bands are data with the published defaults (DOMAIN.md §1), so a
change by the Centre for the Greek Language is an edit in the admin, not a release.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from courses.models import Cycle, Level
from school.models import School, Student

percent_validators = [MinValueValidator(0), MaxValueValidator(100)]

# Exam types and skills are rows (the published defaults, and whatever modules a school adds),
# named in English there. A row still named as published is shown in the reader's language; a
# name a school typed itself is shown as typed.
PUBLISHED_EXAM_TYPE_NAMES = {
    "ellinomatheia": gettext_noop("Certificate of attainment in Greek"),
    "long-term-residence": gettext_noop(
        "Greek language (A2) and elements of Greek history and culture"
    ),
}
PUBLISHED_SKILL_NAMES = {
    "reading": gettext_noop("Reading"),
    "writing": gettext_noop("Writing"),
    "listening": gettext_noop("Listening"),
    "speaking": gettext_noop("Speaking"),
    "use-of-language": gettext_noop("Use of language"),
    "history-culture": gettext_noop("Greek history and culture"),
}


def _published_name(published: dict[str, str], code: str, name: str) -> str:
    return gettext(name) if published.get(code) == name else name


class ExamType(models.Model):
    """The Greek-language certificate, or the long-term-residence exam with its own modules."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        default=8,
        help_text=_("Age a candidate must have reached on the reference day of the exam year."),
    )
    age_reference_month = models.PositiveSmallIntegerField(
        _("age reference month"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    age_reference_day = models.PositiveSmallIntegerField(
        _("age reference day"), default=31, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    class Meta:
        verbose_name = _("exam type")
        verbose_name_plural = _("exam types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return _published_name(PUBLISHED_EXAM_TYPE_NAMES, self.code, self.name)


class ExamScheme(models.Model):
    """How one exam type is scored at one level: its skills and its grade bands."""

    exam_type = models.ForeignKey(
        ExamType, verbose_name=_("exam type"), on_delete=models.PROTECT, related_name="schemes"
    )
    level = models.ForeignKey(
        Level, verbose_name=_("level"), on_delete=models.PROTECT, related_name="exam_schemes"
    )
    good_from_percent = models.DecimalField(
        # xgettext:no-python-format
        _("'good' from (% of total)"),
        max_digits=5,
        decimal_places=2,
        default=60,
        validators=percent_validators,
    )
    very_good_from_percent = models.DecimalField(
        # xgettext:no-python-format
        _("'very good' from (% of total)"),
        max_digits=5,
        decimal_places=2,
        default=75,
        validators=percent_validators,
    )
    excellent_from_percent = models.DecimalField(
        # xgettext:no-python-format
        _("'excellent' from (% of total)"),
        max_digits=5,
        decimal_places=2,
        default=90,
        validators=percent_validators,
    )

    class Meta:
        verbose_name = _("exam scheme")
        verbose_name_plural = _("exam schemes")
        ordering = ["exam_type__name", "level__position"]
        constraints = [
            models.UniqueConstraint(fields=["exam_type", "level"], name="exam_scheme_unique"),
            models.CheckConstraint(
                condition=Q(good_from_percent__lte=F("very_good_from_percent"))
                & Q(very_good_from_percent__lte=F("excellent_from_percent"))
                & Q(excellent_from_percent__lte=100),
                name="exam_scheme_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exam_type} {self.level}"


class ExamSkill(models.Model):
    """A skill or module examined (reading, writing, listening, speaking, history ...)."""

    scheme = models.ForeignKey(
        ExamScheme, verbose_name=_("exam scheme"), on_delete=models.CASCADE, related_name="skills"
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=5, decimal_places=2, default=25
    )
    pass_percent = models.DecimalField(
        # xgettext:no-python-format
        _("passed from (% of maximum)"),
        max_digits=5,
        decimal_places=2,
        default=60,
        validators=percent_validators,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("exam skill")
        verbose_name_plural = _("exam skills")
        ordering = ["scheme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="exam_skill_unique_code"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="exam_skill_max_positive"),
            models.CheckConstraint(
                condition=Q(pass_percent__gte=0, pass_percent__lte=100),
                name="exam_skill_pass_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.display_name}"

    @property
    def display_name(self) -> str:
        return _published_name(PUBLISHED_SKILL_NAMES, self.code, self.name)


class ExamRound(models.Model):
    """One sitting of an exam: rounds move (2021 was in October), so every date is data."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="exam_rounds"
    )
    scheme = models.ForeignKey(
        ExamScheme, verbose_name=_("exam scheme"), on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField(_("name"), max_length=200)
    registration_deadline = models.DateField(_("registration deadline"))
    exam_date = models.DateField(_("exam date"))
    centre = models.CharField(_("exam centre"), max_length=200)
    results_published_on = models.DateField(_("results published on"), null=True, blank=True)

    class Meta:
        verbose_name = _("exam round")
        verbose_name_plural = _("exam rounds")
        ordering = ["-exam_date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "scheme", "name"], name="exam_round_unique"),
            models.CheckConstraint(
                condition=Q(registration_deadline__lte=F("exam_date")),
                name="exam_round_deadline_before_exam",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExamRegistration(models.Model):
    exam_round = models.ForeignKey(
        ExamRound,
        verbose_name=_("exam round"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="exam_registrations",
    )
    cycle = models.ForeignKey(
        Cycle,
        verbose_name=_("through cycle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exam_registrations",
        help_text=_(
            "The cycle that prepared the candidate; pass rates by cycle and teacher use it."
        ),
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    eligibility_override_reason = models.CharField(
        _("eligibility override reason"),
        max_length=300,
        blank=True,
        help_text=_("Why a coordinator registered a student the rules would not."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exam registration")
        verbose_name_plural = _("exam registrations")
        ordering = ["exam_round", "student__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam_round", "student"], name="exam_registration_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.exam_round}"


class ExamResult(models.Model):
    """A candidate's result. ``total``, ``passed`` and ``grade`` are worked out from the scores
    by the scheme's rule when the result is recorded, and stored so pass rates are plain SQL."""

    class Grade(models.TextChoices):
        GOOD = "good", _("Good (Καλώς)")
        VERY_GOOD = "very_good", _("Very good (Λίαν καλώς)")
        EXCELLENT = "excellent", _("Excellent (Άριστα)")

    registration = models.OneToOneField(
        ExamRegistration,
        verbose_name=_("exam registration"),
        on_delete=models.PROTECT,
        related_name="result",
    )
    total = models.DecimalField(_("total points"), max_digits=6, decimal_places=2)
    max_total = models.DecimalField(_("maximum total"), max_digits=6, decimal_places=2)
    passed = models.BooleanField(_("passed"))
    grade = models.CharField(_("grade"), max_length=10, choices=Grade, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exam result")
        verbose_name_plural = _("exam results")
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0, total__lte=F("max_total")), name="exam_result_total"
            ),
            # Only a pass earns a grade.
            models.CheckConstraint(
                condition=Q(passed=True) | Q(grade=""), name="exam_result_grade_only_if_passed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration}: {self.total}/{self.max_total}"


class SkillScore(models.Model):
    """Points in one skill. ``max_points`` is copied from the skill when recorded, so the
    database itself refuses a score out of bounds and old results keep the scale they had."""

    result = models.ForeignKey(
        ExamResult, verbose_name=_("exam result"), on_delete=models.CASCADE, related_name="scores"
    )
    skill = models.ForeignKey(
        ExamSkill, verbose_name=_("exam skill"), on_delete=models.PROTECT, related_name="scores"
    )
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=2)
    passed = models.BooleanField(_("passed"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("skill score")
        verbose_name_plural = _("skill scores")
        ordering = ["skill__position"]
        constraints = [
            models.UniqueConstraint(fields=["result", "skill"], name="skill_score_once"),
            models.CheckConstraint(
                condition=Q(points__gte=0) & Q(points__lte=F("max_points")),
                name="skill_score_within_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill.display_name}: {self.points}/{self.max_points}"


class PassRateCell(models.Model):
    """Pass-rate counts of one school, one breakdown value and one exam round, worked out by a
    background task. The API sums the cells of the rounds in the asked period."""

    class Breakdown(models.TextChoices):
        EXAM_ROUND = "exam_round", _("Exam round")
        LEVEL = "level", _("Level")
        CYCLE = "cycle", _("Cycle")
        TEACHER = "teacher", _("Teacher")
        NATIONALITY = "nationality", _("Nationality")
        GENDER = "gender", _("Gender")
        AGE_BAND = "age_band", _("Age band")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    breakdown = models.CharField(max_length=12, choices=Breakdown)
    key = models.CharField(max_length=50)
    label = models.CharField(max_length=200)
    exam_round = models.ForeignKey(ExamRound, on_delete=models.CASCADE, related_name="+")
    exam_date = models.DateField()
    candidates = models.PositiveIntegerField()
    passed = models.PositiveIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pass-rate cell")
        verbose_name_plural = _("pass-rate cells")
        indexes = [models.Index(fields=["school", "breakdown", "exam_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "breakdown", "key", "exam_round"], name="pass_rate_cell_unique"
            ),
            models.CheckConstraint(
                condition=Q(passed__lte=F("candidates")), name="pass_rate_cell_counts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.breakdown}={self.key} {self.exam_round_id}: {self.passed}/{self.candidates}"
