"""Importing results from the exam centre's published list (.xlsx), with a report per row.

Columns: ``first_name``, ``last_name``, ``date_of_birth`` (who), one column per skill code
(``reading``, ``writing``, ``listening``, ``speaking``, and e.g. ``history-culture``), and an
optional ``certificate_number``. A candidate is found among the round's registrations by name
and date of birth. Each row is recorded whole or reported; importing the list again records the
same results again (nothing doubles).
"""

from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from exams.models import ExamRound
from exams.services import exam_result_record
from school.models import User
from school.spreadsheets import (
    Problem,
    SpreadsheetError,
    cell_date,
    cell_text,
    read_rows,
    write_workbook,
)

WHO = ["first_name", "last_name", "date_of_birth"]


@dataclass
class ResultsReport:
    recorded: int = 0
    problems: list[Problem] = field(default_factory=list)


def results_import(
    *, exam_round: ExamRound, upload: IO[bytes], recorded_by: User | None = None
) -> ResultsReport:
    report = ResultsReport()
    skills = list(exam_round.scheme.skills.values_list("code", flat=True))
    try:
        rows = list(read_rows(upload))
    except SpreadsheetError as error:
        report.problems.append(Problem(0, "file", str(error)))
        return report
    if rows:
        missing = [name for name in [*WHO, *skills] if name not in rows[0][1]]
        if missing:
            report.problems.append(
                Problem(
                    1, "header", _("Missing columns: %(names)s.") % {"names": ", ".join(missing)}
                )
            )
            return report
    registrations = {
        (
            r.student.first_name.casefold(),
            r.student.last_name.casefold(),
            r.student.date_of_birth,
        ): r
        for r in exam_round.registrations.select_related("student")
    }
    seen: dict[Any, int] = {}
    with transaction.atomic():
        for number, row in rows:
            try:
                born = cell_date(row.get("date_of_birth"), "date_of_birth")
            except Exception as error:  # RowError carries the message
                report.problems.append(
                    Problem(number, "date_of_birth", getattr(error, "message", str(error)))
                )
                continue
            key = (
                cell_text(row.get("first_name")).casefold(),
                cell_text(row.get("last_name")).casefold(),
                born,
            )
            registration = registrations.get(key)
            if registration is None:
                report.problems.append(
                    Problem(
                        number,
                        "candidate",
                        _("No candidate of this round has this name and date of birth."),
                    )
                )
                continue
            if key in seen:
                report.problems.append(
                    Problem(
                        number,
                        "candidate",
                        _("The same candidate as row %(row)s.") % {"row": seen[key]},
                    )
                )
                continue
            seen[key] = number
            points = {code: row.get(code) for code in skills}
            try:
                with transaction.atomic():
                    exam_result_record(
                        registration=registration,
                        points=points,
                        recorded_by=recorded_by,
                        certificate_number=cell_text(row.get("certificate_number")) or None,
                    )
            except ValidationError as error:
                report.problems.extend(
                    Problem(number, name, " ".join(msgs))
                    for name, msgs in error.message_dict.items()
                )
                continue
            report.recorded += 1
    report.problems.sort(key=lambda p: (p.row, p.field))
    return report


def results_template(exam_round: ExamRound) -> bytes:
    skills = list(exam_round.scheme.skills.values_list("code", flat=True))
    rows = [
        (
            r.student.first_name,
            r.student.last_name,
            r.student.date_of_birth,
            *[None] * len(skills),
            None,
        )
        for r in exam_round.registrations.select_related("student").order_by("student__last_name")
    ]
    return write_workbook([("Results", [*WHO, *skills, "certificate_number"], rows)])


def results_report_workbook(report: ResultsReport) -> bytes:
    return write_workbook(
        [
            (
                _("Problems"),
                [_("row"), _("field"), _("message")],
                [(p.row, p.field, p.message) for p in report.problems],
            ),
            (
                _("Summary"),
                [_("what"), _("how many")],
                [
                    (_("recorded"), report.recorded),
                    (_("rows with problems"), len({p.row for p in report.problems})),
                ],
            ),
        ]
    )
