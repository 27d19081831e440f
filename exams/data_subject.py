"""A student's exam registrations and results, for export and anonymisation."""

import datetime as dt
from typing import Any

from exams.models import ExamRegistration, ExamResult, SkillScore
from school.data_subject import Part, register
from school.data_subject import rows_of as _rows
from school.models import Student

REDACTED = "(anonymised)"


def _export_registrations(student: Student) -> list[dict[str, Any]]:
    return _rows(
        ExamRegistration.objects.filter(student=student)
        .order_by("exam_round__exam_date")
        .values(
            "id",
            "exam_round__name",
            "exam_round__exam_date",
            "cycle__code",
            "registered_at",
            "eligibility_override_reason",
        )
    )


def _export_results(student: Student) -> list[dict[str, Any]]:
    return _rows(
        ExamResult.objects.filter(registration__student=student)
        .order_by("registration__exam_round__exam_date")
        .values(
            "registration_id",
            "registration__exam_round__name",
            "total",
            "max_total",
            "passed",
            "grade",
            "certificate_number",
            "recorded_at",
        )
    )


def _export_scores(student: Student) -> list[dict[str, Any]]:
    return _rows(
        SkillScore.objects.filter(result__registration__student=student)
        .order_by("result_id", "skill__position")
        .values("result__registration_id", "skill__code", "points", "max_points", "passed")
    )


def _anonymise(student: Student) -> None:
    # A certificate number identifies its holder at the exam centre; the pass itself stays.
    results = ExamResult.objects.filter(registration__student=student).exclude(
        certificate_number=""
    )
    result_ids = list(results.values_list("pk", flat=True))
    results.update(certificate_number="")
    ExamResult.history.filter(id__in=result_ids).update(certificate_number="")  # type: ignore[attr-defined]
    registrations = ExamRegistration.objects.filter(student=student).exclude(
        eligibility_override_reason=""
    )
    registrations.update(eligibility_override_reason=REDACTED)
    ExamRegistration.history.filter(student_id=student.pk).exclude(  # type: ignore[attr-defined]
        eligibility_override_reason=""
    ).update(eligibility_override_reason=REDACTED)


def _age_dates(student: Student) -> list[dt.date]:
    return list(
        ExamRegistration.objects.filter(student=student).values_list(
            "exam_round__exam_date", flat=True
        )
    )


def register_parts() -> None:
    register(Part("exam_registrations", _export_registrations, _anonymise, _age_dates))
    register(Part("exam_results", _export_results))
    register(Part("exam_skill_scores", _export_scores))
