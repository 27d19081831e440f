"""Everything that writes cycles, lessons, enrollments, placements and attendance, by job:
the weekly timetable's rules (``timetable``), cycles (``cycles``), lessons (``lessons``),
closures (``closures``), prerequisites and placements (``placement``), enrollment and the
waitlist (``enrollment``), closing a cycle (``completion``) and attendance (``attendance``).

Rules of DOMAIN.md §3 (at most 4 teaching hours a day, ending by 22:00, no Sundays or public
holidays) and the enrollment rules live here and nowhere else. Import from here:
``from courses import services; services.enrollment_create(...)``.
"""

from courses.services.attendance import attendance_save
from courses.services.certificates import (
    certificate_code,
    certificate_figures,
    certificate_issue,
    certificate_revoke,
)
from courses.services.closures import closure_create, closure_delete
from courses.services.completion import cycle_complete
from courses.services.cycles import CYCLE_FIELDS, cycle_cancel, cycle_create, cycle_update
from courses.services.enrollment import (
    PARKING,
    enrollment_create,
    enrollment_promote,
    enrollment_withdraw,
    waitlist_move,
    waitlist_reorder,
)
from courses.services.lessons import (
    lesson_cancel,
    lesson_move,
    lesson_update,
    lessons_generate,
    lessons_regenerate,
)
from courses.services.placement import placement_record
from courses.services.timetable import MAX_HOURS_A_DAY, SUNDAY, timetable_validate

__all__ = [
    "CYCLE_FIELDS",
    "MAX_HOURS_A_DAY",
    "PARKING",
    "SUNDAY",
    "attendance_save",
    "certificate_code",
    "certificate_figures",
    "certificate_issue",
    "certificate_revoke",
    "closure_create",
    "closure_delete",
    "cycle_cancel",
    "cycle_complete",
    "cycle_create",
    "cycle_update",
    "enrollment_create",
    "enrollment_promote",
    "enrollment_withdraw",
    "lesson_cancel",
    "lesson_move",
    "lesson_update",
    "lessons_generate",
    "lessons_regenerate",
    "placement_record",
    "timetable_validate",
    "waitlist_move",
    "waitlist_reorder",
]
