from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WiringConfig(AppConfig):
    """The top: pages that compose every app, demo data, and the role groups' permissions."""

    name = "config"
    label = "config"
    verbose_name = _("School office")

    def ready(self) -> None:
        from django.contrib import admin

        from config.roles import sync_role_groups
        from config.schedules import sync_periodic_tasks

        # The admin speaks of the product, in the reader's language, not of "Django".
        admin.site.site_header = _("School office")
        admin.site.site_title = _("School office")

        # Keep each role's group holding exactly its permissions after every migrate.
        post_migrate.connect(sync_role_groups, dispatch_uid="config.sync_role_groups")
        post_migrate.connect(sync_periodic_tasks, dispatch_uid="config.sync_periodic_tasks")
