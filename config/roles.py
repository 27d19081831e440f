"""What each role may do, as Django permissions on the role's group.

The API and pages scope every query by role and school as well; these permissions decide what
the admin shows and are the switch for special-category data (``view_specialcategorydata``).
"""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from school.choices import Role

SCHOOL_MODELS = ["venue", "room", "teacher", "student"]
COURSE_MODELS = [
    "level",
    "cycle",
    "timetableslot",
    "closure",
    "lesson",
    "enrollment",
    "placementdecision",
    "attendance",
]
EXAM_MODELS = [
    "examtype",
    "examscheme",
    "examskill",
    "examround",
    "examregistration",
    "examresult",
    "skillscore",
]


def _all(app: str, models: list[str], actions: tuple[str, ...]) -> list[str]:
    return [f"{app}.{action}_{model}" for model in models for action in actions]


ALL_ACTIONS = ("view", "add", "change", "delete")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COORDINATOR: [
        *_all("school", SCHOOL_MODELS, ALL_ACTIONS),
        *_all("school", ["specialcategorydata"], ("view", "add", "change")),
        "school.view_specialcategoryread",
        *_all("school", ["retentionperiod"], ALL_ACTIONS),
        "school.view_school",
        "school.change_school",
        "school.view_user",
        *_all("courses", COURSE_MODELS, ALL_ACTIONS),
        *_all("exams", EXAM_MODELS, ALL_ACTIONS),
        "notifications.view_notification",
    ],
    Role.TEACHER: [
        "school.view_student",
        "courses.view_level",
        "courses.view_cycle",
        "courses.view_lesson",
        "courses.change_lesson",
        "courses.view_enrollment",
        "courses.view_attendance",
        "courses.add_attendance",
        "courses.change_attendance",
    ],
    Role.STUDENT: [],
    # Read-only across the school; special-category data stays out.
    Role.AUDITOR: [
        *_all(
            "school",
            [*SCHOOL_MODELS, "school", "specialcategoryread", "retentionperiod"],
            ("view",),
        ),
        *_all("courses", COURSE_MODELS, ("view",)),
        *_all("exams", EXAM_MODELS, ("view",)),
        "notifications.view_notification",
    ],
}


def sync_role_groups(**kwargs: Any) -> None:
    """Create one group per role holding exactly that role's permissions."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = Q(pk__in=[])
        for name in names:
            app_label, codename = name.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))
