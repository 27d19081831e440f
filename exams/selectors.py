"""Everything that reads exams with a shape: eligibility, pass rates, the dashboard's figures."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, ExtractDay, ExtractMonth, ExtractYear
from django_countries import countries

from courses.models import Cycle, Enrollment
from exams.models import ExamRegistration, ExamResult, ExamRound, PassRateCell, SkillScore
from school.choices import Gender, Role
from school.models import Student, User
from school.scoping import Scope, both, of_school, of_user, visible_to

Breakdown = PassRateCell.Breakdown
AGE_BANDS = [
    (0, 18, "<18"),
    (18, 25, "18-24"),
    (25, 35, "25-34"),
    (35, 45, "35-44"),
    (45, 55, "45-54"),
    (55, 200, "55+"),
]


def _age_at_exam() -> Any:
    """Age on the exam day, in SQL: years between, less one before the birthday."""
    born = "registration__student__date_of_birth"
    exam = "registration__exam_round__exam_date"
    before_birthday = Q(born_month__gt=F("exam_month")) | Q(
        born_month=F("exam_month"), born_day__gt=F("exam_day")
    )
    return Case(
        When(before_birthday, then=F("exam_year") - F("born_year") - 1),
        default=F("exam_year") - F("born_year"),
        output_field=IntegerField(),
    ), {
        "born_year": ExtractYear(born),
        "born_month": ExtractMonth(born),
        "born_day": ExtractDay(born),
        "exam_year": ExtractYear(exam),
        "exam_month": ExtractMonth(exam),
        "exam_day": ExtractDay(exam),
    }


def _key_and_label(breakdown: str) -> tuple[dict[str, Any], Any, Any]:
    """(annotations needed first, the group key, the group label) of a breakdown, as SQL."""
    text = CharField()
    if breakdown == Breakdown.EXAM_ROUND:
        return {}, Cast("registration__exam_round_id", text), F("registration__exam_round__name")
    if breakdown == Breakdown.LEVEL:
        code = F("registration__exam_round__scheme__level__code")
        return {}, code, code
    if breakdown == Breakdown.CYCLE:
        return (
            {},
            Coalesce(Cast("registration__cycle_id", text), Value("none")),
            Coalesce(F("registration__cycle__code"), Value("—")),
        )
    if breakdown == Breakdown.TEACHER:
        # A candidate counts once under each teacher of the cycle that prepared them.
        teacher = "registration__cycle__teachers"
        return (
            {},
            Coalesce(Cast(f"{teacher}__id", text), Value("none")),
            Coalesce(
                Concat(f"{teacher}__user__first_name", Value(" "), f"{teacher}__user__last_name"),
                Value("—"),
            ),
        )
    if breakdown == Breakdown.NATIONALITY:
        code = F("registration__student__nationality")
        return {}, code, code
    if breakdown == Breakdown.GENDER:
        gender = F("registration__student__gender")
        return {}, gender, gender
    if breakdown == Breakdown.AGE_BAND:
        age, parts = _age_at_exam()
        # Upper bounds only, in order: the first that holds wins, so the age is worked out once
        # per band tried rather than twice.
        band = Case(
            When(registration__student__date_of_birth__isnull=True, then=Value("unknown")),
            *[When(age__lt=high, then=Value(name)) for _low, high, name in AGE_BANDS],
            default=Value("unknown"),
        )
        return {**parts, "age": age}, band, band
    raise ValueError(f"unknown breakdown {breakdown}")


def _pretty_label(breakdown: str, label: str) -> str:
    if breakdown == Breakdown.NATIONALITY:
        return str(countries.name(label) or label or "—")
    if breakdown == Breakdown.GENDER:
        return str(dict(Gender.choices).get(label, label))
    return label


def pass_rate_groups(*, school_id: int, breakdown: str) -> list[dict[str, Any]]:
    """Candidates and passes of a school by exam round and breakdown value: one SQL query."""
    prepare, key, label = _key_and_label(breakdown)
    # Where the label is the key itself, group by the key alone: an expensive expression (the
    # age band) is then worked out once per row, not twice.
    same = label is key
    annotations = {"group_key": key} if same else {"group_key": key, "group_label": label}
    rows = (
        ExamResult.objects.filter(registration__exam_round__school_id=school_id)
        .annotate(**prepare)
        .annotate(**annotations)
        .values("registration__exam_round_id", "registration__exam_round__exam_date", *annotations)
        .annotate(candidates=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
        .order_by()
        # Tuples, not dicts: a breakdown by cycle has tens of thousands of groups.
        .values_list(
            "registration__exam_round_id",
            "registration__exam_round__exam_date",
            "group_key",
            "group_key" if same else "group_label",
            "candidates",
            "passed",
        )
    )
    # Country and gender labels are stored as codes and named in the reader's language on the
    # way out (``_named``): the background task has no reader, so no language.
    return [
        {
            "exam_round_id": round_id,
            "exam_date": exam_date,
            "key": str(group_key or "none"),
            "label": group_label or "—",
            "candidates": candidates,
            "passed": passed,
        }
        for round_id, exam_date, group_key, group_label, candidates, passed in rows
    ]


def _named(by: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if by in (Breakdown.NATIONALITY, Breakdown.GENDER):
        for row in rows:
            row["label"] = _pretty_label(by, "" if row["label"] == "—" else row["label"])
    return rows


def _totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["pass_rate"] = (
            (Decimal(row["passed"]) / Decimal(row["candidates"])).quantize(Decimal("0.0001"))
            if row["candidates"]
            else None
        )
    return rows


def pass_rates(
    *, school_id: int, by: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    """Pass rates from the stored table (worked out by the background task): one query."""
    cells = PassRateCell.objects.filter(school_id=school_id, breakdown=by)
    if start:
        cells = cells.filter(exam_date__gte=start)
    if end:
        cells = cells.filter(exam_date__lte=end)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in cells.values("key", "label")
        .annotate(candidates=Sum("candidates"), passed=Sum("passed"))
        .order_by("label", "key")
    ]
    return _totals(_named(by, rows))


def pass_rates_live(
    *, school_id: int, by: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    """The same figures worked out from the results now (to check the stored table)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for row in pass_rate_groups(school_id=school_id, breakdown=by):
        if (start and row["exam_date"] < start) or (end and row["exam_date"] > end):
            continue
        cell = merged.setdefault(
            (row["key"], row["label"]),
            {"key": row["key"], "label": row["label"], "candidates": 0, "passed": 0},
        )
        cell["candidates"] += row["candidates"]
        cell["passed"] += row["passed"]
    return _totals(_named(by, sorted(merged.values(), key=lambda r: (r["label"], r["key"]))))


