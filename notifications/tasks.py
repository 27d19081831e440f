"""Sending jobs: thin, take ids, call the outbox service."""

from celery import shared_task
from django.conf import settings

from notifications.services import (
    BATCH,
    Outcome,
    notification_send,
    notifications_due,
    notifications_send_batch,
)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def send_notification(self, notification_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one message; a transient failure retries with exponential backoff (seconds to
    minutes, never days: a long countdown would sit in Redis and be redelivered)."""
    outcome, attempts = notification_send(notification_id=notification_id)
    if outcome == Outcome.RETRY:
        base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
        raise self.retry(countdown=min(600, base * 2 ** (attempts - 1)))
    return outcome


@shared_task(acks_late=True)
def dispatch_due_notifications() -> int:
    """Every minute: hand out what is due and not being sent (morning SMS, lost tasks)."""
    due = notifications_due()
    for start in range(0, len(due), BATCH):
        send_notifications.delay(due[start : start + BATCH])
    return len(due)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_notifications(ids: list[int]) -> dict[str, int]:
    """Send a batch of messages (the usual path: on commit and from the sweep). A transient
    failure is put back in the queue with a backoff and the sweep sends it again when due."""
    return notifications_send_batch(ids=ids)


@shared_task
def noop() -> None:
    """Does nothing: the benchmark's measure of the broker and worker's own cost per task."""
