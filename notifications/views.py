"""The coordinator's message log page."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.models import Notification
from notifications.selectors import notification_log, notifications_visible_to
from notifications.services import notification_resend
from notifications.texts import TEXTS, kind_name
from school.choices import Role
from school.errors import ConflictError
from school.permissions import SignedInRequest, role_required

PAGE = 100


@role_required(*Role.OFFICE)
def log(request: SignedInRequest) -> HttpResponse:
    """The latest messages, filtered by status, kind and channel (one query)."""
    filters = {name: request.GET.get(name, "") for name in ("status", "kind", "channel")}
    notifications = notification_log(user=request.user, **filters)
    return render(
        request,
        "notifications/log.html",
        {
            "notifications": notifications[:PAGE],
            "filters": filters,
            "statuses": Notification.Status.choices,
            "channels": Notification.Channel.choices,
            # Every kind by its name in the reader's language, so nobody types a code.
            "kinds": sorted(
                ((kind, kind_name(kind, get_language())) for kind in TEXTS),
                key=lambda pair: pair[1].casefold(),
            ),
        },
    )


@require_POST
@role_required(Role.COORDINATOR)
def resend(request: SignedInRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(notifications_visible_to(user=request.user), pk=pk)
    try:
        notification_resend(notification=notification)
    except ConflictError as error:
        # Say why, as the API does (409), rather than coming back as if it had worked.
        messages.error(request, error.message)
    else:
        messages.success(request, _("Queued again."))
    return redirect("office-notifications")
