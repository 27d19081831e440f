"""Days the school is closed besides public holidays."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from courses import services
from courses.models import Closure
from school.choices import Role
from school.permissions import RolePermission, request_school


class ClosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Closure
        fields = ["id", "starts_on", "ends_on", "reason"]


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
    read_roles = Role.STAFF
    write_roles = (Role.COORDINATOR,)

    def get_queryset(self) -> QuerySet[Closure]:
        return Closure.objects.filter(school=request_school(self.request)).order_by(
            "starts_on", "pk"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        closure = services.closure_create(
            school=request_school(request), **serializer.validated_data
        )
        return Response(self.get_serializer(closure).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Closure) -> None:
        services.closure_delete(closure=instance)
