"""Everything that writes cycles, lessons, enrollments and attendance."""

from django.db import transaction

from courses.calendar import Slot, meeting_days
from courses.models import Closure, Cycle, Lesson


@transaction.atomic
def lessons_generate(*, cycle: Cycle) -> list[Lesson]:
    """Create the cycle's lessons from its weekly timetable between its dates.

    1. Work out the meeting days: the timetable's weekdays, skipping Sundays, the public holidays
       of the school's country and the school's closures.
    2. Create the lessons that do not exist yet; running it again changes nothing.
    3. Return all the cycle's lessons in order.
    """
    cycle = Cycle.objects.select_for_update().select_related("school").get(pk=cycle.pk)
    slots = [Slot(s.weekday, s.starts_at, s.ends_at) for s in cycle.timetable.all()]
    closures = Closure.objects.filter(
        school_id=cycle.school_id, ends_on__gte=cycle.starts_on, starts_on__lte=cycle.ends_on
    ).values_list("starts_on", "ends_on")
    existing = set(cycle.lessons.values_list("date", "starts_at"))
    new = [
        Lesson(
            cycle=cycle,
            date=day,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            hours=Lesson.hours_between(slot.starts_at, slot.ends_at),
            room=cycle.room,
        )
        for day, slot in meeting_days(
            starts_on=cycle.starts_on,
            ends_on=cycle.ends_on,
            slots=slots,
            country=str(cycle.school.country),
            closures=list(closures),
        )
        if (day, slot.starts_at) not in existing
    ]
    Lesson.objects.bulk_create(new)
    return list(cycle.lessons.order_by("date", "starts_at"))
