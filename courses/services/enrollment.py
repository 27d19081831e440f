"""Enrollment and the waitlist: seats while free, then the queue; withdrawals free a seat for
the first who waits."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from courses import notices
from courses.models import Cycle, Enrollment, SeatOffer
from courses.services.cycles import _lock_cycle
from courses.services.participation import enrollment_exit
from courses.services.placement import _has_prerequisite
from courses.services.questionnaires import entry_questionnaire_on_enrollment
from school.choices import ExitReason
from school.errors import ConflictError
from school.models import Student

# Parking place for waitlist positions while they are renumbered: PostgreSQL checks the unique
# position row by row, so rows first move out of the way above every real position.
PARKING = 1_000_000


def _close_waitlist_gap(cycle: Cycle, position: int) -> None:
    """Move everyone behind ``position`` one place up, keeping positions 1..n (two statements)."""
    waiting = cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED)
    waiting.filter(waitlist_position__gt=position).update(
        waitlist_position=F("waitlist_position") + PARKING - 1
    )
    waiting.filter(waitlist_position__gt=PARKING).update(
        waitlist_position=F("waitlist_position") - PARKING
    )


def seats_free(cycle: Cycle) -> int:
    """Seats nobody holds: the capacity less those enrolled and those offered to an applicant
    and waiting for their answer."""
    enrolled = cycle.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
    held = cycle.seat_offers.filter(status=SeatOffer.Status.OPEN).count()
    return cycle.capacity - enrolled - held


@transaction.atomic
def enrollment_create(
    *, student: Student, cycle: Cycle, today: dt.date | None = None
) -> Enrollment:
    """Enroll a student while seats are free, otherwise put them at the end of the waitlist.

    1. Lock the cycle (seats) and the student (one running cycle per level).
    2. Refuse a cancelled or finished cycle, a second enrollment in the cycle, a second running
       cycle at the same level, and a level whose prerequisite the student lacks.
    3. Take a seat if one is free, else the next waitlist position.
    """
    cycle = _lock_cycle(cycle)
    student = Student.objects.select_for_update().get(pk=student.pk)
    today = today or cycle.school.today()
    if student.school_id != cycle.school_id:
        raise ValidationError({"student": _("This student is not in the cycle's school.")})
    if cycle.cancelled_at is not None:
        raise ConflictError(_("Cycle %(code)s was cancelled.") % {"code": cycle.code})
    if cycle.ends_on < today:
        raise ConflictError(_("Cycle %(code)s has finished.") % {"code": cycle.code})
    existing = Enrollment.objects.filter(student=student, cycle=cycle).first()
    if existing is not None:
        raise ConflictError(
            _("This student already has an enrollment in %(code)s (%(status)s).")
            % {"code": cycle.code, "status": existing.get_status_display().lower()}
        )
    other = (
        Enrollment.objects.filter(
            student=student,
            cycle__level=cycle.level,
            cycle__ends_on__gte=today,
            cycle__cancelled_at__isnull=True,
            status__in=[Enrollment.Status.ENROLLED, Enrollment.Status.WAITLISTED],
        )
        .select_related("cycle")
        .first()
    )
    if other is not None:
        raise ConflictError(
            _("This student is already in %(code)s, a running %(level)s cycle.")
            % {"code": other.cycle.code, "level": cycle.level.code}
        )
    if not _has_prerequisite(student, cycle.level):
        raise ValidationError(
            {
                "student": _(
                    "%(level)s needs a completed %(prerequisite)s cycle or a placement decision."
                )
                % {"level": cycle.level.code, "prerequisite": cycle.level.prerequisite}
            }
        )
    # Nobody jumps the queue: while anyone waits, a free seat (after a capacity rise) is the
    # coordinator's to give by promotion, and newcomers join the end of the waitlist. A seat
    # offered to an applicant is held until they answer.
    waiting = cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED).exists()
    if seats_free(cycle) > 0 and not waiting:
        enrollment = Enrollment.objects.create(
            student=student, cycle=cycle, status=Enrollment.Status.ENROLLED
        )
        entry_questionnaire_on_enrollment(enrollment)
        return enrollment
    last = cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED).aggregate(
        m=Max("waitlist_position")
    )["m"]
    return Enrollment.objects.create(
        student=student,
        cycle=cycle,
        status=Enrollment.Status.WAITLISTED,
        waitlist_position=(last or 0) + 1,
    )


def _promote(enrollment: Enrollment) -> Enrollment:
    position = enrollment.waitlist_position
    enrollment.status = Enrollment.Status.ENROLLED
    enrollment.waitlist_position = None
    enrollment.save(update_fields=["status", "waitlist_position"])
    assert position is not None
    _close_waitlist_gap(enrollment.cycle, position)
    notices.waitlist_promoted(enrollment)
    entry_questionnaire_on_enrollment(enrollment)
    return enrollment


@transaction.atomic
def enrollment_withdraw(
    *,
    enrollment: Enrollment,
    reason: str,
    today: dt.date | None = None,
    exit_reason: str = ExitReason.WITHDREW,
) -> Enrollment:
    """Withdraw a student with a reason.

    1. Lock the cycle, then re-read the enrollment under the lock.
    2. Record the reason and the exit date; leave the waitlist if waiting.
    3. A student who had entered exits their participation (``exit_reason``: withdrew,
       moved, found work ...).
    4. A freed seat goes to the first on the waitlist, who is told.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the student is withdrawing.")})
    cycle = _lock_cycle(enrollment.cycle)
    enrollment = Enrollment.objects.select_related("student").get(pk=enrollment.pk)
    enrollment.cycle = cycle
    if enrollment.status not in (Enrollment.Status.ENROLLED, Enrollment.Status.WAITLISTED):
        raise ConflictError(
            _("This enrollment is already %(status)s.")
            % {"status": enrollment.get_status_display().lower()}
        )
    today = today or cycle.school.today()
    was_enrolled = enrollment.status == Enrollment.Status.ENROLLED
    position = enrollment.waitlist_position
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.waitlist_position = None
    enrollment.withdrawal_reason = reason[:300]
    if enrollment.entry_date is not None:
        enrollment.exit_date = max(today, enrollment.entry_date)
    enrollment.save()
    enrollment_exit(enrollment, reason=exit_reason)
    if position is not None:
        _close_waitlist_gap(cycle, position)
    # The seat freed goes to the first who waits, unless a lowered capacity or seats held for
    # applicants leave none free.
    if was_enrolled and cycle.ends_on >= today and seats_free(cycle) > 0:
        first = (
            cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED)
            .select_related("student")
            .order_by("waitlist_position")
            .first()
        )
        if first is not None:
            first.cycle = cycle
            _promote(first)
    return enrollment


