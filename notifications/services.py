"""The outbox: queue messages inside the caller's transaction, send each exactly once.

Callers pass plain values (who, what kind, the facts); this app never imports them.
"""

import datetime as dt
import secrets
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import channels
from notifications.models import Notification
from notifications.texts import render
from school.errors import ConflictError
from school.models import School, Student, User


@dataclass(frozen=True)
class Recipient:
    student: Student | None = None
    user: User | None = None
    # Someone with neither a student record nor an account yet (an applicant), reached at
    # these; ``person`` names them in the message log and keys their messages
    # ("applicant:12"), so they can be found and erased with the person.
    person: str = ""
    phone: str = ""
    email: str = ""
    language: str = ""

    @property
    def key(self) -> str:
        if self.student:
            return f"student:{self.student.pk}"
        if self.person:
            return self.person
        return f"user:{self.user.pk}"  # type: ignore[union-attr]


def _route(recipient: Recipient, requested: bool = False) -> tuple[str, str, str] | None:
    """(channel, address, language) for a recipient, or None when they cannot or will not be
    reached. Opting out stops the school's notices, not a message the person asked for."""
    if recipient.student is not None:
        student = recipient.student
        if student.messages_opt_out and not requested:
            return None
        phone, email = str(student.phone or ""), student.email
        if phone and (student.contact_channel == "sms" or not email):
            return Notification.Channel.SMS, phone, student.language
        if email:
            return Notification.Channel.EMAIL, email, student.language
        return None
    if recipient.person:
        if recipient.phone:
            return Notification.Channel.SMS, recipient.phone, recipient.language
        if recipient.email:
            return Notification.Channel.EMAIL, recipient.email, recipient.language
        return None
    user = recipient.user
    if user is None or not user.email or not user.is_active:
        return None
    return Notification.Channel.EMAIL, user.email, user.language


def after_quiet_hours(moment: dt.datetime, school: School) -> dt.datetime:
    """The same moment, or the end of the night's quiet hours in the school's time zone."""
    start, end = settings.NOTIFICATIONS_QUIET_HOURS
    local = moment.astimezone(school.zone)
    # Quiet hours usually wrap midnight (21:00-08:00).
    wraps = start > end
    quiet = (local.hour >= start or local.hour < end) if wraps else (start <= local.hour < end)
    if not quiet:
        return moment
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if local.hour >= start and start > end:
        morning += dt.timedelta(days=1)
    return morning.astimezone(dt.UTC)


def notification_queue(
    *,
    school: School,
    kind: str,
    recipients: Iterable[Recipient],
    context: dict[str, Any],
    dedup_key: str,
    due_at: dt.datetime | None = None,
    requested: bool = False,
) -> int:
    """Queue one message of ``kind`` per recipient, rendered in their language; return how
    many were new.

    1. Each recipient is routed: their channel and address, or skipped when they opted out or
       have neither phone nor e-mail.
    2. The text is rendered now (falling back to English, then Greek), so the log shows what
       was sent; an SMS due in the quiet hours waits until the morning, unless it was
       ``requested``: the person asked for it and is waiting for it now (a sign-in link), which
       also reaches those who opted out of the school's notices.
    3. ``dedup_key`` names the event ("lesson-cancelled:42"); with the recipient it is the
       message's unique key, so the same event never makes two messages.
    4. Call it inside the caller's transaction: the messages exist only if the change commits,
       and sending starts after the commit.
    """
    now = timezone.now()
    rows = []
    for recipient in recipients:
        route = _route(recipient, requested)
        if route is None:
            continue
        channel, address, language = route
        used, subject, body = render(kind, language, context)
        due = due_at or now
        if channel == Notification.Channel.SMS and not requested:
            due = after_quiet_hours(due, school)
        rows.append(
            Notification(
                school=school, student=recipient.student, user=recipient.user,
                person=recipient.person, kind=kind,
                channel=channel, address=address, language=used, context=context,
                subject=subject, body=body, dedup_key=f"{dedup_key}:{recipient.key}", due_at=due,
            )
        )  # fmt: skip
    if not rows:
        return 0
    keys = [row.dedup_key for row in rows]
    with transaction.atomic():
        before = set(
            Notification.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True)
        )
        Notification.objects.bulk_create(
            [row for row in rows if row.dedup_key not in before], ignore_conflicts=True
        )
        due_now = list(
            Notification.objects.filter(
                dedup_key__in=keys, status=Notification.Status.QUEUED, due_at__lte=now
            )
            .exclude(dedup_key__in=before)
            .values_list("pk", flat=True)
        )
    if due_now:
        transaction.on_commit(lambda: _dispatch(due_now), robust=True)
    return len(rows) - len(before)


def _dispatch(ids: list[int]) -> None:
    """Hand messages to the workers. Queued with ``robust=True``: with the broker down the
    messages stay queued in the outbox (the request that saved them still succeeds), and the
    minute's sweep hands them out once it is back."""
    from notifications.tasks import send_notifications

    for start in range(0, len(ids), BATCH):
        send_notifications.delay(ids[start : start + BATCH])


