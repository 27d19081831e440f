"""Messages for the notifications tests: a moment at noon in Athens, a lesson's facts,
and queueing one event for some students."""

import datetime as dt

from notifications.services import Recipient, notification_queue

NOON = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # 12:00 in Athens

CONTEXT = {
    "cycle": "A1-2026-A",
    "date": "2026-11-23",
    "starts_at": "17:00",
    "ends_at": "20:00",
    "venue": "Centre",
    "room": "",
}


def queue(school, students, kind="lesson_cancelled", key="event:1", due_at=NOON):
    return notification_queue(
        school=school,
        kind=kind,
        recipients=[Recipient(student=s) for s in students],
        context=CONTEXT,
        dedup_key=key,
        due_at=due_at,
    )
