"""Queue messages in the outbox. Callers pass plain values; the outbox never imports them."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from school.models import School, Student, User


@dataclass(frozen=True)
class Recipient:
    student: Student | None = None
    user: User | None = None

    @property
    def language(self) -> str:
        if self.student is not None:
            return self.student.language
        assert self.user is not None
        return self.user.language

    @property
    def key(self) -> str:
        return f"student:{self.student.pk}" if self.student else f"user:{self.user.pk}"  # type: ignore[union-attr]


def notification_queue(
    *,
    school: School,
    kind: str,
    recipients: Iterable[Recipient],
    context: dict[str, Any],
    dedup_key: str,
    due_at: dt.datetime | None = None,
) -> int:
    """Queue one message of ``kind`` per recipient; return how many were new.

    ``dedup_key`` names the event ("lesson-cancelled:42"); with the recipient it makes the
    message's unique key, so queueing the same event twice never sends it twice. Call it inside
    the caller's transaction: the messages exist only if the change that caused them commits.
    """
    due = due_at or timezone.now()
    rows = [
        Notification(
            school=school,
            student=recipient.student,
            user=recipient.user,
            kind=kind,
            language=recipient.language,
            context=context,
            dedup_key=f"{dedup_key}:{recipient.key}",
            due_at=due,
        )
        for recipient in recipients
    ]
    if not rows:
        return 0
    with transaction.atomic():
        before = Notification.objects.filter(dedup_key__in=[r.dedup_key for r in rows]).count()
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows) - before
