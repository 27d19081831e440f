from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications.data_subject import register_parts
        from notifications.roles import ROLE_PERMISSIONS
        from school.roles import role_permissions_register

        # The student's data this app holds, for exports and anonymisation (school/data_subject).
        register_parts()
        # What each role may do with this app's models (school/roles).
        role_permissions_register("notifications", ROLE_PERMISSIONS)
