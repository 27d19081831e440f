from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from courses import services
from courses.api.fields import ClockTimeField, SchoolScopedPrimaryKeyField
from courses.models import Attendance, Lesson
from courses.selectors import lessons_visible_to, roster_for_lesson
from school.api.filters import IdFilterSet
from school.choices import Role
from school.models import Room
from school.permissions import RolePermission, request_user, sees_special_category

MOVE_FIELDS = {"date", "starts_at", "ends_at", "room"}


class LessonSerializer(serializers.ModelSerializer):
    cycle_code = serializers.CharField(source="cycle.code", read_only=True)
    starts_at = ClockTimeField(required=False)
    ends_at = ClockTimeField(required=False)
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


class RosterEntrySerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(source="pk")
    student = serializers.IntegerField(source="student_id")
    name = serializers.CharField(source="student.full_name")
    status = serializers.CharField(source="mark", allow_null=True)
    attendance_rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, coerce_to_string=False
    )
    at_risk = serializers.BooleanField()


class MarkSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Attendance.Status.choices)


class MarksSerializer(serializers.Serializer):
    """``PUT`` takes the list of marks, or ``{"marks": [...], "topic": "..."}`` to record the
    topic covered in the same request."""

    marks = MarkSerializer(many=True, max_length=1000)  # type: ignore[call-arg]
    topic = serializers.CharField(max_length=300, required=False, allow_blank=True)


class LessonFilter(IdFilterSet):
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Lesson
        fields = ["cycle", "date", "status"]


class LessonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Lessons of the cycles the user may see. PATCH ``status`` to cancel (the students are
    told), ``topic`` to record what was covered, ``date``/``starts_at``/``ends_at``/``room`` to move."""

    queryset = Lesson.objects.none()
    serializer_class = LessonSerializer
    permission_classes = [RolePermission]
    read_roles = Role.ALL
    read_roles_by_action = {"attendance": Role.STAFF}
    write_roles = (Role.COORDINATOR, Role.TEACHER)
    http_method_names = ["get", "put", "patch", "head", "options"]
    filterset_class = LessonFilter

    def get_queryset(self) -> QuerySet[Lesson]:
        lessons = lessons_visible_to(user=request_user(self.request))
        # The roster takes its absence limits from the cycle's school.
        related = "cycle__school" if self.action == "attendance" else "cycle"
        return lessons.select_related(related).order_by("date", "starts_at", "pk")

    @extend_schema(methods=["GET"], responses=RosterEntrySerializer(many=True))
    @extend_schema(
        methods=["PUT"], request=MarksSerializer, responses=RosterEntrySerializer(many=True)
    )
    # The whole roster as a bare list, as API.md promises (a class is small): no pages, so
    # ``page`` and ``page_size`` change nothing, and no lesson filters.
    @action(detail=True, methods=["get", "put"], pagination_class=None, filter_backends=[])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """The lesson's roster with each student's mark, the whole class as one list (not
        paginated); PUT sets all marks at once, all or nothing, and answers the roster."""
        lesson = self.get_object()
        if request.method == "PUT":
            data = request.data if isinstance(request.data, dict) else {"marks": request.data}
            serializer = MarksSerializer(data=data)
            serializer.is_valid(raise_exception=True)
            services.attendance_save(
                lesson=lesson,
                marks=[(m["enrollment"], m["status"]) for m in serializer.validated_data["marks"]],
                topic=serializer.validated_data.get("topic"),
                by=request_user(request),
            )
        roster = roster_for_lesson(
            lesson=lesson, extended_limits=sees_special_category(request.user)
        )
        # The rows as RosterEntrySerializer describes them, built directly: the busiest read of
        # the site need not pay a serializer field per value.
        return Response(
            [
                {
                    "enrollment": entry.pk,
                    "student": entry.student_id,
                    "name": entry.full_name,
                    "status": entry.mark,
                    "attendance_rate": entry.attendance_rate,
                    "at_risk": entry.at_risk,
                }
                for entry in roster
            ]
        )

    # Lessons change field by field (PATCH), each change through its service; there is no PUT of
    # a whole lesson, so the router offers none.
    @extend_schema(request=LessonSerializer, responses=LessonSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lesson = self.get_object()
        serializer = self.get_serializer(lesson, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moving = MOVE_FIELDS & set(data)
        if moving and request_user(request).role != Role.COORDINATOR:
            raise PermissionDenied(_("Only a coordinator moves lessons."))
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
