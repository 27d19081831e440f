"""Background jobs of the school app: thin, take ids, call services."""

from celery import shared_task
from django.utils import timezone

from school.backups import backup_nightly
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


@shared_task(acks_late=False)
def backup_database_and_media() -> str:
    """Nightly: one archive in BACKUP_DIR; keep 7 daily and 4 weekly. Not acknowledged late: a
    backup cut short by a lost worker is simply made again the next night."""
    return str(backup_nightly())
