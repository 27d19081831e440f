"""The message log."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from notifications.models import Notification
from notifications.selectors import notification_log
from notifications.services import notification_resend
from school.api.filters import IdFilterSet
from school.choices import Role
from school.permissions import RolePermission, request_user


class NotificationSerializer(serializers.ModelSerializer):
    recipient = serializers.SerializerMethodField()
    body = serializers.CharField(source="shown_body", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id", "recipient", "student", "user", "channel", "kind", "language", "status", "attempts",
            "last_error", "due_at", "sent_at", "created_at", "body",
        ]  # fmt: skip
        read_only_fields = fields

    def get_recipient(self, notification: Notification) -> str:
        person: Any = notification.student or notification.user
        # Applicants have neither: their messages carry the name they applied with.
        return str(person) if person else str(notification.context.get("recipient", ""))


class NotificationFilter(IdFilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = Notification
        fields = ["status", "kind", "channel", "student", "user"]


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The message log: every SMS and e-mail, its status and attempts; resend a failed one."""

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    permission_classes = [RolePermission]
    read_roles = Role.OFFICE
    write_roles = (Role.COORDINATOR,)
    filterset_class = NotificationFilter

    def get_queryset(self) -> QuerySet[Notification]:
        return notification_log(user=request_user(self.request))

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str | None = None) -> Response:
        """Queue a failed message again."""
        notification = notification_resend(notification=self.get_object())
        return Response(self.get_serializer(notification).data)
