"""Importing applicants from a spreadsheet, with a report row for every problem.

Each row is checked on its own; valid rows are imported and invalid rows reported. A row is
imported whole (the student and, with a cycle, their enrollment) or not at all; importing the
same file again finds every row already there and creates nothing.
"""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from courses.models import Cycle
from courses.services import enrollment_create
from school.choices import Answer, Gender, IscedLevel, LabourMarketStatus
from school.errors import ConflictError
from school.models import School, Student
from school.spreadsheets import (
    DATE,
    Problem,
    RowError,
    SpreadsheetError,
    cell_date,
    cell_text,
    column_width,
    read_rows,
    write_workbook,
)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: Any  # a lazy translation


LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
ANSWERS = ", ".join(Answer.values)

COLUMNS = [
    Column("first_name", True, gettext_lazy("Given name, in any script.")),
    Column("last_name", True, gettext_lazy("Family name, in any script.")),
    Column("first_name_latin", False, gettext_lazy("Given name in Latin letters, as in the passport.")),
    Column("last_name_latin", False, gettext_lazy("Family name in Latin letters, as in the passport.")),
    Column("date_of_birth", True, gettext_lazy("A date cell, or YYYY-MM-DD, or DD/MM/YYYY.")),
    Column("gender", True, gettext_lazy("female, male, other or undisclosed.")),
    Column("nationality", True, gettext_lazy("Country code, ISO 3166 (SY, AF, UA ...).")),
    Column("language", False, gettext_lazy("Language for messages: el, en, ar, fa, uk or fr (default en).")),
    Column("phone", False, gettext_lazy("Mobile number; without +country code the school's country is assumed.")),
    Column("email", False, gettext_lazy("E-mail address.")),
    Column("labour_market_status", True, gettext_lazy("employed, unemployed, long_term_unemployed, inactive_in_education or inactive.")),
    Column("unemployed_months", False, gettext_lazy("Months unemployed, for the unemployed.")),
    Column("isced_level", True, gettext_lazy("Highest education, ISCED 2011: 0 to 8.")),
    Column("household_jobless", False, gettext_lazy("yes, no or declined.")),
    Column("household_dependent_children", False, gettext_lazy("yes, no or declined.")),
    Column("household_single_adult", False, gettext_lazy("yes, no or declined.")),
    Column("foreign_background", False, gettext_lazy("yes, no or declined.")),
    Column("other_disadvantage", False, gettext_lazy("yes, no or declined.")),
    Column("homeless", False, gettext_lazy("yes, no or declined.")),
    Column("rural_area", False, gettext_lazy("yes or no.")),
    Column("entry_form_on", False, gettext_lazy("Day the entry form was filled in.")),
]  # fmt: skip
REQUIRED = {c.name for c in COLUMNS if c.required}
YES_NO = [("yes", Answer.YES.label), ("no", Answer.NO.label)]
# The fixed answers of a column: what its drop-down list offers (the labels, in the
# installation's language) and what is stored (the codes).
FIXED_ANSWERS: dict[str, list[tuple[Any, Any]]] = {
    "gender": Gender.choices,
    "language": list(settings.LANGUAGES),
    "labour_market_status": LabourMarketStatus.choices,
    "isced_level": IscedLevel.choices,
    **dict.fromkeys(
        ["household_jobless", "household_dependent_children", "household_single_adult",
         "foreign_background", "other_disadvantage", "homeless"],
        Answer.choices,
    ),
    "rural_area": YES_NO,
}  # fmt: skip
# The example row of the template starts its first cell with this mark; the import skips it.
EXAMPLE_MARK = gettext_lazy("(example)")
# Filled at the start of an import: column -> {label in any language, casefolded: code}.
LABELS: dict[str, dict[str, str]] = {}


def column_label(name: str) -> str:
    """A column's heading in the active language: the participant record's own field name."""
    field = Student._meta.get_field(name)
    return capfirst(str(getattr(field, "verbose_name", name)))


