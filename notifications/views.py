"""The coordinator's message log page."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.models import Notification
from notifications.services import notification_resend
from notifications.texts import TEXTS, kind_name
from school.choices import Role
from school.permissions import SignedInRequest, request_school, role_required

PAGE = 100


@role_required(Role.COORDINATOR, Role.AUDITOR)
def log(request: SignedInRequest) -> HttpResponse:
    """The latest messages, filtered by status, kind and channel (one query)."""
    notifications = Notification.objects.filter(school=request_school(request)).select_related(
        "student", "user"
    )
    filters = {name: request.GET.get(name, "") for name in ("status", "kind", "channel")}
    for name, value in filters.items():
        if value:
            notifications = notifications.filter(**{name: value[:50]})
    return render(
        request,
        "notifications/log.html",
        {
            "notifications": notifications.order_by("-created_at", "-pk")[:PAGE],
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
    notification = get_object_or_404(Notification, pk=pk, school=request_school(request))
    if notification.status == Notification.Status.FAILED:
        notification_resend(notification=notification)
        messages.success(request, _("Queued again."))
    else:
        # Say why, as the API does (409), rather than coming back as if it had worked.
        messages.error(request, _("Only a failed message can be sent again."))
    return redirect("office-notifications")
