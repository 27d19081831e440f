from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from courses import demo, demo_intake, demo_questionnaires, parts
        from courses.data_subject import register_parts
        from courses.roles import ROLE_PERMISSIONS
        from school.roles import role_permissions_register

        # The student's data this app holds, for exports and anonymisation (school/data_subject).
        register_parts()
        # Registers the attendance sheets with the report job of the school app.
        from courses import exports  # noqa: F401

        # Lessons, attendance and cycles on the pages the school app frames (the student's page,
        # the office dashboard, the calendar feed), this app's part of the demo school, and
        # what each role may do with its models.
        parts.register()
        demo.register()
        demo_questionnaires.register()
        demo_intake.register()
        role_permissions_register("courses", ROLE_PERMISSIONS)
