"""What the cycle's people are told when a lesson or a seat changes: queued in the outbox.

The outbox (``notifications``) sends them; here we only decide who hears what, with plain values
so that the outbox needs to know nothing about courses.
"""

from courses.models import Enrollment, Lesson
from notifications.services import Recipient, notification_queue
from school.choices import Role
from school.models import User


def _lesson_context(lesson: Lesson) -> dict[str, str | None]:
    room = lesson.room
    return {
        "cycle": lesson.cycle.code,
        "date": lesson.date.isoformat(),
        "starts_at": lesson.starts_at.strftime("%H:%M"),
        "ends_at": lesson.ends_at.strftime("%H:%M"),
        "venue": room.venue.name
        if room
        else (lesson.cycle.venue.name if lesson.cycle.venue else None),
        "room": room.name if room else None,
        "moved_from": lesson.moved_from_date.isoformat() if lesson.moved_from_date else None,
    }


def _enrolled_students(lesson: Lesson) -> list[Recipient]:
    enrollments = Enrollment.objects.filter(
        cycle_id=lesson.cycle_id, status=Enrollment.Status.ENROLLED
    ).select_related("student")
    return [Recipient(student=e.student) for e in enrollments]


def lesson_cancelled(lesson: Lesson) -> int:
    return notification_queue(
        school=lesson.cycle.school,
        kind="lesson_cancelled",
        recipients=_enrolled_students(lesson),
        context=_lesson_context(lesson),
        dedup_key=f"lesson-cancelled:{lesson.pk}",
    )


def lesson_moved(lesson: Lesson) -> int:
    # Each move is its own event: a lesson moved twice is announced twice.
    return notification_queue(
        school=lesson.cycle.school,
        kind="lesson_moved",
        recipients=_enrolled_students(lesson),
        context=_lesson_context(lesson),
        dedup_key=f"lesson-moved:{lesson.pk}:{lesson.date}:{lesson.starts_at:%H%M}",
    )


def waitlist_promoted(enrollment: Enrollment) -> int:
    """The promoted student hears they have a seat; the school's coordinators hear who got it."""
    cycle = enrollment.cycle
    context = {
        "cycle": cycle.code,
        "level": cycle.level.code,
        "starts_on": cycle.starts_on.isoformat(),
        "student": enrollment.student.full_name,
    }
    coordinators = User.objects.filter(
        school_id=cycle.school_id, role=Role.COORDINATOR, is_active=True
    )
    told = notification_queue(
        school=cycle.school,
        kind="waitlist_promoted",
        recipients=[Recipient(student=enrollment.student)],
        context=context,
        dedup_key=f"waitlist-promoted:{enrollment.pk}",
    )
    return told + notification_queue(
        school=cycle.school,
        kind="waitlist_promoted_coordinator",
        recipients=[Recipient(user=user) for user in coordinators],
        context=context,
        dedup_key=f"waitlist-promoted:{enrollment.pk}",
    )
