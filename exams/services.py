"""Everything that writes exams: registrations, results (the official pass rule), pass rates."""

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from courses.models import Cycle, Enrollment, Level
from exams.models import (
    ExamRegistration,
    ExamResult,
    ExamRound,
    ExamScheme,
    PassRateCell,
    SkillScore,
)
from exams.selectors import age_on, pass_rate_groups, preparing_cycle
from school.errors import ConflictError
from school.models import School, Student, User

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# The exam a round is of when nobody says: the Greek-language certificate.
DEFAULT_EXAM_TYPE = "ellinomatheia"
# ``exam_type`` not given to ``exam_round_update``: the round keeps its own.
_KEEP: Any = object()


# -- rounds ---------------------------------------------------------------------------------------


def _check_round_dates(deadline: dt.date | None, exam_date: dt.date | None) -> None:
    if deadline and exam_date and deadline > exam_date:
        raise ValidationError(
            {"registration_deadline": [_("The deadline must be on or before the exam date.")]}
        )


def _exam_scheme(*, exam_type: str, level: Level) -> ExamScheme:
    """The scheme of ``exam_type`` at ``level`` (its skills and grade bands)."""
    scheme = ExamScheme.objects.filter(exam_type__code=exam_type, level=level).first()
    if scheme is None:
        raise ValidationError(
            {"level": [_("No %(exam)s exam is set up at this level.") % {"exam": exam_type}]}
        )
    return scheme


@transaction.atomic
def exam_round_create(
    *,
    school: School,
    name: str,
    level: Level,
    registration_deadline: dt.date,
    exam_date: dt.date,
    centre: str,
    exam_type: str = DEFAULT_EXAM_TYPE,
    results_published_on: dt.date | None = None,
) -> ExamRound:
    """Set up a sitting of an exam.

    1. Registration closes on or before the exam day.
    2. The exam type must be set up at the level (a scheme with its skills and grade bands).
    3. A school has one round of a name for each exam.
    """
    _check_round_dates(registration_deadline, exam_date)
    scheme = _exam_scheme(exam_type=exam_type, level=level)
    if ExamRound.objects.filter(school=school, scheme=scheme, name=name).exists():
        raise ValidationError(
            {"name": [_("The school already has a round of this name for this exam.")]}
        )
    return ExamRound.objects.create(
        school=school,
        scheme=scheme,
        name=name,
        registration_deadline=registration_deadline,
        exam_date=exam_date,
        centre=centre,
        results_published_on=results_published_on,
    )


ROUND_FIELDS = {"name", "registration_deadline", "exam_date", "centre", "results_published_on"}


@transaction.atomic
def exam_round_update(
    *, exam_round: ExamRound, level: Level | None = None, exam_type: str = _KEEP, **fields: Any
) -> ExamRound:
    """Change a round: rounds move, so their dates change (registration still closing on or
    before the exam day); a level picks the scheme of the round's exam type (or of
    ``exam_type``) at that level."""
    unknown = set(fields) - ROUND_FIELDS
    if unknown:
        raise ValueError(f"not exam round fields: {sorted(unknown)}")
    _check_round_dates(
        fields.get("registration_deadline", exam_round.registration_deadline),
        fields.get("exam_date", exam_round.exam_date),
    )
    if level is not None:
        if exam_type is _KEEP:
            exam_type = exam_round.scheme.exam_type.code
        exam_round.scheme = _exam_scheme(exam_type=exam_type, level=level)
    for name, value in fields.items():
        setattr(exam_round, name, value)
    exam_round.save()
    return exam_round


# -- registrations --------------------------------------------------------------------------------


def eligibility_problems(*, student: Student, exam_round: ExamRound) -> list[str]:
    """Why a student may not sit a round: no cycle at its level, or too young on the reference day."""
    problems = []
    level = exam_round.scheme.level
    if preparing_cycle(student=student, exam_round=exam_round) is None:
        problems.append(
            _("%(name)s has not completed and is not in a %(level)s cycle.")
            % {"name": student.full_name, "level": level}
        )
    exam_type = exam_round.scheme.exam_type
    if student.date_of_birth is None:
        problems.append(_("%(name)s has no date of birth on record.") % {"name": student.full_name})
    else:
        year = exam_round.exam_date.year
        month, day = exam_type.age_reference_month, exam_type.age_reference_day
        reference = dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))
        if age_on(student.date_of_birth, reference) < exam_type.minimum_age:
            problems.append(
                _("%(name)s must be at least %(age)s on %(day)s.")
                % {
                    "name": student.full_name,
                    "age": exam_type.minimum_age,
                    "day": reference.isoformat(),
                }
            )
    return problems


