"""Everything that reads the outbox with a shape: the message log."""

from django.db.models import QuerySet

from notifications.models import Notification
from school.choices import Role
from school.models import User
from school.scoping import Scope, of_school, visible_to

# The school's office reads its message log (``school.scoping``).
NOTIFICATIONS = Scope(Notification, dict.fromkeys(Role.OFFICE, of_school()))


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
