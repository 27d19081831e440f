"""Sending jobs: thin, take ids, call the outbox service."""

from collections import Counter

from celery import shared_task

from notifications.services import BATCH, notifications_due, notifications_send


@shared_task(acks_late=True)
def dispatch_due_notifications() -> int:
    """Every minute: hand out what is due and not being sent (morning SMS, lost tasks)."""
    due = notifications_due()
    for start in range(0, len(due), BATCH):
        send_notifications.delay(due[start : start + BATCH])
    return len(due)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_notifications(ids: list[int]) -> dict[str, int]:
    """Send a batch of messages: on commit, from the sweep, and a resend. A transient failure
    goes back in the queue with a backoff and the sweep sends it again when it is due."""
    return dict(Counter(outcome for outcome, _attempts in notifications_send(ids=ids).values()))


@shared_task
def noop() -> None:
    """Does nothing: the benchmark's measure of the broker and worker's own cost per task."""
