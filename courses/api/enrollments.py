from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from courses import services
from courses.api.fields import SchoolScopedPrimaryKeyField
from courses.models import Cycle, Enrollment, Level, PlacementDecision
from courses.selectors import enrollment_list
from school.choices import Role
from school.models import Student
from school.permissions import RolePermission, request_school, request_user, sees_special_category


class EnrollmentSerializer(serializers.ModelSerializer):
    student = SchoolScopedPrimaryKeyField(queryset=Student.objects.all())
    cycle = SchoolScopedPrimaryKeyField(queryset=Cycle.objects.all())
    student_name = serializers.CharField(source="student.full_name", read_only=True)
    cycle_code = serializers.CharField(source="cycle.code", read_only=True)
    attendance_rate = serializers.DecimalField(
        max_digits=6,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        coerce_to_string=False,
        help_text="Hours attended / hours held so far (0-1); null before any held lesson.",
    )
    at_risk = serializers.BooleanField(
        read_only=True,
        help_text="Absent N lessons in a row (the school's N), or past the absence limit.",
    )

    class Meta:
        model = Enrollment
        fields = [
            "id", "student", "student_name", "cycle", "cycle_code", "status", "waitlist_position",
            "applied_at", "entry_date", "exit_date", "withdrawal_reason", "attendance_rate", "at_risk",
        ]  # fmt: skip
        read_only_fields = [
            "status", "waitlist_position", "applied_at", "entry_date", "exit_date", "withdrawal_reason",
        ]  # fmt: skip
        validators: list[Any] = []


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class EnrollmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Enrollments: POST enrolls while seats are free, otherwise waitlists with a position."""

    queryset = Enrollment.objects.none()
    serializer_class = EnrollmentSerializer
    permission_classes = [RolePermission]
    read_roles = Role.ALL
    write_roles = (Role.COORDINATOR,)
    filterset_fields = ["cycle", "student", "status"]

    def get_queryset(self) -> QuerySet[Enrollment]:
        user = request_user(self.request)
        return enrollment_list(user=user, extended_limits=sees_special_category(user))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment = services.enrollment_create(**serializer.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=enrollment.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=WithdrawSerializer, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw with a reason; the freed seat goes to the first on the waitlist, who is told."""
        enrollment = self.get_object()  # first: a foreign enrollment is a 404 whatever the body
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment = services.enrollment_withdraw(
            enrollment=enrollment, reason=serializer.validated_data["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=enrollment.pk)).data)

    @extend_schema(request=None, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def promote(self, request: Request, pk: str | None = None) -> Response:
        """Give this waitlisted student a free seat by hand, ahead of the queue."""
        enrollment = services.enrollment_promote(enrollment=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=enrollment.pk)).data)


class PlacementSerializer(serializers.ModelSerializer):
    student = SchoolScopedPrimaryKeyField(queryset=Student.objects.all())
    level = serializers.SlugRelatedField(slug_field="code", queryset=Level.objects.all())
    decided_by: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True
    )

    class Meta:
        model = PlacementDecision
        fields = ["id", "student", "level", "decided_by", "decided_on", "note"]
        extra_kwargs = {"decided_on": {"required": False}}


class PlacementViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Placement decisions: a student may join a level without its prerequisite."""

    queryset = PlacementDecision.objects.none()
    serializer_class = PlacementSerializer
    permission_classes = [RolePermission]
    read_roles = Role.OFFICE
    write_roles = (Role.COORDINATOR,)
    filterset_fields = ["student", "level__code"]

    def get_queryset(self) -> QuerySet[PlacementDecision]:
        return (
            PlacementDecision.objects.filter(student__school=request_school(self.request))
            .select_related("level")
            .order_by("-decided_on", "pk")
        )

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = services.placement_record(
            decided_by=request_user(self.request),
            **serializer.validated_data,
        )
