"""Everything that writes operations and participations (DOMAIN.md §2, "Counting in a reporting
period"): entering an operation, the entry answers frozen at entry and their audited
corrections, exits with their own answers, and the six-month follow-up.

Higher apps call these: courses when a student first attends a cycle of an operation, withdraws
or completes; the questionnaires when a participant (or the office, from a paper form) answers.
``school`` never reads enrollments itself.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from school.choices import Answer, AnswerSource, ExitReason, LabourMarketStatus
from school.errors import ConflictError
from school.models import (
    EntryAnswers,
    EntrySpecialCategory,
    Exit,
    FollowUp,
    Operation,
    Participation,
    School,
    Student,
    User,
)

# The entry answers a questionnaire or a paper form may give (DOMAIN.md §2); gender, date of
# birth and nationality default to the student's record on the entry date.
ENTRY_FIELDS = (
    "gender", "date_of_birth", "nationality", "labour_market_status", "unemployed_months",
    "isced_level", "household_jobless", "household_dependent_children", "household_single_adult",
    "foreign_background", "other_disadvantage", "homeless", "rural_area",
)  # fmt: skip
SPECIAL_FIELDS = ("disability", "minority")
EXIT_FIELDS = ("in_education", "employed", "job_searching")
FOLLOW_UP_FIELDS = ("employed", "improved_situation")
# Yes / no / declined questions: every sensitive one may be declined.
ANSWER_FIELDS = (
    "household_jobless", "household_dependent_children", "household_single_adult",
    "foreign_background", "other_disadvantage", "homeless", *SPECIAL_FIELDS,
)  # fmt: skip
UNEMPLOYED = (LabourMarketStatus.UNEMPLOYED, LabourMarketStatus.LONG_TERM_UNEMPLOYED)

# Continuously unemployed for more than this many months is long-term (DOMAIN.md §2).
LONG_TERM_MONTHS_25_AND_OVER = 12
LONG_TERM_MONTHS_UNDER_25 = 6


def age_on(born: dt.date | None, day: dt.date | None) -> int | None:
    if born is None or day is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def long_term_threshold(age: int | None) -> int:
    """More than this many months unemployed is long-term: 12 from 25, 6 under 25. With no
    known age the stricter 12 applies, so nobody is counted long-term by a guess."""
    return (
        LONG_TERM_MONTHS_UNDER_25 if age is not None and age < 25 else LONG_TERM_MONTHS_25_AND_OVER
    )


def labour_market_status_derive(
    status: str, months: int | None, age: int | None
) -> tuple[str, int | None]:
    """The status to keep, long-term worked out from the months and the age at entry.

    Refused (``ValidationError``): months of unemployment for someone employed or inactive;
    "long-term unemployed" without months or with too few months for the age.
    """
    if status and status not in LabourMarketStatus.values:
        raise ValidationError(
            {"labour_market_status": _("Unknown labour-market status %(s)s.") % {"s": status}}
        )
    if months is not None and months < 0:
        raise ValidationError({"unemployed_months": _("Months cannot be negative.")})
    if status not in UNEMPLOYED:
        if months is not None:
            raise ValidationError(
                {
                    "unemployed_months": _(
                        "Months of unemployment contradict the status: only an unemployed "
                        "participant has them."
                    )
                }
            )
        return status, None
    threshold = long_term_threshold(age)
    if months is None:
        if status == LabourMarketStatus.LONG_TERM_UNEMPLOYED:
            raise ValidationError(
                {
                    "unemployed_months": _(
                        "Long-term unemployment is worked out from the months unemployed: "
                        "give them."
                    )
                }
            )
        return status, None
    if months > threshold:
        return LabourMarketStatus.LONG_TERM_UNEMPLOYED, months
    if status == LabourMarketStatus.LONG_TERM_UNEMPLOYED:
        raise ValidationError(
            {
                "labour_market_status": _(
                    "%(months)s months unemployed is not long-term at %(age)s: more than "
                    "%(threshold)s months are needed."
                )
                % {
                    "months": months,
                    "age": age if age is not None else _("an unknown age"),
                    "threshold": threshold,
                }
            }
        )
    return LabourMarketStatus.UNEMPLOYED, months


# -- operations -------------------------------------------------------------------------------


OPERATION_FIELDS = ("code", "programme_period", "starts_on", "ends_on", "funder")


@transaction.atomic
def operation_create(*, school: School, **fields: Any) -> Operation:
    unknown = set(fields) - set(OPERATION_FIELDS) - {"follow_up_months", "follow_up_window_days"}
    if unknown:
        raise ValueError(f"not operation fields: {sorted(unknown)}")
    operation = Operation(school=school, **fields)
    operation.full_clean()
    operation.save()
    return operation


@transaction.atomic
def operation_update(*, operation: Operation, **fields: Any) -> Operation:
    unknown = set(fields) - set(OPERATION_FIELDS) - {"follow_up_months", "follow_up_window_days"}
    if unknown:
        raise ValueError(f"not operation fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(operation, name, value)
    operation.full_clean()
    operation.save()
    return operation


def operation_for(school: School, day: dt.date | None = None) -> Operation:
    """The operation a new cycle of the school runs under: the one running on ``day`` (the
    latest begun), else the latest; a school without one gets its first from its own operation
    code and programme period."""
    operations = Operation.objects.filter(school=school)
    if day is not None:
        running = (
            operations.filter(starts_on__lte=day)
            .exclude(ends_on__lt=day)
            .order_by("-starts_on", "-pk")
            .first()
        )
        if running is not None:
            return running
    latest = operations.order_by("-starts_on", "-pk").first()
    if latest is not None:
        return latest
    return Operation.objects.create(
        school=school,
        code=school.operation_code or school.name[:50],
        programme_period=school.programme_period,
        starts_on=day or school.today(),
    )


# -- participations and entry -------------------------------------------------------------------


def participation_for(student: Student, operation: Operation) -> Participation:
    """The student's participation in the operation (made on first use)."""
    if student.school_id != operation.school_id:
        raise ValidationError(_("That student is not in the operation's school."))
    participation, _created = Participation.objects.get_or_create(
        student=student, operation=operation
    )
    return participation


