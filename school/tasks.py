"""Background jobs of the school app: thin, take ids, call services."""

from celery import shared_task

from school.reports import report_build


@shared_task(acks_late=True)
def build_report(report_id: int) -> str:
    """Build one requested funding report (a second delivery finds it claimed and skips)."""
    return report_build(report_id=report_id)
