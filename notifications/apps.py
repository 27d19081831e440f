from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications.data_subject import register_parts

        # The student's data this app holds, for exports and anonymisation (school/data_subject).
        register_parts()