@transaction.atomic
def enrollment_promote(*, enrollment: Enrollment) -> Enrollment:
    """Give a waitlisted student a free seat by hand, ahead of the queue."""
    cycle = _lock_cycle(enrollment.cycle)
    enrollment = Enrollment.objects.select_related("student").get(pk=enrollment.pk)
    enrollment.cycle = cycle
    if enrollment.status != Enrollment.Status.WAITLISTED:
        raise ConflictError(_("Only a waitlisted student can be promoted."))
    if seats_free(cycle) <= 0:
        raise ConflictError(
            _(
                "%(code)s is full (%(capacity)s seats). Raise its capacity or withdraw someone first."
            )
            % {"code": cycle.code, "capacity": cycle.capacity}
        )
    return _promote(enrollment)


@transaction.atomic
def waitlist_reorder(*, cycle: Cycle, order: Sequence[int]) -> list[Enrollment]:
    """Put the cycle's waitlist in the given order of enrollment ids (all of them, once each)."""
    cycle = _lock_cycle(cycle)
    waiting = list(cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED))
    if sorted(order) != sorted(e.pk for e in waiting) or len(set(order)) != len(order):
        raise ValidationError(
            {"order": _("List every waitlisted enrollment of this cycle exactly once.")}
        )
    return _renumber(cycle, waiting, order)


def _renumber(cycle: Cycle, waiting: list[Enrollment], order: Sequence[int]) -> list[Enrollment]:
    by_id = {e.pk: e for e in waiting}
    cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED).update(
        waitlist_position=F("id") + PARKING
    )
    for position, pk in enumerate(order, start=1):
        by_id[pk].waitlist_position = position
    Enrollment.objects.bulk_update(waiting, ["waitlist_position"])
    return [by_id[pk] for pk in order]


@transaction.atomic
def waitlist_move(*, enrollment: Enrollment, direction: str) -> bool:
    """Move a waitlisted student one place up (``"up"``) or down (anything else).

    1. Lock the cycle and read its waitlist in order.
    2. The first cannot go up, nor the last down, and a student who is not waiting has no place
       to move: nothing changes, and the answer is False.
    3. Otherwise swap the student with their neighbour and renumber the waitlist.
    """
    cycle = _lock_cycle(enrollment.cycle)
    waiting = list(
        cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED).order_by("waitlist_position")
    )
    order = [e.pk for e in waiting]
    if enrollment.pk not in order:
        return False
    at = order.index(enrollment.pk)
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(order):
        return False
    order[at], order[to] = order[to], order[at]
    _renumber(cycle, waiting, order)
    return True
