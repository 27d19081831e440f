"""What the coordinator sees of the way in: the applicants' queue and the monthly funnel.

Applicants are seen by their school's coordinators only: not by teachers, auditors or
students (they have not joined; nothing of theirs is anyone else's business yet).
"""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateTimeField, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from courses.models import Applicant, Availability, Cycle, Enrollment, PlacementSession, SeatOffer
from school.choices import Role
from school.models import School, User
from school.scoping import Scope, of_school, visible_to

APPLICANTS = Scope(Applicant, {Role.COORDINATOR: of_school()})
SESSIONS = Scope(PlacementSession, {Role.COORDINATOR: of_school()})


def applicants_visible_to(*, user: User) -> QuerySet[Applicant]:
    """The user's school's applicants (erased ones too: they keep their place in the counts)
    with what the queue shows of each: referrer, test, level, duplicate and the open offer's
    cycle and time, in one query plus one for the open offers."""
    open_offers = SeatOffer.objects.filter(status=SeatOffer.Status.OPEN).select_related("cycle")
    return (
        visible_to(user, APPLICANTS)
        .select_related("referrer", "session__venue", "placement_level", "duplicate_of")
        .prefetch_related(Prefetch("offers", queryset=open_offers, to_attr="open_offers"))
        .order_by("applied_at", "pk")
    )


def applicants_filtered(
    applicants: QuerySet[Applicant],
    *,
    status: str = "",
    level: str = "",
    referrer: str = "",
    availability: str = "",
) -> QuerySet[Applicant]:
    """The queue's filters: status, placement level (a level code or id), referrer (an id, or
    ``self`` for those who came by themselves) and a time they can come."""
    if status:
        applicants = applicants.filter(status=status)
    if level:
        by = (
            "placement_level_id"
            if level.isascii() and level.isdigit() and len(level) < 19
            else "placement_level__code__iexact"
        )
        applicants = applicants.filter(**{by: level})
    if referrer == "self":
        applicants = applicants.filter(referrer__isnull=True)
    elif referrer.isascii() and referrer.isdigit() and len(referrer) < 19:
        applicants = applicants.filter(referrer_id=int(referrer))
    if availability in Availability.values:
        applicants = applicants.filter(availability__contains=f",{availability},")
    return applicants


def placement_sessions_visible_to(
    *, user: User, upcoming_from: dt.datetime | None = None
) -> QuerySet[PlacementSession]:
    """The school's placement tests with the number invited to each (one query); from
    ``upcoming_from`` on when given."""
    sessions = visible_to(user, SESSIONS).select_related("venue", "school")
    if upcoming_from is not None:
        sessions = sessions.filter(starts_at__gt=upcoming_from)
    return sessions.annotate(
        invited_count=Count("applicants", filter=Q(applicants__status=Applicant.Status.INVITED))
    ).order_by("starts_at", "pk")


# -- the funnel -------------------------------------------------------------------------------

STEPS = ("applied", "tested", "offered", "enrolled", "attended")


@dataclass
class FunnelMonth:
    month: dt.date
    # How many of the month's applicants reached each step (STEPS, in order).
    counts: dict[str, int] = field(default_factory=dict)
    # Median days from one step to the next, for those who made both (None when nobody did).
    median_days: dict[str, float | None] = field(default_factory=dict)

    def steps(self) -> list[tuple[str, int, int | None, float | None]]:
        """(step, how many, how many fewer than the step before, median days from it)."""
        rows: list[tuple[str, int, int | None, float | None]] = []
        before: int | None = None
        for step in STEPS:
            count = self.counts.get(step, 0)
            rows.append(
                (
                    step,
                    count,
                    None if before is None else before - count,
                    self.median_days.get(step),
                )
            )
            before = count
        return rows


