"""Everything that reads cycles, lessons and enrollments with a shape, by job: cycles and their
pages (``cycles``), a teacher's or a student's lessons (``lessons``), attendance figures
(``attendance``) and what each role may see (``scoping``). Import from here."""

from courses.selectors.attendance import (
    ATTENDED,
    MISSED,
    RATE,
    EnrollmentPage,
    MarkChange,
    at_risk_enrollments,
    attendance_history,
    attendance_saved_since,
    enrollment_list,
    enrollment_page,
    enrollments_with_absences,
    quotient,
    roster_for_lesson,
    student_attendance,
    with_attendance_stats,
)
from courses.selectors.cycles import (
    CyclePage,
    cycle_list,
    cycle_page,
    cycles_open,
    cycles_with_counts,
    running_cycles,
    students_to_enroll,
)
from courses.selectors.lessons import lessons_of_student, lessons_of_teacher
from courses.selectors.scoping import (
    certificates_visible_to,
    cycles_visible_to,
    enrollments_for_certificates,
    enrollments_visible_to,
    lessons_visible_to,
    students_visible_to,
)

__all__ = [
    "ATTENDED",
    "MISSED",
    "RATE",
    "CyclePage",
    "EnrollmentPage",
    "MarkChange",
    "at_risk_enrollments",
    "attendance_history",
    "attendance_saved_since",
    "certificates_visible_to",
    "cycle_list",
    "cycle_page",
    "cycles_open",
    "cycles_visible_to",
    "cycles_with_counts",
    "enrollment_list",
    "enrollment_page",
    "enrollments_for_certificates",
    "enrollments_visible_to",
    "enrollments_with_absences",
    "lessons_of_student",
    "lessons_of_teacher",
    "lessons_visible_to",
    "quotient",
    "roster_for_lesson",
    "running_cycles",
    "student_attendance",
    "students_to_enroll",
    "students_visible_to",
    "with_attendance_stats",
]