# One task sends up to this many messages: the queue's own cost per task is paid once per batch.
BATCH = 100


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"  # not due, already sent, or another sender holds it
    RETRY = "retry"
    FAILED = "failed"


def notifications_send(
    *, ids: list[int], now: dt.datetime | None = None
) -> dict[int, tuple[str, int]]:
    """Send the due messages among ``ids`` that nobody else is sending; for each id, (outcome,
    attempts so far).

    1. Claim them with one conditional UPDATE (queued, due, not held by another sender or their
       hold expired) stamped with this sender's own hold time, and read back exactly the rows
       carrying that stamp. Two workers, a redelivered task or two sweeps: each row goes to one.
    2. Send each and record it at once, so a sender killed mid-batch leaves at most the one
       message it was sending unrecorded (the provider drops a repeat by its reference).
       Success: sent. A transient error: back in the queue, due again after an exponential
       backoff (the sweep hands it out then: nothing waits in the broker), until the last attempt
       fails it. A permanent error: failed at once.
    3. A sender that runs out of half its hold (a slow gateway) hands the rest back to the
       queue, in a new task, rather than let its hold lapse while it still sends them.
    """
    now = now or timezone.now()
    hold = settings.NOTIFICATIONS_CLAIM_SECONDS
    stamp = now + dt.timedelta(seconds=hold, microseconds=secrets.randbelow(999_999))
    Notification.objects.filter(
        pk__in=ids, status=Notification.Status.QUEUED, due_at__lte=now
    ).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).update(claimed_until=stamp)
    claimed = list(
        Notification.objects.filter(pk__in=ids, claimed_until=stamp).order_by("due_at", "pk")
    )
    outcomes = dict.fromkeys(ids, (Outcome.SKIPPED, 0))
    stop_at = time.monotonic() + hold / 2
    for index, message in enumerate(claimed):
        if time.monotonic() > stop_at:
            rest = [m.pk for m in claimed[index:]]
            Notification.objects.filter(pk__in=rest, claimed_until=stamp).update(claimed_until=None)
            transaction.on_commit(partial(_dispatch, rest), robust=True)
            break
        outcomes[message.pk] = _send(message, now)
    return outcomes


def _send(message: Notification, now: dt.datetime) -> tuple[str, int]:
    attempts = message.attempts + 1
    try:
        if message.channel == Notification.Channel.SMS:
            channels.send_sms(to=message.address, text=message.body, reference=message.dedup_key)
        else:
            channels.send_email(to=message.address, subject=message.subject, text=message.body)
    except channels.PermanentError as error:
        _record(message, Notification.Status.FAILED, attempts, str(error))
        return Outcome.FAILED, attempts
    except channels.TransientError as error:
        if attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            _record(message, Notification.Status.FAILED, attempts, str(error))
            return Outcome.FAILED, attempts
        wait = min(600, settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
        _record(
            message, Notification.Status.QUEUED, attempts, str(error),
            due_at=now + dt.timedelta(seconds=wait),
        )  # fmt: skip
        return Outcome.RETRY, attempts
    with _without_waiting_for_disk():
        Notification.objects.filter(pk=message.pk).update(
            status=Notification.Status.SENT,
            sent_at=timezone.now(),
            attempts=attempts,
            claimed_until=None,
            last_error="",
        )
    return Outcome.SENT, attempts


@contextmanager
def _without_waiting_for_disk() -> Iterator[None]:
    """Commit without waiting for PostgreSQL to flush its log to disk: waiting was most of the
    cost of sending a message. Only a crash of the database server itself, within a fraction of a
    second, can lose such a commit; the message then goes out again with the same reference,
    which the provider drops (the same as a worker dying between sending and recording)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def notification_send(*, notification_id: int, now: dt.datetime | None = None) -> tuple[str, int]:
    """Send one message (see ``notifications_send``)."""
    return notifications_send(ids=[notification_id], now=now)[notification_id]


def _record(message: Notification, status: str, attempts: int, error: str, **changes: Any) -> None:
    Notification.objects.filter(pk=message.pk).update(
        status=status, attempts=attempts, last_error=error[:1000], claimed_until=None, **changes
    )


def notifications_due(*, now: dt.datetime | None = None, limit: int = 1000) -> list[int]:
    """Queued messages that are due and held by nobody: new morning SMS, and any whose task was
    lost with a broker or a worker (the sweep sends them again)."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(status=Notification.Status.QUEUED, due_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def notification_resend(*, notification: Notification) -> Notification:
    """Put a failed message back in the queue for another go; any other is refused (409)."""
    if notification.status != Notification.Status.FAILED:
        raise ConflictError(_("Only a failed message can be sent again."))
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
        status=Notification.Status.QUEUED,
        attempts=0,
        last_error="",
        claimed_until=None,
        due_at=timezone.now(),
    )
    notification.refresh_from_db()
    if notification.status == Notification.Status.QUEUED:
        transaction.on_commit(lambda: _dispatch([notification.pk]), robust=True)
    return notification