@transaction.atomic
def participation_entered(
    *,
    student: Student,
    operation: Operation,
    first_entry: dt.date | None,
    last_entry: dt.date | None,
) -> Participation:
    """Keep the participation's entry dates: the first lesson attended in any cycle of the
    operation, and the latest entry (a re-entry). Called by courses whenever attendance or an
    enrollment changes them.

    On the first entry, when the office has filled the student's entry form (the record's
    ``entry_form_on``), those fields are frozen into the entry answers as of that day; answers
    the participant gives later replace them (``entry_answers_record``).
    """
    participation = participation_for(student, operation)
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    participation.entry_date = first_entry
    participation.last_entry_date = last_entry if first_entry else None
    participation.save(update_fields=["entry_date", "last_entry_date"])
    if (
        first_entry is not None
        and student.entry_form_on is not None
        and not EntryAnswers.objects.filter(participation=participation).exists()
    ):
        _entry_answers_from_record(participation, student)
    return participation


@transaction.atomic(savepoint=False)
def participations_enter(
    entries: Mapping[tuple[int, int], tuple[dt.date | None, dt.date | None]],
) -> None:
    """``participation_entered`` for many at once, in a fixed number of queries:
    ``{(student id, operation id): (first entry, last entry)}``."""
    if not entries:
        return
    students = {student for student, _operation in entries}
    known = {
        (p.student_id, p.operation_id): p
        for p in Participation.objects.filter(student_id__in=students).select_for_update()
    }
    new, changed = [], []
    for (student_id, operation_id), (first, last) in sorted(entries.items()):
        current = known.get((student_id, operation_id))
        last = last if first else None
        if current is None:
            if first is not None:
                new.append(
                    Participation(
                        student_id=student_id,
                        operation_id=operation_id,
                        entry_date=first,
                        last_entry_date=last,
                    )
                )
        elif (current.entry_date, current.last_entry_date) != (first, last):
            current.entry_date, current.last_entry_date = first, last
            changed.append(current)
    if changed:
        Participation.objects.bulk_update(changed, ["entry_date", "last_entry_date"])
    if not new:
        return
    Participation.objects.bulk_create(new)
    created = Participation.objects.filter(
        student_id__in={p.student_id for p in new},
        operation_id__in={p.operation_id for p in new},
        entry_answers__isnull=True,
    ).select_related("student__special_category", "student__school")
    answers, special = [], []
    for participation in created:
        student = participation.student
        if student.entry_form_on is None or participation.entry_date is None:
            continue
        entry, extra = _answers_from_record(participation, student)
        answers.append(entry)
        if extra is not None:
            special.append(extra)
    EntryAnswers.objects.bulk_create(answers)
    EntrySpecialCategory.objects.bulk_create(special)