def _in_every_language(make: Callable[[], dict[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            found.update(make())
    return found


def _answers(choices: list[tuple[Any, Any]]) -> dict[str, str]:
    return {str(label).casefold(): str(code) for code, label in choices}


def _learn_labels() -> None:
    """What a heading or a drop-down answer may say, in every language of the installation."""
    LABELS.clear()
    for name, choices in FIXED_ANSWERS.items():
        LABELS[name] = _in_every_language(partial(_answers, choices))
    LABELS["__header__"] = _in_every_language(
        lambda: {column_label(c.name).casefold(): c.name for c in COLUMNS}
    )
    LABELS["__example__"] = _in_every_language(lambda: {str(EXAMPLE_MARK).casefold(): ""})


def _with_codes(row: dict[str, Any]) -> dict[str, Any]:
    """A row read under the template's headings (any language) or the English codes."""
    headers = LABELS["__header__"]
    return {headers.get(str(key).casefold(), key): value for key, value in row.items()}


def _is_example(row: dict[str, Any]) -> bool:
    first = cell_text(row.get("first_name")).casefold()
    return any(first.startswith(mark) for mark in LABELS["__example__"])


@dataclass
class ImportReport:
    created: int = 0
    already_there: int = 0
    enrolled: int = 0
    waitlisted: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.problems if p.row})


# -- cell parsers: each returns the stored value or raises RowError (see school.spreadsheets) --


def _choice(value: Any, name: str, allowed: list[str]) -> str:
    text = cell_text(value)
    # A drop-down's answer, in any of the installation's languages, or its code.
    text = LABELS.get(name, {}).get(text.casefold(), text.lower().replace(" ", "_"))
    if text and text not in allowed:
        raise RowError(
            name,
            _("%(value)s is not one of: %(allowed)s.")
            % {"value": text[:40], "allowed": ", ".join(allowed)},
        )
    return text


def _yes_no(value: Any, name: str) -> bool | None:
    text = cell_text(value).lower()
    text = LABELS.get(name, {}).get(text.casefold(), text)
    if not text:
        return None
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise RowError(name, _("Write yes or no."))


def _int(value: Any, name: str, low: int, high: int) -> int | None:
    text = cell_text(value)
    text = LABELS.get(name, {}).get(text.casefold(), text)
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise RowError(name, _("%(value)s is not a whole number.") % {"value": text[:40]}) from None
    if not low <= number <= high:
        raise RowError(
            name, _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}
        )
    return number