# -- eligibility and scoping ---------------------------------------------------------------------


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def preparing_cycle(*, student: Student, exam_round: ExamRound) -> Enrollment | None:
    """The student's completed or current enrollment at the round's level, latest first."""
    return (
        Enrollment.objects.filter(
            student=student,
            cycle__level_id=exam_round.scheme.level_id,
            status__in=[Enrollment.Status.COMPLETED, Enrollment.Status.ENROLLED],
            cycle__starts_on__lte=exam_round.exam_date,
        )
        .select_related("cycle")
        .order_by("-cycle__starts_on", "-pk")
        .first()
    )


# What each role may see (``school.scoping``): the rounds of their school; the registrations of
# their school's rounds, of the students a teacher teaches, or a student's own.
ROUNDS = Scope(ExamRound, dict.fromkeys(Role.ALL, of_school()))


def _taught_by(user: User) -> Q:
    """Registrations of the students of the cycles a teacher teaches (a subquery)."""
    taught = Enrollment.objects.filter(cycle__teachers__user=user)
    return Q(student__in=taught.values("student_id"))


REGISTRATIONS = Scope(
    ExamRegistration,
    {
        Role.COORDINATOR: of_school("exam_round__school"),
        Role.AUDITOR: of_school("exam_round__school"),
        Role.TEACHER: both(of_school("exam_round__school"), _taught_by),
        Role.STUDENT: both(of_school("exam_round__school"), of_user("student__user")),
    },
)


def registrations_visible_to(*, user: User) -> QuerySet[ExamRegistration]:
    return visible_to(user, REGISTRATIONS)


def rounds_visible_to(*, user: User) -> QuerySet[ExamRound]:
    return visible_to(user, ROUNDS)


# -- lists of the API and pages of the office ------------------------------------------------------


def exam_round_list(*, user: User) -> QuerySet[ExamRound]:
    """The rounds the user may see, newest exam first, each with its level, exam type and how
    many are registered: one query."""
    return (
        rounds_visible_to(user=user)
        .select_related("scheme__level", "scheme__exam_type")
        .annotate(registered_count=Count("registrations"))
        .order_by("-exam_date", "pk")
    )


