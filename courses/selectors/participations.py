"""Reads of operations and participations: who sees them (the office of their school), and the
participations list with their entry answers, exits and follow-up in a fixed number of
queries; which lack entry or exit answers."""

import datetime as dt

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

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
    """Exits without answers given on or after them and within 4 weeks."""
    return (
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
