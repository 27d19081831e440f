from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("Exams")

    def ready(self) -> None:
        from exams.data_subject import register_parts

        # The student's data this app holds, for exports and anonymisation (school/data_subject).
        register_parts()
        # Registers the ESF participants and exam results workbooks with the report job.
        from exams import exports  # noqa: F401