def exam_registration_list(*, user: User) -> QuerySet[ExamRegistration]:
    """The registrations the user may see, with their student: one query."""
    return (
        registrations_visible_to(user=user)
        .select_related("student")
        .order_by("exam_round_id", "pk")
    )


def exam_result_list(*, user: User) -> QuerySet[ExamResult]:
    """The results of the registrations the user may see, with their points per skill: two
    queries."""
    return (
        ExamResult.objects.filter(registration__in=registrations_visible_to(user=user))
        .prefetch_related("scores__skill")
        .order_by("pk")
    )


def rounds_of_school(*, school_id: int) -> QuerySet[ExamRound]:
    """The school's rounds with their level and exam type."""
    return ExamRound.objects.filter(school_id=school_id).select_related(
        "scheme__level", "scheme__exam_type"
    )


def rounds_with_figures(*, school_id: int) -> QuerySet[ExamRound]:
    """The school's rounds, newest exam first, with how many registered, sat (have a result)
    and passed: one query."""
    return (
        rounds_of_school(school_id=school_id)
        .annotate(
            registered=Count("registrations"),
            sat=Count("registrations__result"),
            passed=Count("registrations__result", filter=Q(registrations__result__passed=True)),
        )
        .order_by("-exam_date", "-pk")
    )


@dataclass(frozen=True)
class RoundPage:
    registrations: QuerySet[ExamRegistration]
    cycles: QuerySet[Cycle]


def round_page(*, exam_round: ExamRound) -> RoundPage:
    """A round's registrations (with student, cycle and result) and the school's cycles at its
    level, to register one: a query each."""
    return RoundPage(
        registrations=exam_round.registrations.select_related(
            "student", "cycle", "result"
        ).order_by("student__last_name", "pk"),
        cycles=Cycle.objects.filter(
            school_id=exam_round.school_id, level_id=exam_round.scheme.level_id
        ).order_by("-starts_on", "code"),
    )


@dataclass(frozen=True)
class UpcomingDeadline:
    exam_round: ExamRound
    registered: int
    eligible_not_registered: int


def upcoming_deadlines(*, school_id: int, today: dt.date) -> list[UpcomingDeadline]:
    """Rounds whose registration is still open, with how many eligible students have not
    registered (completed or enrolled at the level, not registered): one query per round,
    and a school has one or two open rounds at a time."""
    result = []
    rounds = ExamRound.objects.filter(
        school_id=school_id, registration_deadline__gte=today
    ).select_related("scheme__level")
    # Rounds often share a deadline: the exam day and the id make the order the same every time.
    for exam_round in rounds.annotate(registered=Count("registrations")).order_by(
        "registration_deadline", "exam_date", "pk"
    ):
        eligible = (
            Enrollment.objects.filter(
                cycle__school_id=school_id,
                cycle__level_id=exam_round.scheme.level_id,
                status__in=[Enrollment.Status.COMPLETED, Enrollment.Status.ENROLLED],
            )
            .exclude(student__exam_registrations__exam_round=exam_round)
            .values("student")
            .distinct()
            .count()
        )
        result.append(UpcomingDeadline(exam_round, exam_round.registered, eligible))  # type: ignore[attr-defined]
    return result


class HeadlinePassRate(NamedTuple):
    passed: int
    sat: int
    rounds: int  # how many rounds the figure covers: two, or fewer while fewer have results


def headline_pass_rate(*, school_id: int) -> HeadlinePassRate:
    """Of the students who sat the school's last two rounds with results, how many passed."""
    last_two = list(
        ExamRound.objects.filter(school_id=school_id, registrations__result__isnull=False)
        .distinct()
        .order_by("-exam_date", "-pk")
        .values_list("pk", flat=True)[:2]
    )
    counts = ExamResult.objects.filter(registration__exam_round__in=last_two).aggregate(
        sat=Count("pk"), passed=Count("pk", filter=Q(passed=True))
    )
    return HeadlinePassRate(counts["passed"], counts["sat"], len(last_two))


def exam_registrations_of_student(*, student: Student) -> list[ExamRegistration]:
    """The student's own exam registrations, newest exam first, each with its round, level,
    result and per-skill scores: two queries."""
    return list(
        ExamRegistration.objects.filter(student=student)
        .select_related("exam_round__scheme__level", "exam_round__scheme__exam_type", "result")
        .prefetch_related(
            Prefetch("result__scores", queryset=SkillScore.objects.select_related("skill"))
        )
        .order_by("-exam_round__exam_date", "pk")
    )
