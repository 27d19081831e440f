"""The weekly timetable's rules (DOMAIN.md §3): at most 4 teaching hours a day, ending by
22:00, no Sundays, no overlaps."""

import itertools
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from courses.calendar import Slot
from courses.models import LATEST_LESSON_END, Lesson, TimetableSlot

MAX_HOURS_A_DAY = Decimal(4)
SUNDAY = 6


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
