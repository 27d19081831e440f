"""Keeping the funder's participations in step with enrollments: a student's first lesson
attended in a cycle of an operation is their entry into it; a withdrawal or a completion is an
exit. The rules live in ``school.services.participation``; this module only tells it."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Max, Min

from courses.models import Enrollment
from courses.services.questionnaires import exit_questionnaire_on_leaving
from school.choices import ExitReason
from school.models import Participation
from school.services import participation as participations


def participations_sync(enrollment_ids: Iterable[int]) -> None:
    """Set the entry dates of the participations these enrollments belong to: the first and the
    latest entry over all of the student's enrollments in the operation's cycles. A fixed
    number of queries, however many enrollments."""
    students = Enrollment.objects.filter(
        pk__in=list(enrollment_ids), cycle__operation__isnull=False
    ).values("student_id")
    entries: dict[tuple[int, int], tuple[dt.date | None, dt.date | None]] = {
        (row["student_id"], row["cycle__operation_id"]): (row["first"], row["last"])
        for row in Enrollment.objects.filter(
            student_id__in=students, cycle__operation__isnull=False
        )
        .values("student_id", "cycle__operation_id")
        .annotate(first=Min("entry_date"), last=Max("entry_date"))
        .order_by()
    }
    participations.participations_enter(entries)


def enrollment_exit(enrollment: Enrollment, *, reason: str = ExitReason.WITHDREW) -> None:
    """The enrollment ended (withdrawn or completed) after the student entered: an exit of
    their participation on its exit date."""
    if enrollment.entry_date is None or enrollment.exit_date is None:
        return
    if enrollment.cycle.operation_id is None:
        return
    participations_sync([enrollment.pk])
    participation = Participation.objects.get(
        student_id=enrollment.student_id, operation_id=enrollment.cycle.operation_id
    )
    exit_ = participations.exit_record(participation, date=enrollment.exit_date, reason=reason)
    # The leaver is asked the exit questions at once (reminders follow on day 7 and 21).
    exit_questionnaire_on_leaving(exit_)
