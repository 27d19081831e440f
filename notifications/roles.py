"""What each role may do with this app's models (``school.roles`` gives it to the role groups)."""

from school.choices import Role

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COORDINATOR: ["notifications.view_notification"],
    Role.AUDITOR: ["notifications.view_notification"],
}
