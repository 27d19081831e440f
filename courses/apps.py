from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        # Registers the attendance sheets with the report job of the school app.
        from courses import exports  # noqa: F401