def record_answers(student: Student) -> dict[str, Any]:
    """The student record's entry-form fields, as entry answers."""
    answers = {name: getattr(student, name) for name in ENTRY_FIELDS}
    answers["nationality"] = str(student.nationality or "")
    return answers


def _answers_from_record(
    participation: Participation, student: Student
) -> tuple[EntryAnswers, EntrySpecialCategory | None]:
    answers = record_answers(student)
    age = age_on(student.date_of_birth, participation.entry_date)
    try:
        status, months = labour_market_status_derive(
            answers["labour_market_status"], answers["unemployed_months"], age
        )
    except ValidationError:
        # A contradiction in the record is not frozen: the status stays unknown until the
        # participant or the office answers.
        status, months = "", None
    answers.update(labour_market_status=status, unemployed_months=months)
    entry = EntryAnswers(
        participation=participation,
        answered_on=student.entry_form_on or participation.entry_date or student.school.today(),
        source=AnswerSource.RECORD,
        **answers,
    )
    special = getattr(student, "special_category", None)
    if special is None or not (special.disability or special.minority):
        return entry, None
    return entry, EntrySpecialCategory(
        participation=participation,
        disability=special.disability,
        disability_asked_on=special.disability_asked_on,
        minority=special.minority,
        minority_asked_on=special.minority_asked_on,
    )


def _entry_answers_from_record(participation: Participation, student: Student) -> None:
    entry, special = _answers_from_record(participation, student)
    entry.save()
    if special is not None:
        special.save()


def _check_answered_on(answered_on: dt.date, school: School) -> None:
    if answered_on > school.today():
        raise ValidationError({"answered_on": _("Answers cannot be dated in the future.")})


