"""Everything that writes exam results."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from exams.models import ExamRegistration, ExamResult, ExamScheme, SkillScore
from school.models import User

HUNDRED = Decimal(100)


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
    points: dict[str, Decimal],
    recorded_by: User | None = None,
    certificate_number: str = "",
) -> ExamResult:
    """Record a candidate's points per skill and work out the result by the official rule.

    1. Every skill of the round's scheme needs points between 0 and its maximum.
    2. A skill passes at its threshold (60% of its maximum by default); the exam passes only
       when every skill passes.
    3. A pass gets the grade band of its total; a fail gets none.
    """
    scheme = registration.exam_round.scheme
    skills = list(scheme.skills.all())
    errors: dict[str, str] = {}
    for skill in skills:
        value = points.get(skill.code)
        if value is None:
            errors[skill.code] = _("Points are required.")
        elif not Decimal(0) <= Decimal(value) <= skill.max_points:
            errors[skill.code] = _("Points must be between 0 and %(max)s.") % {
                "max": skill.max_points
            }
    unknown = set(points) - {skill.code for skill in skills}
    for code in unknown:
        errors[code] = _("This exam has no such skill.")
    if errors:
        raise ValidationError(errors)

    passed_by_skill = {
        skill.code: Decimal(points[skill.code]) * HUNDRED >= skill.pass_percent * skill.max_points
        for skill in skills
    }
    total = sum((Decimal(points[skill.code]) for skill in skills), Decimal(0))
    max_total = sum((skill.max_points for skill in skills), Decimal(0))
    passed = all(passed_by_skill.values())
    result, _created = ExamResult.objects.update_or_create(
        registration=registration,
        defaults={
            "total": total,
            "max_total": max_total,
            "passed": passed,
            "grade": grade_for(scheme=scheme, total=total, max_total=max_total) if passed else "",
            "recorded_by": recorded_by,
            "certificate_number": certificate_number,
        },
    )
    for skill in skills:
        SkillScore.objects.update_or_create(
            result=result,
            skill=skill,
            defaults={
                "points": Decimal(points[skill.code]),
                "max_points": skill.max_points,
                "passed": passed_by_skill[skill.code],
            },
        )
    return result
