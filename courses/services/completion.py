"""Closing a cycle at its end: completed within the absence limit, withdrawn beyond it."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from courses.models import Cycle, Enrollment, Lesson
from courses.selectors import enrollments_with_absences
from courses.services.cycles import _lock_cycle
from courses.services.participation import enrollment_exit
from school.choices import ExitReason
from school.errors import ConflictError


@transaction.atomic
def cycle_complete(*, cycle: Cycle, today: dt.date | None = None) -> dict[str, int]:
    """Close a cycle at its end: within the absence limit is completed, beyond it is not.

    1. Only after the cycle's last day, and no lesson may be left scheduled (held or cancelled).
    2. Each enrolled student's missed hours (absent or excused) are compared with the absence
       limit: the cycle's or the school's percentage of the total hours, the extended one for a
       participant with a disability or documented hospitalisation.
    3. Completed students exit on the last lesson; those over the limit are withdrawn with that
       reason; those still waiting are withdrawn as the cycle ended.
    """
    cycle = _lock_cycle(cycle)
    today = today or cycle.school.today()
    if cycle.ends_on >= today:
        raise ConflictError(_("Cycle %(code)s has not ended yet.") % {"code": cycle.code})
    if cycle.lessons.filter(status=Lesson.Status.SCHEDULED).exists():
        raise ConflictError(_("Mark every lesson held or cancelled first."))
    last_lesson = (
        cycle.lessons.filter(status=Lesson.Status.HELD).aggregate(m=Max("date"))["m"]
        or cycle.ends_on
    )
    summary = {"completed": 0, "over_absence_limit": 0, "waitlist_closed": 0}
    enrollment: Any  # annotated with missed_hours, first_attended and absence_limit_hours
    for enrollment in enrollments_with_absences(cycle=cycle).filter(
        status=Enrollment.Status.ENROLLED
    ):
        if enrollment.entry_date is None:
            enrollment.entry_date = enrollment.first_attended
        enrollment.exit_date = (
            max(last_lesson, enrollment.entry_date) if enrollment.entry_date else None
        )
        if enrollment.missed_hours <= enrollment.absence_limit_hours and enrollment.entry_date:
            enrollment.status = Enrollment.Status.COMPLETED
            summary["completed"] += 1
        else:
            enrollment.status = Enrollment.Status.WITHDRAWN
            enrollment.withdrawal_reason = _("Missed more than the absence limit.")
            summary["over_absence_limit"] += 1
        enrollment.save(update_fields=["status", "entry_date", "exit_date", "withdrawal_reason"])
        enrollment_exit(
            enrollment,
            reason=ExitReason.COMPLETED
            if enrollment.status == Enrollment.Status.COMPLETED
            else ExitReason.OVER_ABSENCE_LIMIT,
        )
    summary["waitlist_closed"] = cycle.enrollments.filter(
        status=Enrollment.Status.WAITLISTED
    ).update(
        status=Enrollment.Status.WITHDRAWN,
        waitlist_position=None,
        withdrawal_reason=_("The cycle ended before a seat came free."),
    )
    return summary
