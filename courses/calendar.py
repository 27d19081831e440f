"""Which days a cycle can meet: its timetable, minus public holidays and school closures."""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import holidays


@dataclass(frozen=True)
class Slot:
    weekday: int
    starts_at: dt.time
    ends_at: dt.time


@lru_cache(maxsize=64)
def public_holidays(country: str, year: int) -> frozenset[dt.date]:
    """The country's public holidays in a year (Greece: Orthodox Easter Monday, Whit Monday,
    25 March, 28 October ...), from the ``holidays`` package."""
    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except NotImplementedError:
        # A country the package does not know: closures entered by the school still apply.
        return frozenset()


def meeting_days(
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    slots: Iterable[Slot],
    country: str,
    closures: Iterable[tuple[dt.date, dt.date]] = (),
) -> Iterator[tuple[dt.date, Slot]]:
    """Every (date, slot) between two dates, in order, skipping Sundays, holidays and closures."""
    slots_by_weekday: dict[int, list[Slot]] = {}
    for slot in sorted(slots, key=lambda s: (s.weekday, s.starts_at)):
        slots_by_weekday.setdefault(slot.weekday, []).append(slot)
    closed = list(closures)
    day = starts_on
    while day <= ends_on:
        if (
            day.weekday() in slots_by_weekday
            and day.weekday() != 6
            and day not in public_holidays(country, day.year)
            and not any(first <= day <= last for first, last in closed)
        ):
            for slot in slots_by_weekday[day.weekday()]:
                yield day, slot
        day += dt.timedelta(days=1)
