from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WiringConfig(AppConfig):
    """The wiring: the admin's title and the periodic jobs' schedules. Pages, commands and
    demo data live in the apps whose data they show or change."""

    name = "config"
    label = "config"
    verbose_name = _("School office")

    def ready(self) -> None:
        from django.contrib import admin

        from config.schedules import sync_periodic_tasks

        # The admin speaks of the product, in the reader's language, not of "Django".
        admin.site.site_header = _("School office")
        admin.site.site_title = _("School office")

        # Periodic jobs declared in code, created in django-celery-beat's tables on migrate.
        post_migrate.connect(sync_periodic_tasks, dispatch_uid="config.sync_periodic_tasks")
