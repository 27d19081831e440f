from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from courses import services
from courses.api.fields import ClockTimeField, SchoolScopedPrimaryKeyField
from courses.api.lessons import LessonSerializer
from courses.calendar import Slot
from courses.models import Cycle, Level
from courses.selectors import cycle_list
from school.choices import Role
from school.models import Operation, Room, Teacher, Venue
from school.permissions import RolePermission, request_school, request_user


class TimetableSlotSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(
        min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday"
    )
    starts_at = ClockTimeField()
    ends_at = ClockTimeField()


class CycleSerializer(serializers.ModelSerializer):
    level = serializers.SlugRelatedField(slug_field="code", queryset=Level.objects.all())
    venue = SchoolScopedPrimaryKeyField(
        queryset=Venue.objects.all(), allow_null=True, required=False
    )
    room = SchoolScopedPrimaryKeyField(
        queryset=Room.objects.all(), school_path="venue__school", allow_null=True, required=False
    )
    teachers = SchoolScopedPrimaryKeyField(
        queryset=Teacher.objects.all(), many=True, required=False
    )
    operation = SchoolScopedPrimaryKeyField(
        queryset=Operation.objects.all(),
        required=False,
        help_text="The funded operation; by default the school's operation running on its start.",
    )
    timetable = TimetableSlotSerializer(many=True, required=False)
    enrolled_count = serializers.IntegerField(read_only=True)
    waitlist_count = serializers.IntegerField(read_only=True)
    cancelled = serializers.SerializerMethodField()

    class Meta:
        model = Cycle
        fields = [
            "id", "code", "section", "level", "starts_on", "ends_on", "capacity", "total_hours",
            "venue", "room", "teachers", "timetable", "absence_limit_percent", "operation", "cancelled",
            "enrolled_count", "waitlist_count",
        ]  # fmt: skip
        # Uniqueness and the rest are checked by the service, with the school in hand.
        validators: list[Any] = []

    def get_cancelled(self, cycle: Cycle) -> bool:
        return cycle.cancelled_at is not None

    def validate_code(self, value: str) -> str:
        return value.strip()


class CompletionSerializer(serializers.Serializer):
    completed = serializers.IntegerField()
    over_absence_limit = serializers.IntegerField()
    waitlist_closed = serializers.IntegerField()


def _slots(data: list[dict[str, Any]] | None) -> list[Slot] | None:
    if data is None:
        return None
    return [Slot(d["weekday"], d["starts_at"], d["ends_at"]) for d in data]


class ReorderSerializer(serializers.Serializer):
    order = serializers.ListField(child=serializers.IntegerField(), max_length=1000)


class CycleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Course cycles: level, dates, weekly timetable, seats, hours, teachers and venue."""

    queryset = Cycle.objects.none()
    serializer_class = CycleSerializer
    permission_classes = [RolePermission]
    read_roles = Role.ALL
    write_roles = (Role.COORDINATOR,)
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["level__code", "venue"]

    def get_queryset(self) -> QuerySet[Cycle]:
        return cycle_list(user=request_user(self.request))

    def _respond(self, cycle: Cycle, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=cycle.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cycle = services.cycle_create(
            school=request_school(request),
            timetable=_slots(data.pop("timetable", [])) or [],
            teachers=data.pop("teachers", []),
            **data,
        )
        return self._respond(cycle, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        cycle = self.get_object()
        serializer = self.get_serializer(cycle, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.cycle_update(
            cycle=cycle,
            timetable=_slots(data.pop("timetable", None)),
            teachers=data.pop("teachers", None),
            **data,
        )
        return self._respond(cycle)

    @extend_schema(request=None, responses=LessonSerializer(many=True))
    @action(
        detail=True,
        methods=["post"],
        url_path="generate-lessons",
        pagination_class=None,
        filter_backends=[],
    )
    def generate_lessons(self, request: Request, pk: str | None = None) -> Response:
        """Create the cycle's lessons from its timetable, skipping holidays and closures;
        idempotent. Answers all the cycle's lessons as one list (not paginated)."""
        lessons = services.lessons_generate(cycle=self.get_object())
        return Response(LessonSerializer(lessons, many=True).data)

    @extend_schema(request=ReorderSerializer, responses={200: ReorderSerializer})
    @action(detail=True, methods=["post"])
    def waitlist(self, request: Request, pk: str | None = None) -> Response:
        """Reorder the waitlist: ``{"order": [enrollment ids, first first]}``."""
        cycle = self.get_object()  # first: another school's cycle is a 404 whatever the body
        serializer = ReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ordered = services.waitlist_reorder(cycle=cycle, order=serializer.validated_data["order"])
        return Response({"order": [e.pk for e in ordered]})

    @extend_schema(request=None, responses=CompletionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Close an ended cycle: completed within the absence limit, withdrawn beyond it."""
        return Response(services.cycle_complete(cycle=self.get_object()))
