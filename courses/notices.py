"""What the cycle's people are told when a lesson or a seat changes: queued in the outbox.

The outbox (``notifications``) sends them; here we only decide who hears what, with plain values
so that the outbox needs to know nothing about courses.
"""

import datetime as dt

from django.utils import timezone

from courses.models import Attendance, Enrollment, Lesson
from courses.selectors import at_risk_enrollments
from notifications.services import Recipient, notification_queue
from school.choices import Role
from school.models import School, User


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


# -- scheduled notices (run by beat; each is idempotent through its deduplication key) ------------


def lessons_tomorrow(*, now: dt.datetime | None = None) -> int:
    """Remind each enrolled student of tomorrow's lessons, due at 16:00 the day before."""
    now = now or timezone.now()
    queued = 0
    for school in School.objects.all():
        local = now.astimezone(school.zone)
        tomorrow = local.date() + dt.timedelta(days=1)
        due = max(now, local.replace(hour=16, minute=0, second=0, microsecond=0))
        lessons = Lesson.objects.filter(
            cycle__school=school, date=tomorrow, status=Lesson.Status.SCHEDULED
        ).select_related("cycle__school", "cycle__venue", "room__venue")
        for lesson in lessons:
            queued += notification_queue(
                school=school,
                kind="lesson_tomorrow",
                recipients=_enrolled_students(lesson),
                context=_lesson_context(lesson),
                dedup_key=f"lesson-tomorrow:{lesson.pk}:{lesson.date}:{lesson.starts_at:%H%M}",
                due_at=due,
            )
    return queued


def absence_alerts(*, today: dt.date | None = None) -> int:
    """Tell a student who has missed the school's number of lessons (2 by default), with the
    dates; again at twice that number, and so on, never twice for the same count."""
    queued = 0
    for school in School.objects.all():
        day = today or school.today()
        every = max(1, school.at_risk_consecutive_absences)
        absences: dict[int, list[dt.date]] = {}
        for enrollment_id, date in (
            Attendance.objects.filter(
                status="absent",
                lesson__status=Lesson.Status.HELD,
                enrollment__status=Enrollment.Status.ENROLLED,
                enrollment__cycle__school=school,
                enrollment__cycle__ends_on__gte=day,
            )
            .order_by("lesson__date")
            .values_list("enrollment_id", "lesson__date")
        ):
            absences.setdefault(enrollment_id, []).append(date)
        due = {pk: dates for pk, dates in absences.items() if len(dates) >= every}
        for enrollment in Enrollment.objects.filter(pk__in=due).select_related("student", "cycle"):
            dates = due[enrollment.pk]
            queued += notification_queue(
                school=school,
                kind="absence_alert",
                recipients=[Recipient(student=enrollment.student)],
                context={
                    "cycle": enrollment.cycle.code,
                    "count": len(dates),
                    "dates": ", ".join(d.strftime("%d/%m") for d in dates[-5:]),
                },
                dedup_key=f"absence-alert:{enrollment.pk}:{len(dates) // every}",
            )
    return queued


def at_risk_digest(*, today: dt.date | None = None) -> int:
    """Once a day, the school's coordinators get the list of students at risk."""
    queued = 0
    for school in School.objects.all():
        day = today or school.today()
        enrollments = at_risk_enrollments(school_id=school.pk, today=day, extended_limits=True)
        if not enrollments:
            continue
        lines = [f"- {e.student.full_name} ({e.cycle.code})" for e in enrollments[:50]]
        coordinators = User.objects.filter(school=school, role=Role.COORDINATOR, is_active=True)
        queued += notification_queue(
            school=school,
            kind="at_risk_digest",
            recipients=[Recipient(user=user) for user in coordinators],
            context={"count": len(enrollments), "students": "\n".join(lines)},
            dedup_key=f"at-risk-digest:{school.pk}:{day}",
        )
    return queued
