from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("Exams")

    def ready(self) -> None:
        from exams import demo, parts
        from exams.data_subject import register_parts
        from exams.roles import ROLE_PERMISSIONS
        from school.roles import role_permissions_register

        # The student's data this app holds, for exports and anonymisation (school/data_subject).
        register_parts()
        # Registers the ESF participants and exam results workbooks with the report job.
        from exams import exports  # noqa: F401

        # Exams and pass rates on the pages the school app frames (the student's page, the
        # office dashboard, the calendar feed), this app's part of the demo school, and what
        # each role may do with its models.
        parts.register()
        demo.register()
        role_permissions_register("exams", ROLE_PERMISSIONS)