def _phone(value: Any, region: str) -> str:
    text = cell_text(value)
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise RowError(
            "phone", _("%(value)s is not a phone number.") % {"value": text[:40]}
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise RowError("phone", _("%(value)s is not a valid phone number.") % {"value": text[:40]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _country(value: Any) -> str:
    text = cell_text(value)
    code = countries.alpha2(text) if text else ""
    if not code:
        raise RowError(
            "nationality", _("%(value)s is not a country code (ISO 3166).") % {"value": text[:40]}
        )
    return code


PARSERS: dict[str, Callable[[Any, School], Any]] = {
    "first_name": lambda v, s: cell_text(v),
    "last_name": lambda v, s: cell_text(v),
    "first_name_latin": lambda v, s: cell_text(v),
    "last_name_latin": lambda v, s: cell_text(v),
    "date_of_birth": lambda v, s: cell_date(v, "date_of_birth"),
    "gender": lambda v, s: _choice(v, "gender", Gender.values),
    "nationality": lambda v, s: _country(v),
    "language": lambda v, s: _choice(v, "language", LANGUAGE_CODES) or "en",
    "phone": lambda v, s: _phone(v, str(s.country)),
    "email": lambda v, s: cell_text(v),
    "labour_market_status": lambda v, s: _choice(
        v, "labour_market_status", LabourMarketStatus.values
    ),
    "unemployed_months": lambda v, s: _int(v, "unemployed_months", 0, 600),
    "isced_level": lambda v, s: _int(v, "isced_level", 0, max(IscedLevel.values)),
    "household_jobless": lambda v, s: _choice(v, "household_jobless", Answer.values),
    "household_dependent_children": lambda v, s: _choice(
        v, "household_dependent_children", Answer.values
    ),
    "household_single_adult": lambda v, s: _choice(v, "household_single_adult", Answer.values),
    "foreign_background": lambda v, s: _choice(v, "foreign_background", Answer.values),
    "other_disadvantage": lambda v, s: _choice(v, "other_disadvantage", Answer.values),
    "homeless": lambda v, s: _choice(v, "homeless", Answer.values),
    "rural_area": lambda v, s: _yes_no(v, "rural_area"),
    "entry_form_on": lambda v, s: cell_date(v, "entry_form_on"),
}


def _student_from_row(
    row: dict[str, Any], school: School
) -> tuple[Student | None, list[Problem], int]:
    number = row.pop("__row__")
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in COLUMNS:
        try:
            values[column.name] = PARSERS[column.name](row.get(column.name), school)
        except RowError as error:
            problems.append(Problem(number, error.field, error.message))
            continue
        if column.required and values[column.name] in ("", None):
            problems.append(Problem(number, column.name, _("This field is required.")))
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            problems.append(Problem(number, "email", _("Enter a valid e-mail address.")))
    if problems:
        return None, problems, number
    student = Student(school=school, **values)
    try:
        student.full_clean(exclude=["user"])
    except ValidationError as error:
        return (
            None,
            [
                Problem(number, name, " ".join(messages))
                for name, messages in error.message_dict.items()
            ],
            number,
        )
    return student, [], number


def identity(student: Student) -> tuple[str, str, dt.date | None, str]:
    """Two rows are the same person when name, date of birth and phone agree."""
    return (
        student.first_name.casefold(),
        student.last_name.casefold(),
        student.date_of_birth,
        str(student.phone or ""),
    )


def students_import(
    *, school: School, upload: IO[bytes], cycle: Cycle | None = None
) -> ImportReport:
    """Import applicants from an .xlsx upload (see COLUMNS); enroll them in ``cycle`` if given.

    1. Read the sheet safely; a file that cannot be read is one problem on row 0.
    2. Check every row; collect its problems (row, field, message).
    3. Skip rows naming a student the school already has, or a row seen earlier in the file.
    4. Import each valid row in its own savepoint: the student, then their enrollment; a row whose
       enrollment is refused is reported and leaves nothing behind.
    """
    report = ImportReport()
    _learn_labels()
    try:
        rows = [
            {**row, "__row__": number}
            for number, row in ((n, _with_codes(r)) for n, r in read_rows(upload))
            if not _is_example(row)
        ]
    except SpreadsheetError as error:
        report.problems.append(Problem(0, "file", str(error)))
        return report
    if rows:
        missing = sorted(REQUIRED - set(rows[0]))
        if missing:
            report.problems.append(
                Problem(
                    1, "header", _("Missing columns: %(names)s.") % {"names": ", ".join(missing)}
                )
            )
            return report

    candidates: list[tuple[int, Student]] = []
    for row in rows:
        student, problems, number = _student_from_row(row, school)
        report.problems.extend(problems)
        if student is not None:
            candidates.append((number, student))

    known = {
        identity(s)
        for s in Student.objects.filter(
            school=school, date_of_birth__in={s.date_of_birth for _n, s in candidates}
        ).only("first_name", "last_name", "date_of_birth", "phone")
    }
    seen: dict[tuple[str, str, dt.date | None, str], int] = {}
    with transaction.atomic():
        for number, student in candidates:
            key = identity(student)
            if key in known:
                report.already_there += 1
                continue
            if key in seen:
                report.problems.append(
                    Problem(
                        number, "row", _("The same person as row %(row)s.") % {"row": seen[key]}
                    )
                )
                continue
            seen[key] = number
            try:
                with transaction.atomic():
                    student.save()
                    if cycle is not None:
                        enrollment = enrollment_create(student=student, cycle=cycle)
                        if enrollment.status == "enrolled":
                            report.enrolled += 1
                        else:
                            report.waitlisted += 1
            except ValidationError as error:
                report.problems.extend(
                    Problem(number, name, " ".join(messages))
                    for name, messages in error.message_dict.items()
                )
                continue
            except ConflictError as error:
                report.problems.append(Problem(number, "cycle", error.message))
                continue
            report.created += 1
    report.problems.sort(key=lambda p: (p.row, p.field))
    return report


def template_workbook() -> bytes:
    """The applicants template, in the installation's language: a heading per column, an
    example row (which the import skips), a drop-down list for every fixed answer, and a
    sheet that explains each column. The English codes stay accepted as headings too."""
    with translation.override(settings.LANGUAGE_CODE):
        return _template()


def _template() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Students")
    lists = workbook.create_sheet(_("Lists"))
    lists.sheet_state = "hidden"
    sheet.append([column_label(c.name) for c in COLUMNS])
    example = {
        "first_name": f"{EXAMPLE_MARK} Fatima", "last_name": "Ahmadi",
        "first_name_latin": "Fatima", "last_name_latin": "Ahmadi",
        "date_of_birth": dt.date(1990, 5, 17), "gender": Gender.FEMALE.label,
        "nationality": "AF", "language": dict(settings.LANGUAGES)["fa"],
        "phone": "690 000 0000", "email": "fatima@example.org",
        "labour_market_status": LabourMarketStatus.UNEMPLOYED.label, "unemployed_months": 8,
        "isced_level": IscedLevel(3).label, "household_jobless": Answer.NO.label,
        "household_dependent_children": Answer.YES.label,
        "household_single_adult": Answer.NO.label, "foreign_background": Answer.YES.label,
        "other_disadvantage": Answer.DECLINED.label, "homeless": Answer.NO.label,
        "rural_area": Answer.NO.label, "entry_form_on": None,
    }  # fmt: skip
    sheet.append([str(v) if isinstance(v, Promise) else v for v in example.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="666666")
        if isinstance(cell.value, dt.date):
            cell.number_format = DATE
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS):
        letter = get_column_letter(index + 1)
        labels = [str(label) for _code, label in FIXED_ANSWERS.get(column.name, [])]
        width = [column_label(column.name), str(example[column.name] or ""), *labels]
        sheet.column_dimensions[letter].width = column_width(width, least=10, most=45)
        if labels:
            for row, label in enumerate(labels, start=1):
                lists.cell(row=row, column=index + 1, value=label)
            choice = DataValidation(
                type="list",
                formula1=f"={quote_sheetname(lists.title)}!${letter}$1:${letter}${len(labels)}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=column_label(column.name),
                error=_("Choose one of the list's answers."),
            )
            sheet.add_data_validation(choice)
            choice.add(f"{letter}2:{letter}{settings.IMPORT_MAX_ROWS + 1}")
    help_sheet = workbook.create_sheet(_("Columns"))
    help_sheet.append([_("column"), _("code"), _("required"), _("what to write")])
    for column in COLUMNS:
        help_sheet.append([
            column_label(column.name), column.name,
            _("required") if column.required else _("optional"), str(column.help),
        ])  # fmt: skip
    help_sheet.append([])
    help_sheet.append([
        _("The second row is an example: the import skips a row whose first cell starts with "
          "%(mark)s. Headings may also be the codes.") % {"mark": EXAMPLE_MARK}
    ])  # fmt: skip
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for letter, size in zip("ABCD", (30, 28, 12, 70), strict=True):
        help_sheet.column_dimensions[letter].width = size
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_workbook(report: ImportReport) -> bytes:
    summary = [
        (_("imported"), report.created),
        (_("already in the school's records"), report.already_there),
        (_("enrolled"), report.enrolled),
        (_("waitlisted"), report.waitlisted),
        (_("rows rejected"), report.rejected_rows),
    ]
    return write_workbook(
        [
            (
                _("Problems"),
                [_("row"), _("field"), _("message")],
                [(p.row, p.field, p.message) for p in report.problems],
            ),
            (_("Summary"), [_("what"), _("how many")], summary),
        ]
    )
