"""Pages that show several apps' data: the frame is here, the apps above fill it.

The student's page and the office dashboard show lessons, attendance and exams, which this app
knows nothing of. It holds the page (the view and its outer template); each app above registers
its parts in its ``AppConfig.ready()``, the way report kinds register (``school.reports``), so
the imports still only point down.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from school.models import School, Student

# What a frame is about: the student on their page, the school on the office dashboard.
Subject = TypeVar("Subject")


@dataclass(frozen=True)
class PagePart(Generic[Subject]):
    """One app's part of a framed page: ``context`` gives the variables its ``template``
    (included in the frame, in ``order``) reads. Every part's variables share the page's
    context, so two parts may not give the same name."""

    name: str
    order: int
    template: str
    context: Callable[[HttpRequest, Subject, dt.date], dict[str, Any]]


class PageFrame(Generic[Subject]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._parts: dict[str, PagePart[Subject]] = {}

    def register(self, part: PagePart[Subject]) -> None:
        self._parts[part.name] = part

    def parts(self) -> list[PagePart[Subject]]:
        return sorted(self._parts.values(), key=lambda part: (part.order, part.name))

    def context(self, request: HttpRequest, subject: Subject, today: dt.date) -> dict[str, Any]:
        """Every part's variables, asked for in the parts' order."""
        merged: dict[str, Any] = {}
        for part in self.parts():
            variables = part.context(request, subject, today)
            clash = merged.keys() & variables.keys()
            if clash:
                raise ImproperlyConfigured(
                    f"{self.name}: part {part.name} gives {sorted(clash)}, given already."
                )
            merged.update(variables)
        return merged


# The student's own page (/me/): their lessons, attendance, exams and calendar link.
STUDENT_PAGE: PageFrame[Student] = PageFrame("student page")
# The coordinator's and auditor's dashboard (/office/).
OFFICE_DASHBOARD: PageFrame[School] = PageFrame("office dashboard")
