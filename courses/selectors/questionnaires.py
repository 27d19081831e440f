"""What the office sees of a cycle's questionnaires."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from courses.models import Cycle, Enrollment
from school.models import Participation, Questionnaire, QuestionnaireKind, Student


@dataclass(frozen=True)
class QuestionnaireCell:
    kind: str
    label: str
    questionnaire: Questionnaire | None


@dataclass(frozen=True)
class QuestionnaireRow:
    enrollment: Enrollment
    student: Student
    cells: list[QuestionnaireCell]


@dataclass(frozen=True)
class CycleQuestionnaires:
    cycle: Cycle
    rows: list[QuestionnaireRow]


def cycle_questionnaires(*, cycle_id: int, school_id: int) -> CycleQuestionnaires:
    """The cycle's students (enrolled, withdrawn, completed) with, for each kind, the latest
    questionnaire of their participation in the cycle's operation: four queries whatever the
    number of students (the cycle, its enrollments, their participations, their
    questionnaires)."""
    cycle = Cycle.objects.select_related("school", "operation").get(
        pk=cycle_id, school_id=school_id
    )
    enrollments = list(
        Enrollment.objects.filter(cycle=cycle)
        .exclude(status=Enrollment.Status.WAITLISTED)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "pk")
    )
    latest: dict[tuple[int, str], Questionnaire] = {}
    if cycle.operation_id is not None and enrollments:
        participations = dict(
            Participation.objects.filter(
                operation_id=cycle.operation_id,
                student_id__in=[e.student_id for e in enrollments],
            ).values_list("pk", "student_id")
        )
        questionnaires = Questionnaire.objects.filter(
            participation_id__in=list(participations)
        ).order_by("created_at", "pk")
        for questionnaire in questionnaires:
            student_id = participations[questionnaire.participation_id]
            latest[(student_id, questionnaire.kind)] = questionnaire
    rows = [
        QuestionnaireRow(
            enrollment=enrollment,
            student=enrollment.student,
            cells=[
                QuestionnaireCell(
                    kind=kind.value,
                    label=str(kind.label),
                    questionnaire=latest.get((enrollment.student_id, kind.value)),
                )
                for kind in QuestionnaireKind
            ],
        )
        for enrollment in enrollments
    ]
    return CycleQuestionnaires(cycle=cycle, rows=rows)


def open_questionnaires(*, student: Student, today: dt.date) -> QuerySet[Questionnaire]:
    """The student's questionnaires sent to them and still open, the soonest to close first."""
    return Questionnaire.objects.filter(
        participation__student=student,
        sent_on__isnull=False,
        answered_at__isnull=True,
        closes_on__gte=today,
    ).order_by("closes_on", "pk")
