"""Everything that reads the outbox with a shape: the message log."""

import datetime as dt

from django.db.models import Count, Min, Q, QuerySet

from notifications.models import Notification
from school.choices import Role
from school.models import User
from school.scoping import Scope, both, of_school, visible_to

# The school's office reads its message log (``school.scoping``); messages to people who are
# neither students nor users (applicants) only its coordinators, who alone see applicants.
NOTIFICATIONS = Scope(
    Notification,
    {
        Role.COORDINATOR: of_school(),
        Role.AUDITOR: both(of_school(), lambda user: Q(person="")),
    },
)


def notifications_visible_to(*, user: User) -> QuerySet[Notification]:
    return visible_to(user, NOTIFICATIONS)


def notification_log(
    *, user: User, status: str = "", kind: str = "", channel: str = ""
) -> QuerySet[Notification]:
    """The messages the user may see, newest first, with their student or user, narrowed to
    a status, kind and channel when given: one query."""
    notifications = notifications_visible_to(user=user).select_related("student", "user")
    filters = {"status": status, "kind": kind, "channel": channel}
    for name, value in filters.items():
        if value:
            notifications = notifications.filter(**{name: value[:50]})
    return notifications.order_by("-created_at", "-pk")


def outbox_by_status() -> dict[str, int]:
    """Messages per status (queued, sent, failed) in the whole installation: one query."""
    counts = dict.fromkeys(Notification.Status.values, 0)
    rows = Notification.objects.order_by().values_list("status").annotate(count=Count("pk"))
    counts.update(dict(rows))
    return counts


def outbox_oldest_due(*, now: dt.datetime) -> dt.datetime | None:
    """When the oldest message that is due and still queued fell due (a message held for the
    morning is not late): one query."""
    return Notification.objects.filter(
        status=Notification.Status.QUEUED, due_at__lte=now
    ).aggregate(oldest=Min("due_at"))["oldest"]
