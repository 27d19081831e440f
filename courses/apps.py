from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from courses.data_subject import register_parts

        # The student's data this app holds, for exports and anonymisation (school/data_subject).
        register_parts()
        # Registers the attendance sheets with the report job of the school app.
        from courses import exports  # noqa: F401