def _days(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400


def application_funnel(*, school: School, months: int = 12) -> list[FunnelMonth]:
    """Per month of application, the last ``months`` months: applied -> placement test ->
    offered -> enrolled -> attended a first lesson, with the median days between steps.

    One query: each applicant's step moments (the first lesson is the enrollment's entry
    date, the first lesson attended). Counting happens in the loop over the same rows as the
    medians, which SQLite cannot take in SQL.
    """
    zone = school.zone
    today = timezone.localdate(timezone=zone)
    first = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    since = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    rows = (
        Applicant.objects.filter(school=school, applied_at__gte=since)
        .exclude(status=Applicant.Status.DECLINED, duplicate_of__isnull=False)
        .annotate(month=TruncMonth("applied_at", tzinfo=zone, output_field=DateTimeField()))
        .values_list(
            "month",
            "applied_at",
            "invited_at",
            "placed_at",
            "offered_at",
            "enrolled_at",
            "enrollment__entry_date",
        )
        .order_by("month")
    )
    by_month: dict[dt.date, list[tuple]] = {}
    for month, applied, invited, placed, offered, enrolled, first_day in rows:
        # The placement step is the invitation to a test, or the placement itself for someone
        # placed without one (a level known from elsewhere): every later step passed it.
        tested = invited or placed
        attended = dt.datetime.combine(first_day, dt.time(12), tzinfo=zone) if first_day else None
        by_month.setdefault(month.date(), []).append((applied, tested, offered, enrolled, attended))
    result = []
    for month in sorted(by_month):
        people = by_month[month]
        funnel = FunnelMonth(month=month)
        for index, step in enumerate(STEPS):
            funnel.counts[step] = sum(1 for moments in people if moments[index] is not None)
            if index:
                gaps = [
                    gap
                    for moments in people
                    if (gap := _days(_latest_before(moments, index), moments[index])) is not None
                ]
                funnel.median_days[step] = round(statistics.median(gaps), 1) if gaps else None
        result.append(funnel)
    return result


def _latest_before(moments: tuple, index: int) -> dt.datetime | None:
    # The step before, or the one before that when skipped (placed without a test).
    for earlier in range(index - 1, -1, -1):
        if moments[earlier] is not None:
            return moments[earlier]
    return None


def applications_per_month(*, school: School, months: int = 12) -> list[dict[str, Any]]:
    """Applications per month and referrer (``referrer`` None: came by themselves), in SQL.
    Erased applications count: the row outlives the person."""
    zone = school.zone
    today = timezone.localdate(timezone=zone)
    first = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (
        Applicant.objects.filter(
            school=school, applied_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=zone)
        )
        .exclude(status=Applicant.Status.DECLINED, duplicate_of__isnull=False)
        .annotate(month=TruncMonth("applied_at", tzinfo=zone, output_field=DateTimeField()))
        .values("month", "referrer", "referrer__name")
        .annotate(applications=Count("pk"))
        .order_by("month", "referrer__name")
    )
    return [dict(row) for row in rows]


# -- the coordinator's queue ------------------------------------------------------------------


def applicant_status_counts(applicants: QuerySet[Applicant]) -> dict[str, int]:
    """How many applicants stand at each status (every status, zeros too): one query."""
    counts = dict.fromkeys(Applicant.Status.values, 0)
    rows = (
        applicants.prefetch_related(None)
        .select_related(None)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    counts.update(dict(rows))
    return counts


def placement_sessions_with_seats(
    *, user: User, now: dt.datetime | None = None
) -> list[PlacementSession]:
    """The school's coming placement tests, each with ``free_seats`` (one query)."""
    sessions = list(placement_sessions_visible_to(user=user, upcoming_from=now or timezone.now()))
    for session in sessions:
        session.free_seats = max(session.capacity - session.invited_count, 0)  # type: ignore[attr-defined]
    return sessions


def cycles_to_offer(*, school: School, level_id: int | None) -> list[Cycle]:
    """Cycles of ``level_id`` an applicant may be offered a seat in: not cancelled, not over,
    nobody on their waitlist, and a seat nobody holds (enrolled or offered), with
    ``free_seats``; one query. The service checks all of this again under its lock."""
    if level_id is None:
        return []
    cycles = (
        Cycle.objects.filter(
            school=school, level_id=level_id, cancelled_at__isnull=True, ends_on__gte=school.today()
        )
        .annotate(
            enrolled=Count(
                "enrollments",
                filter=Q(enrollments__status=Enrollment.Status.ENROLLED),
                distinct=True,
            ),
            waiting=Count(
                "enrollments",
                filter=Q(enrollments__status=Enrollment.Status.WAITLISTED),
                distinct=True,
            ),
            held=Count(
                "seat_offers", filter=Q(seat_offers__status=SeatOffer.Status.OPEN), distinct=True
            ),
        )
        .select_related("level", "venue")
        .order_by("starts_on", "code", "pk")
    )
    offered: list[Cycle] = []
    for cycle in cycles:
        cycle.free_seats = cycle.capacity - cycle.enrolled - cycle.held  # type: ignore[attr-defined]
        if cycle.free_seats > 0 and not cycle.waiting:  # type: ignore[attr-defined]
            offered.append(cycle)
    return offered


@dataclass(frozen=True)
class ApplicantChange:
    """One line of an application's history: when, who, the status after, what changed."""

    when: dt.datetime
    who: str
    status: str
    changed: list[str]


def applicant_history(*, applicant: Applicant) -> list[ApplicantChange]:
    """Who did what when to an application, oldest first (one query): each saved version
    with the fields it changed (names, not values: the page need not repeat the data)."""
    records = list(
        applicant.history.select_related("history_user").order_by("history_date", "history_id")  # type: ignore[attr-defined]
    )
    labels = {f.name: str(f.verbose_name) for f in Applicant._meta.concrete_fields}
    statuses = dict(Applicant.Status.choices)
    changes = []
    before = None
    for record in records:
        changed: list[str] = (
            [labels.get(c.field, c.field) for c in record.diff_against(before).changes]
            if before is not None
            else []
        )
        user = record.history_user
        changes.append(
            ApplicantChange(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else "",
                status=str(statuses.get(record.status, record.status)),
                changed=changed,
            )
        )
        before = record
    return changes
