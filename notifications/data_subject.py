"""The messages sent to a student, for export and anonymisation."""

from typing import Any

from notifications.models import Notification
from school.data_subject import Part, register
from school.data_subject import rows_of as _rows
from school.models import Student


def _export(student: Student) -> list[dict[str, Any]]:
    rows = _rows(
        Notification.objects.filter(student=student)
        .order_by("created_at")
        .values("kind", "channel", "address", "subject", "body", "status", "sent_at")
    )
    # A sign-in link may still work: whoever handles the request must not be able to use it.
    for row in rows:
        if row["kind"] in Notification.PRIVATE_KINDS:
            row["body"] = str(Notification(kind=row["kind"]).shown_body)
    return rows


def _anonymise(student: Student) -> None:
    # The texts carry the student's name and the address their phone number or e-mail; the
    # counts of messages by kind and status stay.
    Notification.objects.filter(student=student).update(
        address="", subject="", body="", context={}, last_error=""
    )


def register_parts() -> None:
    register(Part("messages", _export, _anonymise))