def _clean_entry(
    participation: Participation, answers: Mapping[str, Any], *, answered_on: dt.date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split and check entry answers: (the entry fields, the special-category fields)."""
    unknown = set(answers) - set(ENTRY_FIELDS) - set(SPECIAL_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Not an entry question.")] for name in sorted(unknown)})
    for name in ANSWER_FIELDS:
        value = answers.get(name, "")
        if value not in ("", *Answer.values):
            raise ValidationError({name: _("Answer yes, no or declined.")})
    fields = {name: answers[name] for name in ENTRY_FIELDS if name in answers}
    special = {name: answers[name] for name in SPECIAL_FIELDS if name in answers}
    return fields, special


def _derive(entry: EntryAnswers, participation: Participation) -> None:
    age = age_on(entry.date_of_birth, participation.entry_date or entry.answered_on)
    entry.labour_market_status, entry.unemployed_months = labour_market_status_derive(
        entry.labour_market_status or "", entry.unemployed_months, age
    )


def _save_special(participation: Participation, special: dict[str, Any], asked_on: dt.date) -> None:
    if not special:
        return
    row, _created = EntrySpecialCategory.objects.get_or_create(participation=participation)
    for name, value in special.items():
        setattr(row, name, value or "")
        setattr(row, f"{name}_asked_on", asked_on if value else None)
    row.full_clean()
    row.save()


@transaction.atomic
def entry_answers_record(
    participation: Participation,
    answers: Mapping[str, Any],
    *,
    source: str = AnswerSource.PARTICIPANT,
    consent_version: str = "",
    answered_on: dt.date,
    by: User | None = None,
) -> EntryAnswers:
    """Keep the participant's entry answers, as of the entry date.

    1. Only once: answers the participant or a paper form already gave are changed only by
       ``entry_answers_correct`` (409); answers frozen from the student's record are replaced.
    2. No answer dated in the future; each yes/no question may be "declined".
    3. Gender, date of birth and nationality default to the student's record.
    4. Long-term unemployment is worked out from the months and the age at entry; a
       contradiction is refused (400).
    5. Disability and minority go to their own table, with when they were asked.
    """
    if source not in (AnswerSource.PARTICIPANT, AnswerSource.PAPER):
        raise ValidationError({"source": _("Answers come from the participant or a paper form.")})
    participation = (
        Participation.objects.select_for_update()
        .select_related("student", "operation__school")
        .get(pk=participation.pk)
    )
    _check_answered_on(answered_on, participation.operation.school)
    existing = EntryAnswers.objects.filter(participation=participation).first()
    if existing is not None and existing.source != AnswerSource.RECORD:
        raise ConflictError(
            _("The entry answers are already recorded; correct them with a reason instead.")
        )
    fields, special = _clean_entry(participation, answers, answered_on=answered_on)
    student = participation.student
    entry = existing or EntryAnswers(participation=participation)
    for name in ENTRY_FIELDS:
        if name in fields and fields[name] is not None:
            setattr(entry, name, fields[name])
        elif name in ("gender", "date_of_birth", "nationality"):
            setattr(entry, name, getattr(student, name))
        else:
            setattr(entry, name, _blank(name))
    entry.answered_on = answered_on
    entry.source = source
    entry.consent_version = consent_version
    entry.recorded_by = by
    _derive(entry, participation)
    entry.full_clean(exclude=["participation"])
    entry._history_user = by  # type: ignore[attr-defined]
    entry.save()
    _save_special(participation, special, answered_on)
    return entry


def _blank(name: str) -> Any:
    field = EntryAnswers._meta.get_field(name)
    return None if field.null else ""


@transaction.atomic
def entry_answers_correct(
    participation: Participation,
    answers: Mapping[str, Any],
    *,
    reason: str,
    by: User | None = None,
) -> EntryAnswers:
    """Correct a mistake in the entry answers, naming the reason; the history keeps who, when,
    what and why. Only the given fields change; the rules of ``entry_answers_record`` apply."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entry answers are corrected.")})
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    entry = EntryAnswers.objects.filter(participation=participation).first()
    if entry is None:
        raise ConflictError(_("There are no entry answers to correct yet."))
    fields, special = _clean_entry(participation, answers, answered_on=entry.answered_on)
    for name, value in fields.items():
        setattr(entry, name, value if value is not None else _blank(name))
    _derive(entry, participation)
    entry.full_clean(exclude=["participation"])
    entry._history_user = by  # type: ignore[attr-defined]
    entry._change_reason = reason[:100]  # type: ignore[attr-defined]
    entry.save()
    if special:
        row, _created = EntrySpecialCategory.objects.get_or_create(participation=participation)
        for name, value in special.items():
            setattr(row, name, value or "")
            setattr(
                row,
                f"{name}_asked_on",
                (getattr(row, f"{name}_asked_on") or entry.answered_on) if value else None,
            )
        row.full_clean()
        row._history_user = by  # type: ignore[attr-defined]
        row._change_reason = reason[:100]  # type: ignore[attr-defined]
        row.save()
    return entry


# -- exits and the follow-up --------------------------------------------------------------------


