"""Background jobs of the exams app: thin, take ids, call services."""

from celery import shared_task

from exams.services import pass_rates_recompute
from school.models import School


@shared_task(acks_late=True)
def pass_rates_refresh(school_id: int) -> int:
    """Work out one school's pass rates into the stored table (idempotent: replaces them)."""
    return pass_rates_recompute(school_id=school_id)


@shared_task(acks_late=True)
def pass_rates_refresh_all() -> int:
    """Nightly: every school's pass rates, in case a change slipped past the on-commit queue."""
    return sum(
        pass_rates_recompute(school_id=pk) for pk in School.objects.values_list("pk", flat=True)
    )


@shared_task(acks_late=True)
def send_exam_notices() -> int:
    """Daily: registration deadlines, exam day, results published."""
    from exams.notices import exam_notices

    return exam_notices()
