"""Taking attendance: a lesson's marks all at once, with their history."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from courses.models import Attendance, Enrollment, Lesson
from courses.services.participation import participations_sync
from school.choices import Role
from school.errors import ConflictError
from school.models import Teacher, User

# -- attendance ---------------------------------------------------------------------------------


@transaction.atomic
def attendance_save(
    *,
    lesson: Lesson,
    marks: Sequence[tuple[int, str]],
    by: User,
    topic: str | None = None,
    now: dt.datetime | None = None,
) -> Lesson:
    """Record a lesson's marks all at once: all or nothing, and sending them twice is harmless.

    1. Lock the lesson. A cancelled lesson, or one that has not started, takes no attendance.
    2. A lesson older than the school's correction window needs a coordinator.
    3. Every mark names an enrollment of this cycle (not a waitlisted one), once, with a
       known status; one bad mark refuses them all.
    4. Write only the marks that changed, each with its history (who, when, before, after).
    5. Record the topic covered and the teacher who took it. The lesson is held once every
       enrolled student has a mark; until then it keeps waiting for attendance, so the
       teacher finds it again on their page (and a half-taken roster counts in no figure).
    6. Entry dates follow the first lesson each student attended.
    """
    lesson = (
        Lesson.objects.select_for_update(of=("self",))
        .select_related("cycle__school")
        .get(pk=lesson.pk)
    )
    school = lesson.cycle.school
    if lesson.status == Lesson.Status.CANCELLED:
        raise ConflictError(_("This lesson was cancelled; it takes no attendance."))
    now = now or timezone.now()
    starts = dt.datetime.combine(lesson.date, lesson.starts_at, tzinfo=school.zone)
    if starts > now:
        raise ConflictError(_("This lesson has not started yet."))
    local_today = timezone.localdate(now, timezone=school.zone)
    if (
        local_today - lesson.date
    ).days > school.attendance_edit_days and by.role != Role.COORDINATOR:
        raise PermissionDenied(
            _("Attendance older than %(days)s days is corrected by a coordinator.")
            % {"days": school.attendance_edit_days}
        )

    allowed = dict(
        Enrollment.objects.filter(cycle_id=lesson.cycle_id)
        .exclude(status=Enrollment.Status.WAITLISTED)
        .values_list("pk", "status")
    )
    errors: list[str] = []
    wanted: dict[int, str] = {}
    for enrollment_id, status in marks:
        if enrollment_id not in allowed:
            errors.append(
                _("Enrollment %(id)s is not on this lesson's roster.") % {"id": enrollment_id}
            )
        elif status not in Attendance.Status.values:
            errors.append(_("%(status)s is not an attendance mark.") % {"status": str(status)[:20]})
        elif enrollment_id in wanted:
            errors.append(_("Enrollment %(id)s is marked twice.") % {"id": enrollment_id})
        else:
            wanted[enrollment_id] = status
    if errors:
        raise ValidationError({"marks": errors})

    existing = {
        a.enrollment_id: a
        for a in Attendance.objects.filter(lesson=lesson, enrollment_id__in=wanted)
    }
    changed = [a for eid, a in existing.items() if a.status != wanted[eid]]
    for attendance in changed:
        attendance.status = wanted[attendance.enrollment_id]
        attendance.marked_by = by
        attendance.marked_at = now
    new = [
        Attendance(enrollment_id=eid, lesson=lesson, status=status, marked_by=by, marked_at=now)
        for eid, status in wanted.items()
        if eid not in existing
    ]
    if changed:
        bulk_update_with_history(
            changed,
            Attendance,
            ["status", "marked_by", "marked_at"],
            default_user=by,
            default_date=now,
        )
    if new:
        bulk_create_with_history(new, Attendance, default_user=by, default_date=now)

    # One statement, whatever changed: held when nobody enrolled is left unmarked (a held
    # lesson stays held: a student enrolled later does not reopen it), the topic, and the
    # teacher who took it.
    unmarked = (
        Enrollment.objects.filter(cycle_id=lesson.cycle_id, status=Enrollment.Status.ENROLLED)
        .exclude(attendance__lesson=lesson)
        .count()
    )
    if unmarked == 0:
        lesson.status = Lesson.Status.HELD
    updates: dict[str, Any] = {"status": lesson.status}
    if topic is not None:
        updates["topic"] = topic.strip()[:300]
    if by.role == Role.TEACHER:
        updates["teacher"] = Subquery(Teacher.objects.filter(user_id=by.pk).values("pk")[:1])
    Lesson.objects.filter(pk=lesson.pk).update(**updates)
    lesson.topic = updates.get("topic", lesson.topic)
    lesson.unmarked_count = unmarked  # type: ignore[attr-defined]

    touched = [a.enrollment_id for a in changed] + [a.enrollment_id for a in new]
    if touched:
        first_attended = (
            Attendance.objects.filter(
                enrollment=OuterRef("pk"), status__in=["present", "late"], lesson__status="held"
            )
            .order_by("lesson__date")
            .values("lesson__date")[:1]
        )
        Enrollment.objects.filter(pk__in=touched).update(entry_date=Subquery(first_attended))
        participations_sync(touched)
    return lesson
