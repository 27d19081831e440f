from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from courses import services
from courses.api.fields import SchoolScopedPrimaryKeyField
from courses.models import Lesson
from courses.selectors import lessons_visible_to
from school.models import Room
from school.permissions import RolePermission, request_user

MOVE_FIELDS = {"date", "starts_at", "ends_at", "room"}


class LessonSerializer(serializers.ModelSerializer):
    cycle_code = serializers.CharField(source="cycle.code", read_only=True)
    starts_at = serializers.TimeField(format="%H:%M", required=False)
    ends_at = serializers.TimeField(format="%H:%M", required=False)
    room = SchoolScopedPrimaryKeyField(
        queryset=Room.objects.all(), school_path="venue__school", allow_null=True, required=False
    )

    class Meta:
        model = Lesson
        fields = [
            "id", "cycle", "cycle_code", "date", "starts_at", "ends_at", "hours", "status", "topic",
            "room", "teacher", "moved_from_date",
        ]  # fmt: skip
        read_only_fields = ["cycle", "hours", "teacher", "moved_from_date"]


class LessonFilter(django_filters.FilterSet):
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Lesson
        fields = ["cycle", "date", "status"]


class LessonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Lessons of the cycles the user may see. PATCH ``status`` to cancel (the students are
    told), ``topic`` to record what was covered, ``date``/``starts_at``/``ends_at``/``room`` to move."""

    queryset = Lesson.objects.none()
    serializer_class = LessonSerializer
    permission_classes = [RolePermission]
    read_roles = ("coordinator", "auditor", "teacher", "student")
    write_roles = ("coordinator", "teacher")
    http_method_names = ["get", "patch", "head", "options"]
    filterset_class = LessonFilter

    def get_queryset(self) -> QuerySet[Lesson]:
        return (
            lessons_visible_to(user=request_user(self.request))
            .select_related("cycle")
            .order_by("date", "starts_at", "pk")
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lesson = self.get_object()
        serializer = self.get_serializer(lesson, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moving = MOVE_FIELDS & set(data)
        if moving and request_user(request).role != "coordinator":
            raise PermissionDenied("Only a coordinator moves lessons.")
        if data.get("status") == Lesson.Status.CANCELLED:
            lesson = services.lesson_cancel(lesson=lesson)
        elif moving:
            lesson = services.lesson_move(
                lesson=lesson,
                date=data.get("date"),
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
                room=data.get("room", "unchanged"),
            )
        if (
            "topic" in data
            or data.get("status", Lesson.Status.CANCELLED) != Lesson.Status.CANCELLED
        ):
            lesson = services.lesson_update(
                lesson=lesson, topic=data.get("topic"), status=data.get("status")
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=lesson.pk)).data)
