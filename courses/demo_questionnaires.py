"""The questionnaires of the demo school: the second A1 cycle was sent its entry questionnaire
(half answered on the phone, one typed in from paper by the coordinator, the rest open), and
last spring's leavers are due their 6-month follow-up (two answered, the rest open: the demo
student among them, on their page)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from courses.models import Cycle, Enrollment
from courses.services.participation import participations_sync
from courses.services.questionnaires import follow_ups_send, questionnaires_send_to_cycle
from school.choices import ExitReason, Role
from school.demo import DemoPart, DemoRun, demo_part_register
from school.errors import ConflictError
from school.models import Participation, Questionnaire, User
from school.questionnaires import CONSENT_VERSION
from school.services.participation import exit_record, operation_for
from school.services.questionnaires import questionnaire_answer

# (status, months unemployed) in turn: consistent with long-term unemployment at any age.
SITUATIONS = [("unemployed", "3"), ("employed", ""), ("unemployed", "18"), ("inactive", "")]


def entry_answers(index: int) -> dict[str, str]:
    status, months = SITUATIONS[index % len(SITUATIONS)]
    answers = {
        "labour_market_status": status,
        "isced_level": str(index % 7),
        "household_jobless": "yes" if index % 3 == 0 else "no",
        "household_dependent_children": "yes" if index % 2 else "no",
        "household_single_adult": "no",
        "foreign_background": "yes",
        # Some would rather not say: kept as declined, with when they were asked.
        "minority": "declined" if index % 4 == 1 else "no",
        "disability": "declined" if index % 5 == 2 else "no",
        "other_disadvantage": "no",
        "homeless": "declined" if index % 6 == 3 else "no",
        "rural_area": "no",
    }
    if months:
        answers["unemployed_months"] = months
    return answers


def _answer(
    questionnaire: Questionnaire, data: dict[str, str], today: dt.date, **how: object
) -> None:
    try:
        with transaction.atomic():
            questionnaire_answer(
                questionnaire=questionnaire,
                data=data,
                consent_version=CONSENT_VERSION,
                today=today,
                answered_on=today,
                **how,  # type: ignore[arg-type]
            )
    except (ConflictError, ValidationError):
        pass


def finish(run: DemoRun) -> None:
    today = run.today
    _cycles_in_an_operation(run)
    a1b = Cycle.objects.filter(school=run.school, code=f"A1-{run.today.year}-B").first()
    a1b = a1b or Cycle.objects.filter(school=run.school, code__endswith="-B").first()
    if a1b is None or a1b.operation_id is None:
        return
    operation_id: int = a1b.operation_id
    entries = Questionnaire.objects.filter(
        participation__operation_id=operation_id,
        participation__student__enrollments__cycle=a1b,
        kind="entry",
    )
    if entries.exists():
        return  # a later run (more archive students) adds nothing
    coordinator = User.objects.filter(school=run.school, role=Role.COORDINATOR).first()
    with transaction.atomic():
        questionnaires_send_to_cycle(cycle=a1b, kind="entry", today=today)
        sent = list(entries.select_related("participation").order_by("participation__student_id"))
        for index, questionnaire in enumerate(sent[:10]):
            _answer(questionnaire, entry_answers(index), today)
        if len(sent) > 10:
            _answer(sent[10], entry_answers(10), today, source="paper", by=coordinator)
    _spring_follow_ups(run)


def _cycles_in_an_operation(run: DemoRun) -> None:
    """Every demo cycle belongs to the school's operation (from its first cycle's start)."""
    first = Cycle.objects.filter(school=run.school).order_by("starts_on").first()
    if first is None:
        return
    operation = operation_for(run.school, first.starts_on)
    Cycle.objects.filter(school=run.school, operation__isnull=True).update(operation=operation)


def _spring_follow_ups(run: DemoRun) -> None:
    """Last spring's cycle completed: each of its students left then (an exit), and their
    6-month follow-up falls due about now."""
    spring = (
        Cycle.objects.filter(school=run.school, code__endswith="-SPRING", operation__isnull=False)
        .select_related("operation")
        .first()
    )
    if spring is None or spring.operation_id is None:
        return
    operation_id: int = spring.operation_id
    enrollments = list(
        Enrollment.objects.filter(
            cycle=spring, status=Enrollment.Status.COMPLETED, exit_date__isnull=False
        )
    )
    with transaction.atomic():
        participations_sync([e.pk for e in enrollments])
        by_student = {
            p.student_id: p
            for p in Participation.objects.filter(
                operation_id=operation_id, student_id__in=[e.student_id for e in enrollments]
            )
        }
        for enrollment in enrollments:
            participation = by_student.get(enrollment.student_id)
            if participation is None or participation.entry_date is None:
                continue
            assert enrollment.exit_date is not None
            exit_record(participation, date=enrollment.exit_date, reason=ExitReason.COMPLETED)
        follow_ups_send(today=run.today)
        due = Questionnaire.objects.filter(
            participation__operation_id=operation_id, kind="follow-up"
        ).order_by("-participation__student_id")
        for questionnaire in due[:2]:
            _answer(questionnaire, {"employed": "yes", "improved_situation": "yes"}, run.today)


def register() -> None:
    demo_part_register(DemoPart("questionnaires", 40, finish=finish))
