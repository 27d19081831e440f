from celery import shared_task
from django.utils import timezone

from school.retention import anonymise_expired


@shared_task(acks_late=True)
def anonymise_expired_students() -> int:
    """Monthly: anonymise the students whose retention period has ended."""
    return anonymise_expired(today=timezone.localdate())
