"""Export of everything held about a student, and anonymisation after the retention period.

DOMAIN.md §4: a participant may ask for all data held about them; after the audit period their
personal data are anonymised while every aggregate figure (ESF indicators, attendance, pass
rates) stays the same.
"""

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from school.data_subject import parts
from school.models import (
    EntryAnswers,
    Participation,
    RetentionPeriod,
    SpecialCategoryData,
    Student,
    User,
)
from school.services import special_category_reads_record
from school.spreadsheets import write_workbook

ANONYMISED_NAME = "Anonymised"

# The student's own fields in an export; the rest (school, user) are shown by name.
PERSONAL_FIELDS = [
    "first_name", "last_name", "first_name_latin", "last_name_latin", "date_of_birth", "phone",
    "email",
]  # fmt: skip


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, dt.date)):
        return value
    return str(value)


def student_record(student: Student) -> dict[str, Any]:
    return {
        field.name: _plain(getattr(student, field.attname))
        for field in Student._meta.concrete_fields
        if field.name not in ("user",)
    } | {"username": student.user.username if student.user else None}


def student_export_data(
    *, student: Student, include_special_category: bool, reader: User | None, via: str
) -> dict[str, Any]:
    """Everything held about one student, part by part.

    Special-category answers are included only when asked for by someone allowed to read them
    (an operator at the shell, or a coordinator holding the permission); a coordinator's read is
    recorded like any other.
    """
    data: dict[str, Any] = {"student": student_record(student)}
    if include_special_category:
        special = SpecialCategoryData.objects.filter(student=student).first()
        data["special_category"] = (
            {
                field.name: _plain(getattr(special, field.attname))
                for field in SpecialCategoryData._meta.concrete_fields
                if field.name != "student"
            }
            if special
            else {}
        )
        if reader is not None:
            special_category_reads_record(user=reader, students=[student], via=via)
    for part in parts():
        data[part.name] = [{k: _plain(v) for k, v in row.items()} for row in part.export(student)]
    data["history"] = [
        {
            "changed_at": row.history_date,
            "change": row.get_history_type_display(),
            "by": str(row.history_user) if row.history_user else None,
        }
        for row in student.history.select_related("history_user").order_by("history_date")  # type: ignore[attr-defined]
    ]
    return data


def student_export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def student_export_xlsx(data: dict[str, Any]) -> bytes:
    """One sheet per part: the student's own record as field/value rows, the rest as tables."""
    sheets: list[tuple[str, list[str], Iterable[Iterable[Any]]]] = [
        ("student", ["field", "value"], [[k, _cell(v)] for k, v in data["student"].items()]),
    ]
    if "special_category" in data:
        sheets.append(
            (
                "special_category",
                ["field", "value"],
                [[k, _cell(v)] for k, v in data["special_category"].items()],
            )
        )
    for name, rows in data.items():
        if name in ("student", "special_category"):
            continue
        headers = list(rows[0]) if rows else ["(none)"]
        sheets.append((name[:31], headers, [[_cell(row.get(h)) for h in headers] for row in rows]))
    return write_workbook(sheets)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def entered_on() -> Coalesce:
    """The day a student entered, for retention: the entry form's date, else when recorded."""
    return Coalesce("entry_form_on", TruncDate("created_at"))


def students_past_retention(*, today: dt.date) -> QuerySet[Student]:
    """Students not yet anonymised whose programme period's records are no longer kept."""
    ended = RetentionPeriod.objects.filter(audit_hold=False, last_payment_on__isnull=False)
    match = Q(pk__in=[])
    for period in ended:
        if period.ends_on is not None and period.ends_on < today:
            match |= Q(
                school_id=period.school_id,
                entered__gte=period.entries_from,
                entered__lte=period.entries_until,
            )
    return (
        Student.objects.filter(anonymised_on__isnull=True).alias(entered=entered_on()).filter(match)
    )


def coarse_date_of_birth(born: dt.date, age_dates: list[dt.date]) -> dt.date:
    """The earliest day of the birth month that gives the same age on every date that matters.

    An age on day ``d`` depends only on whether the birthday has come by ``d``; moving the day
    of birth earlier changes that only for dates in the birth month falling before the real day.
    """
    day = 1
    for when in age_dates:
        if when.month == born.month and when.day < born.day:
            day = max(day, when.day + 1)
    return born.replace(day=day)


@transaction.atomic
def student_anonymise(*, student: Student, today: dt.date) -> Student:
    """Replace a student's personal data; keep what the funder's figures are counted from.

    1. Each app strips its own rows (free-text notes, certificate numbers, message texts).
    2. The name, phone and e-mail go; the date of birth keeps only what the age bands need.
    3. The sign-in account is closed and renamed; the history and admin log lose the name too.
    Gender, nationality, the participant record and special-category answers stay, unlinked
    from the person, because the ESF indicators count them.
    """
    student = Student.objects.select_for_update().get(pk=student.pk)
    age_dates: list[dt.date] = [
        d
        for d in (student.entry_form_on, student.exit_form_on, student.qualification_gained_on)
        if d
    ]
    age_dates.extend(
        day
        for day in Participation.objects.filter(student=student).values_list(
            "entry_date", flat=True
        )
        if day
    )
    for part in parts():
        if part.age_dates is not None:
            age_dates.extend(part.age_dates(student))
        if part.anonymise is not None:
            part.anonymise(student)

    replaced: dict[str, Any] = {
        "first_name": ANONYMISED_NAME,
        "last_name": f"#{student.pk}",
        "first_name_latin": "",
        "last_name_latin": "",
        "phone": "",
        "email": "",
        "date_of_birth": (
            coarse_date_of_birth(student.date_of_birth, age_dates)
            if student.date_of_birth
            else None
        ),
    }
    user = student.user
    Student.objects.filter(pk=student.pk).update(
        **replaced, user=None, messages_opt_out=True, anonymised_on=today
    )
    student.history.all().update(**replaced, user=None)  # type: ignore[attr-defined]
    # The entry answers keep the date of birth as given at entry: coarsened the same way.
    for entry in EntryAnswers.objects.filter(
        participation__student=student, date_of_birth__isnull=False
    ):
        coarse = coarse_date_of_birth(entry.date_of_birth, age_dates)  # type: ignore[arg-type]
        EntryAnswers.objects.filter(pk=entry.pk).update(date_of_birth=coarse)
        entry.history.all().update(date_of_birth=coarse)  # type: ignore[attr-defined]
    if user is not None:
        # django-axes keeps sign-in attempts and successes under the username, with addresses.
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username=user.username).delete()
        user.username = f"anonymised-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Student), object_id=str(student.pk)
    ).update(object_repr=f"{ANONYMISED_NAME} #{student.pk}")
    student.refresh_from_db()
    return student


def anonymise_expired(*, today: dt.date) -> int:
    """Anonymise every student past their retention period; returns how many."""
    # Each student in a transaction of their own: a long run that stops keeps what it did.
    ids = list(students_past_retention(today=today).values_list("pk", flat=True))
    for student in Student.objects.filter(pk__in=ids).order_by("pk"):
        student_anonymise(student=student, today=today)
    return len(ids)
