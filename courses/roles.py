"""What each role may do with this app's models (``school.roles`` gives it to the role groups)."""

from school.choices import Role
from school.roles import ALL_ACTIONS, permissions

MODELS = [
    "level",
    "cycle",
    "timetableslot",
    "closure",
    "lesson",
    "enrollment",
    "placementdecision",
    "attendance",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COORDINATOR: [
        *permissions("courses", MODELS, ALL_ACTIONS),
        # Applicants and offers change through the queue's services only; the admin reads.
        "courses.view_applicant",
        "courses.view_seatoffer",
        *permissions("courses", ["placementsession"], ("view", "add", "change")),
    ],
    Role.TEACHER: [
        "courses.view_level",
        "courses.view_cycle",
        "courses.view_lesson",
        "courses.change_lesson",
        "courses.view_enrollment",
        "courses.view_attendance",
        "courses.add_attendance",
        "courses.change_attendance",
    ],
    Role.AUDITOR: permissions("courses", MODELS, ("view",)),
}
