"""Data-subject rights across the apps: everything held about one student, and anonymising it.

``school`` is the ground floor and knows nothing of cycles or exams, so each app that holds a
student's data registers a part here from its ``AppConfig.ready()``: how to export its rows, how
to strip the personal data from them, and which of its dates an age is taken on (so a coarsened
date of birth leaves every age band where it was).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from school.models import EntryAnswers, EntrySpecialCategory, Exit, FollowUp, Participation, Student

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Part:
    name: str
    export: Callable[[Student], Rows]
    anonymise: Callable[[Student], None] | None = None
    age_dates: Callable[[Student], list[dt.date]] | None = None


PARTS: dict[str, Part] = {}


def rows_of(values: Iterable[Any]) -> Rows:
    """The rows of a ``.values()`` query as plain dicts."""
    return [dict(row) for row in values]


def register(part: Part) -> None:
    PARTS[part.name] = part


def parts() -> list[Part]:
    return list(PARTS.values())


# -- the funder's answers (this app's own part) ---------------------------------------------------
# One table each, like the other parts; the special-category answers given at entry are added by
# ``student_export`` only for a reader allowed to see them.


def _export_participations(student: Student) -> Rows:
    return rows_of(
        Participation.objects.filter(student=student)
        .order_by("entry_date")
        .values("id", "operation__code", "entry_date", "last_entry_date")
    )


def _export_entry_answers(student: Student) -> Rows:
    return rows_of(
        EntryAnswers.objects.filter(participation__student=student)
        .order_by("participation_id")
        .values()
    )


def _export_exits(student: Student) -> Rows:
    return rows_of(Exit.objects.filter(participation__student=student).order_by("date").values())


def _export_follow_ups(student: Student) -> Rows:
    return rows_of(
        FollowUp.objects.filter(exit__participation__student=student)
        .order_by("answered_on")
        .values()
    )


def special_category_entries(student: Student) -> Rows:
    """The special-category answers given at entry, per participation (for an allowed reader)."""

    return rows_of(
        EntrySpecialCategory.objects.filter(participation__student=student)
        .order_by("participation_id")
        .values()
    )


register(Part("participations", _export_participations))
register(Part("entry_answers", _export_entry_answers))
register(Part("exits", _export_exits))
register(Part("follow_ups", _export_follow_ups))
