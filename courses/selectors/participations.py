"""Reads of operations and participations: who sees them (the office of their school), and the
participations list with their entry answers, exits and follow-up in a fixed number of
queries; which lack entry or exit answers."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from courses.services.questionnaires import REMINDER_KIND
from notifications.models import Notification
from school.choices import Role
from school.models import EntryAnswers, Exit, Operation, Participation, User
from school.models.participation import EXIT_ANSWER_DAYS
from school.scoping import Scope, of_school, visible_to

OPERATIONS = Scope(Operation, dict.fromkeys(Role.OFFICE, of_school()))
# Funder's data: the office of the school only (teachers and students see none of it).
PARTICIPATIONS = Scope(Participation, dict.fromkeys(Role.OFFICE, of_school("operation__school")))


def operations_visible_to(*, user: User) -> QuerySet[Operation]:
    return visible_to(user, OPERATIONS)


def participations_visible_to(*, user: User) -> QuerySet[Participation]:
    return visible_to(user, PARTICIPATIONS)


def exits_unanswered() -> Q:
    """Exits that end their participation (no re-entry after them) without answers given on
    or after them and within 4 weeks."""
    return Q(date__gte=F("participation__last_entry_date")) & (
        Q(answered_on__isnull=True)
        | Q(answered_on__lt=F("date"))
        | Q(answered_on__gt=F("date") + dt.timedelta(days=EXIT_ANSWER_DAYS))
    )


def participation_list(*, user: User) -> QuerySet[Participation]:
    """Three queries a page: the count, the participations with their entry answers, and their
    exits with each one's follow-up."""
    return (
        participations_visible_to(user=user)
        .select_related("entry_answers")
        .prefetch_related(
            Prefetch("exits", queryset=Exit.objects.select_related("follow_up").order_by("date"))
        )
        .order_by("operation_id", "student_id", "pk")
    )


def participations_missing(queryset: QuerySet[Participation], what: str) -> QuerySet[Participation]:
    """``entry``: entered without entry answers. ``exit``: left (an exit) without answers on
    time about it."""
    if what == "entry":
        return queryset.filter(entry_date__isnull=False).exclude(
            Exists(EntryAnswers.objects.filter(participation=OuterRef("pk")))
        )
    return queryset.filter(
        Exists(Exit.objects.filter(exits_unanswered(), participation=OuterRef("pk")))
    )


# -- completeness ---------------------------------------------------------------------------------


@dataclass
class Missing:
    """A participant lacking answers, with the reminders they were sent."""

    participation: Participation
    exit: Exit | None = None
    closes_on: dt.date | None = None
    reminders: list[Any] = field(default_factory=list)


@dataclass
class Completeness:
    operation: Operation
    cycle: Any
    lacking_entry: list[Missing]
    lacking_exit: list[Missing]
    closing_this_week: list[Missing]


def completeness(
    *, operation: Operation, today: dt.date, cycle_id: int | None = None
) -> Completeness:
    """Who in the operation (or one of its cycles) lacks entry answers or exit answers on time,
    the exit questionnaires closing within the week, and the reminders each was sent. Four
    queries, however many participants."""
    participations = Participation.objects.filter(operation=operation, entry_date__isnull=False)
    cycle = None
    if cycle_id is not None:
        cycle = operation.cycles.filter(pk=cycle_id).first()  # type: ignore[attr-defined]
        participations = participations.filter(student__enrollments__cycle_id=cycle_id)
    lacking_entry = [
        Missing(p)
        for p in participations_missing(participations, "entry")
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "pk")
        .distinct()
    ]
    exits = (
        Exit.objects.filter(exits_unanswered(), participation__in=participations)
        .select_related("participation__student")
        .order_by("date", "pk")
        .distinct()
    )
    lacking_exit, closing = [], []
    week = today + dt.timedelta(days=7)
    for exit_ in exits:
        closes_on = exit_.date + dt.timedelta(days=EXIT_ANSWER_DAYS)
        missing = Missing(exit_.participation, exit_, closes_on)
        lacking_exit.append(missing)
        if exit_.answered_on is None and today <= closes_on <= week:
            closing.append(missing)
    everyone = lacking_entry + lacking_exit
    sent: dict[int, list[Any]] = {}
    for reminder in Notification.objects.filter(
        student_id__in={m.participation.student_id for m in everyone},
        kind=REMINDER_KIND,  # the reminders, not the first sending
    ).order_by("due_at", "pk"):
        sent.setdefault(reminder.student_id or 0, []).append(reminder)
    for missing in everyone:
        missing.reminders = sent.get(missing.participation.student_id, [])
    return Completeness(operation, cycle, lacking_entry, lacking_exit, closing)
