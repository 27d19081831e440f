"""Everything that writes cycles, lessons, enrollments and placements.

Rules of DOMAIN.md §3 (at most 4 teaching hours a day, ending by 22:00, no Sundays or public
holidays) and the enrollment rules live here and nowhere else.
"""

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from courses import notices
from courses.calendar import Slot, meeting_days, public_holidays
from courses.models import (
    LATEST_LESSON_END,
    Attendance,
    Closure,
    Cycle,
    Enrollment,
    Lesson,
    Level,
    PlacementDecision,
    TimetableSlot,
)
from courses.selectors import enrollments_with_absences
from school.choices import Role
from school.errors import ConflictError
from school.models import Room, School, Student, Teacher, User, Venue

MAX_HOURS_A_DAY = Decimal(4)
SUNDAY = 6


def school_today(school: School) -> dt.date:
    return timezone.localdate(timezone=school.zone)


# -- timetable ----------------------------------------------------------------------------------


def timetable_validate(slots: Sequence[Slot]) -> None:
    """Refuse a weekly timetable that breaks the rules, with one message per problem."""
    errors: list[str] = []
    hours_by_day: dict[int, Decimal] = defaultdict(Decimal)
    by_day: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        day = TimetableSlot.Weekday(slot.weekday).label if 0 <= slot.weekday <= 5 else None
        if slot.weekday == SUNDAY:
            errors.append(_("No lessons on Sundays."))
            continue
        if day is None:
            errors.append(_("Weekday must be 0 (Monday) to 5 (Saturday)."))
            continue
        if slot.ends_at <= slot.starts_at:
            errors.append(_("%(day)s: a lesson must end after it starts.") % {"day": day})
            continue
        if slot.ends_at > LATEST_LESSON_END:
            errors.append(_("%(day)s: lessons end by 22:00.") % {"day": day})
        hours_by_day[slot.weekday] += Lesson.hours_between(slot.starts_at, slot.ends_at)
        by_day[slot.weekday].append(slot)
    for weekday, day_slots in by_day.items():
        day = TimetableSlot.Weekday(weekday).label
        ordered = sorted(day_slots, key=lambda s: s.starts_at)
        for first, second in itertools.pairwise(ordered):
            if second.starts_at < first.ends_at:
                errors.append(
                    _("%(day)s: %(a)s and %(b)s overlap.")
                    % {
                        "day": day,
                        "a": f"{first.starts_at:%H:%M}",
                        "b": f"{second.starts_at:%H:%M}",
                    }
                )
        if hours_by_day[weekday] > MAX_HOURS_A_DAY:
            errors.append(
                _("%(day)s: at most 4 teaching hours a day, not %(hours)s.")
                % {"day": day, "hours": hours_by_day[weekday].normalize()}
            )
    if errors:
        raise ValidationError({"timetable": errors})


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
    )
    _check_cycle(cycle)
    cycle.save()
    cycle.teachers.set(teachers)
    _set_timetable(cycle, timetable)
    return cycle


