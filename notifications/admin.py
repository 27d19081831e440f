from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification
from school.admin_scoping import SchoolScopedAdmin, register_school_path

register_school_path("notifications.Notification", "school")


@admin.register(Notification)
class NotificationAdmin(SchoolScopedAdmin):
    list_display = [
        "created_at",
        "kind",
        "student",
        "user",
        "channel",
        "language",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "kind", "channel", "language"]
    search_fields = ["dedup_key", "student__last_name", "user__username"]
    list_select_related = ["student", "user"]
    # The text and its facts are left out: a sign-in link must not be readable here (the log
    # page and the API show the text of the other kinds).
    exclude = ["body", "context"]
    readonly_fields = [
        *(f.name for f in Notification._meta.fields if f.name not in ("body", "context")),
        "shown_body",
    ]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    @admin.display(description=_("rendered text"))
    def shown_body(self, obj: Notification) -> str:
        return obj.shown_body
