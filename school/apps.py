from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SchoolConfig(AppConfig):
    name = "school"
    verbose_name = _("School")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from school import checks  # noqa: F401 - registers the system checks
        from school.calendar_feed import calendar_link
        from school.frames import STUDENT_PAGE, PagePart
        from school.middleware import remember_two_factor
        from school.roles import ROLE_PERMISSIONS, role_permissions_register, sync_role_groups

        user_logged_in.connect(remember_two_factor, dispatch_uid="school.remember_two_factor")
        # Keep each role's group holding exactly the permissions the apps grant it, after every
        # migrate (the apps above register theirs in their own ready()).
        role_permissions_register("school", ROLE_PERMISSIONS)
        post_migrate.connect(sync_role_groups, dispatch_uid="school.sync_role_groups")
        # The student's page ends with their calendar link.
        STUDENT_PAGE.register(
            PagePart("calendar", 40, "school/parts/student_calendar.html", calendar_link)
        )
