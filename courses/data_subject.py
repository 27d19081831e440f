"""A student's enrollments, attendance and placement decisions, for export and anonymisation."""

import datetime as dt
from typing import Any

from courses.models import Applicant, Attendance, Certificate, Enrollment, PlacementDecision
from courses.services.intake import applicant_erase
from school.data_subject import Part, register
from school.data_subject import rows_of as _rows
from school.models import Student

REDACTED = "(anonymised)"


def _export(student: Student) -> list[dict[str, Any]]:
    return _rows(
        Enrollment.objects.filter(student=student)
        .order_by("applied_at")
        .values(
            "id",
            "cycle__code",
            "cycle__level__code",
            "status",
            "waitlist_position",
            "applied_at",
            "entry_date",
            "exit_date",
            "withdrawal_reason",
        )
    )


def _export_attendance(student: Student) -> list[dict[str, Any]]:
    return _rows(
        Attendance.objects.filter(enrollment__student=student)
        .order_by("lesson__date", "lesson__starts_at")
        .values("lesson__cycle__code", "lesson__date", "lesson__hours", "status", "marked_at")
    )


def _export_placements(student: Student) -> list[dict[str, Any]]:
    return _rows(
        PlacementDecision.objects.filter(student=student)
        .order_by("decided_on")
        .values("level__code", "decided_on", "note")
    )


def _anonymise(student: Student) -> None:
    # Free text written about a person may name them or their circumstances; the fact that a
    # reason or note was given stays, the words go.
    enrollments = Enrollment.objects.filter(student=student).exclude(withdrawal_reason="")
    enrollments.update(withdrawal_reason=REDACTED)
    Enrollment.history.filter(student_id=student.pk).exclude(withdrawal_reason="").update(  # type: ignore[attr-defined]
        withdrawal_reason=REDACTED
    )
    PlacementDecision.objects.filter(student=student).exclude(note="").update(note=REDACTED)


def _export_certificates(student: Student) -> list[dict[str, Any]]:
    return _rows(
        Certificate.objects.filter(enrollment__student=student)
        .order_by("issued_at")
        .values(
            "enrollment__cycle__code", "kind", "code", "issued_at", "hours_attended",
            "hours_held", "first_lesson", "last_lesson", "revoked_at", "revoked_reason",
        )
    )  # fmt: skip


def _anonymise_certificates(student: Student) -> None:
    # The PDFs print the name: they go. The record stays (the public check then shows the
    # anonymised initials), the reason for a revocation loses its words.
    for certificate in Certificate.objects.filter(enrollment__student=student).exclude(file=""):
        certificate.file.delete(save=False)
    Certificate.objects.filter(enrollment__student=student).update(file="")
    Certificate.objects.filter(enrollment__student=student).exclude(revoked_reason="").update(
        revoked_reason=REDACTED
    )


def _age_dates(student: Student) -> list[dt.date]:
    dates: list[dt.date] = []
    for entry, exit_ in Enrollment.objects.filter(student=student).values_list(
        "entry_date", "exit_date"
    ):
        dates.extend(d for d in (entry, exit_) if d)
    return dates


def _export_applications(student: Student) -> list[dict[str, Any]]:
    # What the person wrote when they applied, and what they agreed to.
    return _rows(
        Applicant.objects.filter(student=student)
        .order_by("applied_at")
        .values(
            "reference", "applied_at", "first_name", "last_name", "first_name_latin",
            "last_name_latin", "phone", "email", "language", "nationality", "date_of_birth",
            "gender", "greek_level", "availability", "referrer__name", "consent_version",
            "consent_text", "placement_level__code", "placement_notes", "status", "enrolled_at",
        )
    )  # fmt: skip


def _anonymise_applications(student: Student) -> None:
    # The application repeats the student's name, phone and birthday: it is erased with them
    # (the row stays for the monthly counts).
    for applicant in Applicant.objects.filter(student=student, erased_at__isnull=True):
        applicant_erase(applicant=applicant, with_student=True)


def register_parts() -> None:
    register(Part("enrollments", _export, _anonymise, _age_dates))
    register(Part("attendance", _export_attendance))
    register(Part("placement_decisions", _export_placements))
    register(Part("certificates", _export_certificates, _anonymise_certificates))
    register(Part("applications", _export_applications, _anonymise_applications))
