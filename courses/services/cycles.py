"""Creating and changing cycles: their school's venue, room and teachers, dates, seats and
timetable; cancelling one."""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.calendar import Slot
from courses.models import Applicant, Cycle, Enrollment, Level, SeatOffer, TimetableSlot
from courses.services.lessons import lessons_regenerate
from courses.services.timetable import timetable_validate
from school.models import Operation, Room, School, Teacher, Venue
from school.services import participation as participations


def _check_cycle(cycle: Cycle) -> None:
    """Field-level messages for what the database would refuse, then Django's own checks."""
    errors: dict[str, str] = {}
    if cycle.starts_on and cycle.ends_on and cycle.ends_on < cycle.starts_on:
        errors["ends_on"] = _("A cycle must end on or after the day it starts.")
    if (
        cycle.school_id
        and Cycle.objects.filter(school_id=cycle.school_id, code=cycle.code)
        .exclude(pk=cycle.pk)
        .exists()
    ):
        errors["code"] = _("The school already has a cycle %(code)s.") % {"code": cycle.code}
    if errors:
        raise ValidationError(errors)
    cycle.full_clean()


def _check_same_school(
    school: School,
    venue: Venue | None,
    room: Room | None,
    teachers: Iterable[Teacher],
) -> None:
    errors: dict[str, str] = {}
    if venue is not None and venue.school_id != school.pk:
        errors["venue"] = _("That venue is not in this school.")
    if room is not None and (
        room.venue.school_id != school.pk or (venue and room.venue_id != venue.pk)
    ):
        errors["room"] = _("That room is not in the cycle's venue.")
    if any(teacher.school_id != school.pk for teacher in teachers):
        errors["teachers"] = _("Every teacher must be of this school.")
    if errors:
        raise ValidationError(errors)


def _set_timetable(cycle: Cycle, slots: Sequence[Slot]) -> None:
    cycle.timetable.all().delete()
    TimetableSlot.objects.bulk_create(
        TimetableSlot(cycle=cycle, weekday=s.weekday, starts_at=s.starts_at, ends_at=s.ends_at)
        for s in slots
    )


@transaction.atomic
def cycle_create(
    *,
    school: School,
    code: str,
    level: Level,
    starts_on: dt.date,
    ends_on: dt.date,
    total_hours: Decimal,
    capacity: int = 25,
    venue: Venue | None = None,
    room: Room | None = None,
    teachers: Sequence[Teacher] = (),
    timetable: Sequence[Slot] = (),
    section: str = "",
    absence_limit_percent: Decimal | None = None,
    operation: Operation | None = None,
) -> Cycle:
    _check_same_school(school, venue, room, teachers)
    timetable_validate(timetable)
    cycle = Cycle(
        school=school,
        code=code,
        level=level,
        starts_on=starts_on,
        ends_on=ends_on,
        total_hours=total_hours,
        capacity=capacity,
        venue=venue or (room.venue if room else None),
        room=room,
        section=section,
        absence_limit_percent=absence_limit_percent,
        operation=operation or participations.operation_for(school, starts_on),
    )
    if cycle.operation.school_id != school.pk:  # type: ignore[union-attr]
        raise ValidationError({"operation": _("That operation is not in this school.")})
    _check_cycle(cycle)
    cycle.save()
    cycle.teachers.set(teachers)
    _set_timetable(cycle, timetable)
    return cycle


CYCLE_FIELDS = {
    "code", "level", "section", "starts_on", "ends_on", "capacity", "total_hours", "venue", "room",
    "absence_limit_percent", "operation",
}  # fmt: skip


@transaction.atomic
def cycle_update(
    *,
    cycle: Cycle,
    teachers: Sequence[Teacher] | None = None,
    timetable: Sequence[Slot] | None = None,
    today: dt.date | None = None,
    **fields: Any,
) -> Cycle:
    """Change a cycle.

    1. Lock it, so that no enrollment slips in while its capacity changes.
    2. Refuse a capacity below the students already enrolled.
    3. A new timetable or new dates regenerate only the future lessons that nobody has marked.
    """
    cycle = Cycle.objects.select_for_update().select_related("school").get(pk=cycle.pk)
    unknown = set(fields) - CYCLE_FIELDS
    if unknown:
        raise ValueError(f"not cycle fields: {sorted(unknown)}")
    old_dates = (cycle.starts_on, cycle.ends_on)
    for name, value in fields.items():
        setattr(cycle, name, value)
    if "operation" in fields and (
        cycle.operation is None or cycle.operation.school_id != cycle.school_id
    ):
        raise ValidationError({"operation": _("That operation is not in this school.")})
    if "venue" in fields or "room" in fields or teachers is not None:
        _check_same_school(cycle.school, cycle.venue, cycle.room, teachers or [])
    if "capacity" in fields:
        # Seats offered to applicants and waiting for their answer are taken too.
        enrolled = cycle.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
        enrolled += cycle.seat_offers.filter(status=SeatOffer.Status.OPEN).count()
        if cycle.capacity < enrolled:
            raise ValidationError(
                {
                    "capacity": _("%(count)s students are enrolled; the capacity cannot be lower.")
                    % {"count": enrolled}
                }
            )
    _check_cycle(cycle)
    cycle.save()
    if teachers is not None:
        cycle.teachers.set(teachers)
    changed_timetable = False
    if timetable is not None:
        timetable_validate(timetable)
        current = sorted((s.weekday, s.starts_at, s.ends_at) for s in cycle.timetable.all())
        changed_timetable = current != sorted(
            (s.weekday, s.starts_at, s.ends_at) for s in timetable
        )
        if changed_timetable:
            _set_timetable(cycle, timetable)
    if cycle.lessons.exists() and (
        changed_timetable or old_dates != (cycle.starts_on, cycle.ends_on)
    ):
        lessons_regenerate(cycle=cycle, today=today)
    return cycle


def _lock_cycle(cycle: Cycle) -> Cycle:
    # Every change of seats takes the cycle's row lock first: enrollments, withdrawals and
    # promotions in one cycle happen one after another, never interleaved.
    return Cycle.objects.select_for_update().select_related("school", "level").get(pk=cycle.pk)


@transaction.atomic
def cycle_cancel(*, cycle: Cycle) -> Cycle:
    """Cancel a cycle. Seats offered in it and not yet answered are withdrawn: those
    applicants go back to "placed", for the office to offer them another cycle."""
    cycle = _lock_cycle(cycle)
    if cycle.cancelled_at is None:
        now = timezone.now()
        cycle.cancelled_at = now
        cycle.save(update_fields=["cancelled_at"])
        # Cycle, offers, then applicants: the order every intake step locks them in.
        offers = list(cycle.seat_offers.select_for_update().filter(status=SeatOffer.Status.OPEN))
        for offer in offers:
            offer.status = SeatOffer.Status.WITHDRAWN
            offer.answered_at = now
            offer.save()
            applicant = Applicant.objects.select_for_update().get(pk=offer.applicant_id)
            applicant.status = Applicant.Status.PLACED
            applicant.save()
    return cycle
