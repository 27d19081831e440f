"""What each role may do with this app's models (``school.roles`` gives it to the role groups)."""

from school.choices import Role
from school.roles import ALL_ACTIONS, permissions

MODELS = [
    "examtype",
    "examscheme",
    "examskill",
    "examround",
    "examregistration",
    "examresult",
    "skillscore",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COORDINATOR: permissions("exams", MODELS, ALL_ACTIONS),
    Role.AUDITOR: permissions("exams", MODELS, ("view",)),
}
