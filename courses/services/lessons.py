"""Lessons: generated from the timetable (skipping Sundays, public holidays and closures),
moved, cancelled, their topic recorded."""

import datetime as dt
from collections import defaultdict
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses import notices
from courses.calendar import Slot, meeting_days, public_holidays
from courses.models import LATEST_LESSON_END, Closure, Cycle, Lesson
from courses.services.timetable import MAX_HOURS_A_DAY, SUNDAY
from school.errors import ConflictError
from school.models import Room


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
    today = today or cycle.school.today()
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