@transaction.atomic
def exit_record(
    participation: Participation, *, date: dt.date, reason: str, by: User | None = None
) -> Exit:
    """An exit of the participation on ``date`` (one a day: the same day again updates its
    reason). Never before the entry date."""
    if reason not in ExitReason.values:
        raise ValidationError({"reason": _("Unknown exit reason %(r)s.") % {"r": reason}})
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    if participation.entry_date is None:
        raise ConflictError(_("A student who never attended has not entered, so cannot exit."))
    if date < participation.entry_date:
        raise ValidationError({"date": _("An exit cannot come before the entry date.")})
    exit_, created = Exit.objects.get_or_create(
        participation=participation, date=date, defaults={"reason": reason, "recorded_by": by}
    )
    if not created and exit_.reason != reason:
        exit_.reason = reason
        exit_._history_user = by  # type: ignore[attr-defined]
        exit_.save(update_fields=["reason"])
    return exit_


@transaction.atomic
def exit_answers_record(
    exit: Exit,
    answers: Mapping[str, Any],
    *,
    answered_on: dt.date,
    source: str = AnswerSource.PARTICIPANT,
    consent_version: str = "",
    by: User | None = None,
) -> Exit:
    """Keep the answers about one exit (in education or training, employed, job searching).

    Dated in the future: refused. Given before the exit or more than 4 weeks after it: kept
    and marked late (``Exit.late``), never counted "upon leaving". Once answered, an exit's
    answers are not replaced (409).
    """
    unknown = set(answers) - set(EXIT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Not an exit question.")] for name in sorted(unknown)})
    exit_ = (
        Exit.objects.select_for_update()
        .select_related("participation__operation__school")
        .get(pk=exit.pk)
    )
    _check_answered_on(answered_on, exit_.participation.operation.school)
    if exit_.answered_on is not None:
        raise ConflictError(_("This exit's answers are already recorded."))
    if source not in (AnswerSource.PARTICIPANT, AnswerSource.PAPER):
        raise ValidationError({"source": _("Answers come from the participant or a paper form.")})
    for name in EXIT_FIELDS:
        value = answers.get(name)
        if value is not None and not isinstance(value, bool):
            raise ValidationError({name: _("Answer yes or no.")})
        setattr(exit_, name, value)
    exit_.answered_on = answered_on
    exit_.source = source
    exit_.consent_version = consent_version
    exit_.recorded_by = by
    exit_._history_user = by  # type: ignore[attr-defined]
    exit_.save()
    return exit_


@transaction.atomic
def follow_up_record(
    exit: Exit,
    answers: Mapping[str, Any],
    *,
    answered_on: dt.date,
    source: str = AnswerSource.PARTICIPANT,
    consent_version: str = "",
    by: User | None = None,
) -> FollowUp:
    """The six-month follow-up of one exit (employed; in a better labour-market situation).
    Counted when given within the operation's window around exit + 6 months; dated in the
    future or before the exit: refused."""
    unknown = set(answers) - set(FOLLOW_UP_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Not a follow-up question.")] for name in sorted(unknown)})
    exit_ = Exit.objects.select_related("participation__operation__school").get(pk=exit.pk)
    _check_answered_on(answered_on, exit_.participation.operation.school)
    if answered_on < exit_.date:
        raise ValidationError({"answered_on": _("A follow-up comes after the exit.")})
    if source not in (AnswerSource.PARTICIPANT, AnswerSource.PAPER):
        raise ValidationError({"source": _("Answers come from the participant or a paper form.")})
    if FollowUp.objects.filter(exit=exit_).exists():
        raise ConflictError(_("This exit's follow-up is already recorded."))
    values = {}
    for name in FOLLOW_UP_FIELDS:
        value = answers.get(name)
        if value is not None and not isinstance(value, bool):
            raise ValidationError({name: _("Answer yes or no.")})
        values[name] = value
    follow_up = FollowUp(
        exit=exit_,
        answered_on=answered_on,
        source=source,
        consent_version=consent_version,
        recorded_by=by,
        **values,
    )
    follow_up._history_user = by  # type: ignore[attr-defined]
    follow_up.save()
    return follow_up


def follow_up_counts(exit: Exit, answered_on: dt.date) -> bool:
    """Whether a follow-up answered on that day falls in the operation's window."""
    operation = exit.participation.operation
    due = operation.follow_up_due(exit.date)
    return abs((answered_on - due).days) <= operation.follow_up_window_days