@transaction.atomic
def exam_registration_create(
    *,
    student: Student,
    exam_round: ExamRound,
    registered_by: User | None = None,
    override_reason: str = "",
    today: dt.date | None = None,
) -> ExamRegistration:
    """Register a candidate for a round.

    1. Refuse after the round's registration deadline (409) and a second registration (409).
    2. The student must have completed or be in a cycle of the round's level and be old enough
       on the exam type's reference day (31 May for the Greek certificate); a coordinator may
       override with a reason, which is kept.
    3. Remember the cycle that prepared them (pass rates by cycle and teacher).
    """
    exam_round = (
        ExamRound.objects.select_for_update()
        .select_related("school", "scheme__exam_type", "scheme__level")
        .get(pk=exam_round.pk)
    )
    today = today or exam_round.school.today()
    if student.school_id != exam_round.school_id:
        raise ValidationError({"student": _("This student is not in the round's school.")})
    if today > exam_round.registration_deadline:
        raise ConflictError(
            _("Registration for %(round)s closed on %(day)s.")
            % {"round": exam_round.name, "day": exam_round.registration_deadline.isoformat()}
        )
    if ExamRegistration.objects.filter(exam_round=exam_round, student=student).exists():
        raise ConflictError(
            _("%(name)s is already registered for this round.") % {"name": student.full_name}
        )
    override_reason = override_reason.strip()[:300]
    problems = eligibility_problems(student=student, exam_round=exam_round)
    if problems and not override_reason:
        raise ValidationError({"student": problems})
    enrollment = preparing_cycle(student=student, exam_round=exam_round)
    try:
        with transaction.atomic():
            return ExamRegistration.objects.create(
                exam_round=exam_round,
                student=student,
                cycle=enrollment.cycle if enrollment else None,
                registered_by=registered_by,
                eligibility_override_reason=override_reason if problems else "",
            )
    except IntegrityError as error:
        raise ConflictError(
            _("%(name)s is already registered for this round.") % {"name": student.full_name}
        ) from error


@transaction.atomic
def exam_registrations_for_cycle(
    *,
    cycle: Cycle,
    exam_round: ExamRound,
    registered_by: User | None = None,
    today: dt.date | None = None,
) -> tuple[list[ExamRegistration], list[tuple[Student, str]]]:
    """Register every eligible student of a cycle not yet registered; say why the others were not."""
    registered, skipped = [], []
    enrollments = cycle.enrollments.filter(
        status__in=[Enrollment.Status.COMPLETED, Enrollment.Status.ENROLLED]
    ).select_related("student")
    for enrollment in enrollments.order_by("student__last_name", "pk"):
        try:
            with transaction.atomic():
                registered.append(
                    exam_registration_create(
                        student=enrollment.student,
                        exam_round=exam_round,
                        registered_by=registered_by,
                        today=today,
                    )
                )
        except ValidationError as error:
            skipped.append((enrollment.student, " ".join(error.messages)))
        except ConflictError as error:
            skipped.append((enrollment.student, error.message))
    return registered, skipped


# -- results ---------------------------------------------------------------------------------------


def grade_for(*, scheme: ExamScheme, total: Decimal, max_total: Decimal) -> str:
    """The certificate's grade band for a pass, by the scheme's cut-offs on the total."""
    percent = total * HUNDRED / max_total
    if percent >= scheme.excellent_from_percent:
        return ExamResult.Grade.EXCELLENT
    if percent >= scheme.very_good_from_percent:
        return ExamResult.Grade.VERY_GOOD
    return ExamResult.Grade.GOOD


