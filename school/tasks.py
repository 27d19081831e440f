"""Background jobs of the school app: thin, take ids, call services."""

from celery import shared_task
from django.utils import timezone

from school.reports import report_build
from school.retention import anonymise_expired


@shared_task(acks_late=True)
def anonymise_expired_students() -> int:
    """Monthly: anonymise the students whose retention period has ended."""
    return anonymise_expired(today=timezone.localdate())


@shared_task(acks_late=True)
def build_report(report_id: int) -> str:
    """Build one requested funding report (a second delivery finds it claimed and skips)."""
    return report_build(report_id=report_id)
