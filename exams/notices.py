"""Scheduled exam notices: registration deadline (7 days and 1 day before) to eligible students
not yet registered, exam day to candidates, and results published. Each is queued once."""

import datetime as dt

from courses.models import Enrollment
from exams.models import ExamRegistration, ExamRound
from notifications.services import Recipient, notification_queue
from school.models import School, Student


def _context(exam_round: ExamRound) -> dict[str, str]:
    return {
        "round": exam_round.name,
        "deadline": exam_round.registration_deadline.isoformat(),
        "exam_date": exam_round.exam_date.isoformat(),
        "centre": exam_round.centre,
    }


def exam_notices(*, today: dt.date | None = None) -> int:
    queued = 0
    for school in School.objects.all():
        day = today or school.today()
        rounds = ExamRound.objects.filter(school=school).select_related("scheme__level")
        for days in (7, 1):
            for exam_round in rounds.filter(registration_deadline=day + dt.timedelta(days=days)):
                not_registered = (
                    Student.objects.filter(
                        enrollments__cycle__level_id=exam_round.scheme.level_id,
                        enrollments__status__in=[
                            Enrollment.Status.ENROLLED,
                            Enrollment.Status.COMPLETED,
                        ],
                        school=school,
                    )
                    .exclude(exam_registrations__exam_round=exam_round)
                    .distinct()
                )
                queued += notification_queue(
                    school=school,
                    kind="exam_deadline",
                    recipients=[Recipient(student=s) for s in not_registered],
                    context=_context(exam_round),
                    dedup_key=f"exam-deadline:{exam_round.pk}:{days}",
                )
        for exam_round in rounds.filter(exam_date=day + dt.timedelta(days=1)):
            queued += notification_queue(
                school=school,
                kind="exam_day",
                recipients=[
                    Recipient(student=r.student)
                    for r in exam_round.registrations.select_related("student")
                ],
                context=_context(exam_round),
                dedup_key=f"exam-day:{exam_round.pk}",
            )
        for exam_round in rounds.filter(
            results_published_on__lte=day, results_published_on__gte=day - dt.timedelta(days=7)
        ):
            with_result = ExamRegistration.objects.filter(
                exam_round=exam_round, result__isnull=False
            ).select_related("student")
            queued += notification_queue(
                school=school,
                kind="result_published",
                recipients=[Recipient(student=r.student) for r in with_result],
                context=_context(exam_round),
                dedup_key=f"result-published:{exam_round.pk}",
            )
    return queued
