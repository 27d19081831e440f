from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolConfig(AppConfig):
    name = "school"
    verbose_name = _("School")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from school import checks  # noqa: F401 - registers the system checks
        from school.middleware import remember_two_factor

        user_logged_in.connect(remember_two_factor, dispatch_uid="school.remember_two_factor")
