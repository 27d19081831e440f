"""Days the school is closed besides public holidays."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets

from courses.models import Closure
from school.permissions import RolePermission, request_school


class ClosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Closure
        fields = ["id", "starts_on", "ends_on", "reason"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["ends_on"] < attrs["starts_on"]:
            raise serializers.ValidationError(
                {"ends_on": [_("A closure ends on or after its first day.")]}
            )
        return attrs


class ClosureViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Days the school is closed besides public holidays; lessons generated later skip them."""

    queryset = Closure.objects.none()
    serializer_class = ClosureSerializer
    permission_classes = [RolePermission]
    read_roles = ("coordinator", "auditor", "teacher")
    write_roles = ("coordinator",)

    def get_queryset(self) -> QuerySet[Closure]:
        return Closure.objects.filter(school=request_school(self.request)).order_by(
            "starts_on", "pk"
        )

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.save(school=request_school(self.request))
