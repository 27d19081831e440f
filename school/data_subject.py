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

from school.models import Student

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
