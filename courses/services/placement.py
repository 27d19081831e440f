"""Prerequisites: a level needs a completed cycle of the level before it, or a placement
decision (a placement test)."""

import datetime as dt

from django.db import transaction

from courses.models import Enrollment, Level, PlacementDecision
from school.models import Student, User


def _has_prerequisite(student: Student, level: Level) -> bool:
    if level.prerequisite_id is None:
        return True
    return (
        Enrollment.objects.filter(
            student=student,
            cycle__level_id=level.prerequisite_id,
            status=Enrollment.Status.COMPLETED,
        ).exists()
        or PlacementDecision.objects.filter(student=student, level=level).exists()
    )


@transaction.atomic
def placement_record(
    *,
    student: Student,
    level: Level,
    decided_by: User,
    note: str = "",
    decided_on: dt.date | None = None,
) -> PlacementDecision:
    """Record that a student may join ``level`` without its prerequisite (a placement test)."""
    decision = PlacementDecision(
        student=student,
        level=level,
        decided_by=decided_by,
        decided_on=decided_on or student.school.today(),
        note=note,
    )
    decision.full_clean()
    decision.save()
    return decision