@transaction.atomic
def exam_result_record(
    *,
    registration: ExamRegistration,
    points: dict[str, Any],
    recorded_by: User | None = None,
    certificate_number: str | None = None,
    create_only: bool = False,
) -> ExamResult:
    """Record a candidate's points per skill and work out the result by the official rule.

    1. Every skill of the round's scheme needs points between 0 and its maximum.
    2. A skill passes at its threshold (60% of its maximum by default); the exam passes only
       when every skill passes.
    3. A pass gets the grade band of its total; a fail gets none.
    4. The student's "qualification gained" (an ESF result indicator) follows their passes.
    5. Pass rates are worked out again in the background once the burst of changes is over.
    """
    registration = (
        ExamRegistration.objects.select_for_update()
        .select_related("exam_round__scheme", "exam_round__school", "student")
        .get(pk=registration.pk)
    )
    if create_only and hasattr(registration, "result"):
        raise ConflictError(_("This registration already has a result; change it instead."))
    scheme = registration.exam_round.scheme
    skills = list(scheme.skills.all())
    if not skills:
        raise ValidationError(
            _("This exam has no skills set up; add them to its scheme in the admin.")
        )
    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    for skill in skills:
        value = points.get(skill.code)
        try:
            # Points are kept to two decimals; the rule is applied to what is kept.
            number = (
                Decimal(str(value)).quantize(CENT, ROUND_HALF_UP) if value is not None else None
            )
        except ArithmeticError:
            number = None
            errors[skill.code] = _("Points must be a number.")
            continue
        if number is None:
            errors[skill.code] = _("Points are required.")
        elif not (number.is_finite() and Decimal(0) <= number <= skill.max_points):
            errors[skill.code] = _("Points must be between 0 and %(max)s.") % {
                "max": skill.max_points
            }
        else:
            values[skill.code] = number
    for code in set(points) - {skill.code for skill in skills}:
        errors[code] = _("This exam has no such skill.")
    if errors:
        raise ValidationError(errors)

    passed_by_skill = {
        skill.code: values[skill.code] * HUNDRED >= skill.pass_percent * skill.max_points
        for skill in skills
    }
    total = sum(values.values(), Decimal(0))
    max_total = sum((skill.max_points for skill in skills), Decimal(0))
    passed = all(passed_by_skill.values())
    defaults: dict[str, Any] = {
        "total": total,
        "max_total": max_total,
        "passed": passed,
        "grade": grade_for(scheme=scheme, total=total, max_total=max_total) if passed else "",
        "recorded_by": recorded_by,
    }
    if certificate_number is not None:
        defaults["certificate_number"] = certificate_number.strip()[:50]
    result, _created = ExamResult.objects.update_or_create(
        registration=registration, defaults=defaults
    )
    for skill in skills:
        SkillScore.objects.update_or_create(
            result=result,
            skill=skill,
            defaults={
                "points": values[skill.code],
                "max_points": skill.max_points,
                "passed": passed_by_skill[skill.code],
            },
        )
    qualification_refresh(student=registration.student)
    pass_rates_refresh_soon(school_id=registration.exam_round.school_id)
    return result


def qualification_refresh(*, student: Student) -> None:
    """ "Gained a qualification" (ESF result indicator) is the day the earliest passed round's
    results came out (or its exam day before publication); none without a pass."""
    first_pass = (
        ExamResult.objects.filter(registration__student=student, passed=True)
        .select_related("registration__exam_round")
        .order_by("registration__exam_round__exam_date")
        .first()
    )
    day = None
    if first_pass is not None:
        exam_round = first_pass.registration.exam_round
        day = exam_round.results_published_on or exam_round.exam_date
    if student.qualification_gained_on != day:
        student.qualification_gained_on = day
        student.save(update_fields=["qualification_gained_on", "updated_at"])


# -- pass rates ------------------------------------------------------------------------------------


def pass_rates_refresh_soon(*, school_id: int) -> None:
    """Queue one recomputation per burst of changes, after the transaction commits."""

    def enqueue() -> None:
        from exams.tasks import pass_rates_refresh

        # The first change of a burst queues the task; the rest find the flag and add nothing.
        if cache.add(
            f"pass-rates-pending:{school_id}", 1, timeout=settings.PASS_RATES_DEBOUNCE_SECONDS * 10
        ):
            pass_rates_refresh.apply_async(
                (school_id,), countdown=settings.PASS_RATES_DEBOUNCE_SECONDS
            )

    # robust: with Redis down the change stays saved; the nightly refresh catches up.
    transaction.on_commit(enqueue, robust=True)


@transaction.atomic
def pass_rates_recompute(*, school_id: int) -> int:
    """Work out every breakdown (one SQL query each) and replace the school's stored cells."""
    cache.delete(f"pass-rates-pending:{school_id}")
    cells = [
        PassRateCell(school_id=school_id, breakdown=breakdown, **row)
        for breakdown in PassRateCell.Breakdown.values
        for row in pass_rate_groups(school_id=school_id, breakdown=breakdown)
    ]
    PassRateCell.objects.filter(school_id=school_id).delete()
    PassRateCell.objects.bulk_create(cells, batch_size=5000)
    return len(cells)