CYCLE_FIELDS = {
    "code", "level", "section", "starts_on", "ends_on", "capacity", "total_hours", "venue", "room",
    "absence_limit_percent",
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
    if "venue" in fields or "room" in fields or teachers is not None:
        _check_same_school(cycle.school, cycle.venue, cycle.room, teachers or [])
    if "capacity" in fields:
        enrolled = cycle.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
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


# -- lessons ------------------------------------------------------------------------------------


def _closures(school_id: int, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    return list(
        Closure.objects.filter(
            school_id=school_id, ends_on__gte=first, starts_on__lte=last
        ).values_list("starts_on", "ends_on")
    )


def _create_lessons(cycle: Cycle, first: dt.date, last: dt.date) -> int:
    slots = [Slot(s.weekday, s.starts_at, s.ends_at) for s in cycle.timetable.all()]
    taken: set[tuple[Any, Any]] = set(cycle.lessons.values_list("date", "starts_at"))
    # A moved lesson still holds the slot it left, so regenerating does not bring it back.
    taken |= set(
        cycle.lessons.filter(moved_from_date__isnull=False).values_list(
            "moved_from_date", "moved_from_starts_at"
        )
    )
    teacher = cycle.teachers.order_by("pk").first() if cycle.teachers.count() == 1 else None
    new = [
        Lesson(
            cycle=cycle,
            date=day,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            hours=Lesson.hours_between(slot.starts_at, slot.ends_at),
            room=cycle.room,
            teacher=teacher,
        )
        for day, slot in meeting_days(
            starts_on=first,
            ends_on=last,
            slots=slots,
            country=str(cycle.school.country),
            closures=_closures(cycle.school_id, first, last),
        )
        if (day, slot.starts_at) not in taken
    ]
    Lesson.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def lessons_generate(*, cycle: Cycle) -> list[Lesson]:
    """Create the cycle's lessons from its weekly timetable between its dates.

    1. Work out the meeting days: the timetable's weekdays, skipping Sundays, the public holidays
       of the school's country and the school's closures.
    2. Create the lessons that do not exist yet; running it again changes nothing.
    3. Return all the cycle's lessons in order.
    """
    cycle = Cycle.objects.select_for_update().select_related("school").get(pk=cycle.pk)
    _create_lessons(cycle, cycle.starts_on, cycle.ends_on)
    return list(cycle.lessons.order_by("date", "starts_at"))


@transaction.atomic
def lessons_regenerate(*, cycle: Cycle, today: dt.date | None = None) -> list[Lesson]:
    """After a change of timetable or dates: replace the future lessons nobody has marked.

    Past lessons, held or cancelled ones, moved ones and any lesson with attendance stay as
    they are; the rest from tomorrow on are made again from the new timetable.
    """
    cycle = Cycle.objects.select_for_update().select_related("school").get(pk=cycle.pk)
    today = today or school_today(cycle.school)
    cycle.lessons.filter(
        date__gt=today,
        status=Lesson.Status.SCHEDULED,
        moved_from_date__isnull=True,
        attendance__isnull=True,
    ).delete()
    first = max(cycle.starts_on, today + dt.timedelta(days=1))
    if first <= cycle.ends_on:
        _create_lessons(cycle, first, cycle.ends_on)
    return list(cycle.lessons.order_by("date", "starts_at"))


def _lesson_day_errors(
    cycle: Cycle, day: dt.date, starts_at: dt.time, ends_at: dt.time, lesson_pk: int | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = defaultdict(list)
    if day.weekday() == SUNDAY:
        errors["date"].append(_("No lessons on Sundays."))
    if day in public_holidays(str(cycle.school.country), day.year):
        errors["date"].append(_("%(day)s is a public holiday.") % {"day": day.isoformat()})
    if _closures(cycle.school_id, day, day):
        errors["date"].append(_("The school is closed on %(day)s.") % {"day": day.isoformat()})
    if ends_at <= starts_at:
        errors["ends_at"].append(_("A lesson must end after it starts."))
    elif ends_at > LATEST_LESSON_END:
        errors["ends_at"].append(_("Lessons end by 22:00."))
    else:
        same_day = (
            cycle.lessons.filter(date=day)
            .exclude(status=Lesson.Status.CANCELLED)
            .exclude(pk=lesson_pk or 0)
        )
        hours = Lesson.hours_between(starts_at, ends_at)
        for other in same_day:
            hours += other.hours
            if starts_at < other.ends_at and other.starts_at < ends_at:
                errors["starts_at"].append(
                    _("It overlaps the lesson at %(time)s.") % {"time": f"{other.starts_at:%H:%M}"}
                )
        if hours > MAX_HOURS_A_DAY:
            errors["ends_at"].append(_("At most 4 teaching hours a day."))
    return dict(errors)


@transaction.atomic
def lesson_move(
    *,
    lesson: Lesson,
    date: dt.date | None = None,
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
    room: Room | Literal["unchanged"] | None = "unchanged",
) -> Lesson:
    """Move a lesson to another date, time or room, and tell the cycle's students."""
    lesson = (
        Lesson.objects.select_for_update(of=("self",))
        .select_related("cycle__school", "cycle__venue")
        .get(pk=lesson.pk)
    )
    if lesson.status != Lesson.Status.SCHEDULED:
        raise ConflictError(
            _("Only a scheduled lesson can be moved; this one is %(status)s.")
            % {"status": lesson.get_status_display().lower()}
        )
    new_date, new_start, new_end = (
        date or lesson.date,
        starts_at or lesson.starts_at,
        ends_at or lesson.ends_at,
    )
    errors = _lesson_day_errors(lesson.cycle, new_date, new_start, new_end, lesson.pk)
    taken = (
        lesson.cycle.lessons.filter(date=new_date, starts_at=new_start)
        .exclude(pk=lesson.pk)
        .first()
    )
    if taken is not None:
        errors.setdefault("starts_at", []).append(
            _("Another lesson of this cycle (%(status)s) starts then.")
            % {"status": taken.get_status_display().lower()}
        )
    if room != "unchanged" and room is not None and room.venue.school_id != lesson.cycle.school_id:
        errors["room"] = [_("That room is not in this school.")]
    if errors:
        raise ValidationError(errors)
    moved = (new_date, new_start, new_end) != (lesson.date, lesson.starts_at, lesson.ends_at)
    if moved and lesson.moved_from_date is None:
        lesson.moved_from_date, lesson.moved_from_starts_at = lesson.date, lesson.starts_at
    room_changed = room != "unchanged" and room != lesson.room
    lesson.date, lesson.starts_at, lesson.ends_at = new_date, new_start, new_end
    lesson.hours = Lesson.hours_between(new_start, new_end)
    if room != "unchanged":
        lesson.room = room
    lesson.save()
    if moved or room_changed:
        notices.lesson_moved(lesson)
    return lesson


@transaction.atomic
def lesson_cancel(*, lesson: Lesson) -> Lesson:
    """Cancel a lesson and tell the cycle's students. Cancelling twice changes nothing."""
    lesson = (
        Lesson.objects.select_for_update(of=("self",))
        .select_related("cycle__school", "cycle__venue")
        .get(pk=lesson.pk)
    )
    if lesson.status == Lesson.Status.CANCELLED:
        return lesson
    if lesson.attendance.exists():
        raise ConflictError(_("This lesson already has attendance; it was held."))
    lesson.status = Lesson.Status.CANCELLED
    lesson.save(update_fields=["status"])
    notices.lesson_cancelled(lesson)
    return lesson


@transaction.atomic
def lesson_update(*, lesson: Lesson, topic: str | None = None, status: str | None = None) -> Lesson:
    """Record the topic covered, or mark the lesson held (or back to scheduled)."""
    if status == Lesson.Status.CANCELLED:
        return lesson_cancel(lesson=lesson)
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    if status is not None and status != lesson.status:
        if lesson.status == Lesson.Status.CANCELLED:
            raise ConflictError(_("A cancelled lesson cannot be reopened; add a new one instead."))
        lesson.status = status
    if topic is not None:
        lesson.topic = topic
    lesson.full_clean()
    lesson.save()
    return lesson


# -- enrollment ---------------------------------------------------------------------------------


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


def _lock_cycle(cycle: Cycle) -> Cycle:
    # Every change of seats takes the cycle's row lock first: enrollments, withdrawals and
    # promotions in one cycle happen one after another, never interleaved.
    return Cycle.objects.select_for_update().select_related("school", "level").get(pk=cycle.pk)


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
    today = today or school_today(cycle.school)
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
    enrolled = cycle.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
    # Nobody jumps the queue: while anyone waits, a free seat (after a capacity rise) is the
    # coordinator's to give by promotion, and newcomers join the end of the waitlist.
    waiting = cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED).exists()
    if enrolled < cycle.capacity and not waiting:
        return Enrollment.objects.create(
            student=student, cycle=cycle, status=Enrollment.Status.ENROLLED
        )
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
    return enrollment


@transaction.atomic
def enrollment_withdraw(
    *, enrollment: Enrollment, reason: str, today: dt.date | None = None
) -> Enrollment:
    """Withdraw a student with a reason.

    1. Lock the cycle, then re-read the enrollment under the lock.
    2. Record the reason and the exit date; leave the waitlist if waiting.
    3. A freed seat goes to the first on the waitlist, who is told.
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
    today = today or school_today(cycle.school)
    was_enrolled = enrollment.status == Enrollment.Status.ENROLLED
    position = enrollment.waitlist_position
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.waitlist_position = None
    enrollment.withdrawal_reason = reason[:300]
    if enrollment.entry_date is not None:
        enrollment.exit_date = max(today, enrollment.entry_date)
    enrollment.save()
    if position is not None:
        _close_waitlist_gap(cycle, position)
    if was_enrolled and cycle.ends_on >= today:
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
    enrolled = cycle.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
    if enrolled >= cycle.capacity:
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
    by_id = {e.pk: e for e in waiting}
    cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED).update(
        waitlist_position=F("id") + PARKING
    )
    for position, pk in enumerate(order, start=1):
        by_id[pk].waitlist_position = position
    Enrollment.objects.bulk_update(waiting, ["waitlist_position"])
    return [by_id[pk] for pk in order]


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
    today = today or school_today(cycle.school)
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
    summary["waitlist_closed"] = cycle.enrollments.filter(
        status=Enrollment.Status.WAITLISTED
    ).update(
        status=Enrollment.Status.WITHDRAWN,
        waitlist_position=None,
        withdrawal_reason=_("The cycle ended before a seat came free."),
    )
    return summary


@transaction.atomic
def cycle_cancel(*, cycle: Cycle) -> Cycle:
    cycle = _lock_cycle(cycle)
    if cycle.cancelled_at is None:
        cycle.cancelled_at = timezone.now()
        cycle.save(update_fields=["cancelled_at"])
    return cycle


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
        decided_on=decided_on or school_today(student.school),
        note=note,
    )
    decision.full_clean()
    decision.save()
    return decision


# -- attendance ---------------------------------------------------------------------------------


@transaction.atomic
def attendance_save(
    *,
    lesson: Lesson,
    marks: Sequence[tuple[int, str]],
    by: User,
    topic: str | None = None,
    now: dt.datetime | None = None,
) -> Lesson:
    """Record a lesson's marks all at once: all or nothing, and sending them twice is harmless.

    1. Lock the lesson. A cancelled lesson, or one that has not started, takes no attendance.
    2. A lesson older than the school's correction window needs a coordinator.
    3. Every mark names an enrollment of this cycle (not a waitlisted one), once, with a
       known status; one bad mark refuses them all.
    4. Write only the marks that changed, each with its history (who, when, before, after).
    5. Record the topic covered and the teacher who took it. The lesson is held once every
       enrolled student has a mark; until then it keeps waiting for attendance, so the
       teacher finds it again on their page (and a half-taken roster counts in no figure).
    6. Entry dates follow the first lesson each student attended.
    """
    lesson = (
        Lesson.objects.select_for_update(of=("self",))
        .select_related("cycle__school")
        .get(pk=lesson.pk)
    )
    school = lesson.cycle.school
    if lesson.status == Lesson.Status.CANCELLED:
        raise ConflictError(_("This lesson was cancelled; it takes no attendance."))
    now = now or timezone.now()
    starts = dt.datetime.combine(lesson.date, lesson.starts_at, tzinfo=school.zone)
    if starts > now:
        raise ConflictError(_("This lesson has not started yet."))
    local_today = timezone.localdate(now, timezone=school.zone)
    if (
        local_today - lesson.date
    ).days > school.attendance_edit_days and by.role != Role.COORDINATOR:
        raise PermissionDenied(
            _("Attendance older than %(days)s days is corrected by a coordinator.")
            % {"days": school.attendance_edit_days}
        )

    allowed = dict(
        Enrollment.objects.filter(cycle_id=lesson.cycle_id)
        .exclude(status=Enrollment.Status.WAITLISTED)
        .values_list("pk", "status")
    )
    errors: list[str] = []
    wanted: dict[int, str] = {}
    for enrollment_id, status in marks:
        if enrollment_id not in allowed:
            errors.append(
                _("Enrollment %(id)s is not on this lesson's roster.") % {"id": enrollment_id}
            )
        elif status not in Attendance.Status.values:
            errors.append(_("%(status)s is not an attendance mark.") % {"status": str(status)[:20]})
        elif enrollment_id in wanted:
            errors.append(_("Enrollment %(id)s is marked twice.") % {"id": enrollment_id})
        else:
            wanted[enrollment_id] = status
    if errors:
        raise ValidationError({"marks": errors})

    existing = {
        a.enrollment_id: a
        for a in Attendance.objects.filter(lesson=lesson, enrollment_id__in=wanted)
    }
    changed = [a for eid, a in existing.items() if a.status != wanted[eid]]
    for attendance in changed:
        attendance.status = wanted[attendance.enrollment_id]
        attendance.marked_by = by
        attendance.marked_at = now
    new = [
        Attendance(enrollment_id=eid, lesson=lesson, status=status, marked_by=by, marked_at=now)
        for eid, status in wanted.items()
        if eid not in existing
    ]
    if changed:
        bulk_update_with_history(
            changed,
            Attendance,
            ["status", "marked_by", "marked_at"],
            default_user=by,
            default_date=now,
        )
    if new:
        bulk_create_with_history(new, Attendance, default_user=by, default_date=now)

    # One statement, whatever changed: held when nobody enrolled is left unmarked (a held
    # lesson stays held: a student enrolled later does not reopen it), the topic, and the
    # teacher who took it.
    unmarked = (
        Enrollment.objects.filter(cycle_id=lesson.cycle_id, status=Enrollment.Status.ENROLLED)
        .exclude(attendance__lesson=lesson)
        .count()
    )
    if unmarked == 0:
        lesson.status = Lesson.Status.HELD
    updates: dict[str, Any] = {"status": lesson.status}
    if topic is not None:
        updates["topic"] = topic.strip()[:300]
    if by.role == Role.TEACHER:
        updates["teacher"] = Subquery(Teacher.objects.filter(user_id=by.pk).values("pk")[:1])
    Lesson.objects.filter(pk=lesson.pk).update(**updates)
    lesson.topic = updates.get("topic", lesson.topic)
    lesson.unmarked_count = unmarked  # type: ignore[attr-defined]

    touched = [a.enrollment_id for a in changed] + [a.enrollment_id for a in new]
    if touched:
        first_attended = (
            Attendance.objects.filter(
                enrollment=OuterRef("pk"), status__in=["present", "late"], lesson__status="held"
            )
            .order_by("lesson__date")
            .values("lesson__date")[:1]
        )
        Enrollment.objects.filter(pk__in=touched).update(entry_date=Subquery(first_attended))
    return lesson
