from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("Exams")

    def ready(self) -> None:
        # Registers the ESF participants and exam results workbooks with the report job.
        from exams import exports  # noqa: F401
