"""The exams API: rounds, registrations, results, pass rates."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.api.fields import SchoolScopedPrimaryKeyField
from courses.models import Cycle, Level
from exams import services
from exams.models import ExamRegistration, ExamResult, ExamRound, PassRateCell
from exams.selectors import (
    exam_registration_list,
    exam_result_list,
    exam_round_list,
    pass_rates,
    registrations_visible_to,
)
from school.choices import Role
from school.models import Student
from school.permissions import RolePermission, request_school, request_user

LANGUAGE_SKILLS = ("reading", "writing", "listening", "speaking")


class RegisterCycleSerializer(serializers.Serializer):
    cycle = SchoolScopedPrimaryKeyField(queryset=Cycle.objects.all())


class SkippedSerializer(serializers.Serializer):
    student = serializers.IntegerField()
    reason = serializers.CharField()


class RegisteredSerializer(serializers.Serializer):
    registered = serializers.ListField(child=serializers.IntegerField())
    skipped = SkippedSerializer(many=True)


class ExamRoundSerializer(serializers.ModelSerializer):
    level = serializers.SlugRelatedField(
        source="scheme.level", slug_field="code", queryset=Level.objects.all()
    )
    exam_type: serializers.SlugRelatedField = serializers.SlugRelatedField(
        source="scheme.exam_type", slug_field="code", read_only=True
    )
    registered_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ExamRound
        fields = [
            "id", "name", "level", "exam_type", "registration_deadline", "exam_date", "centre",
            "results_published_on", "registered_count",
        ]  # fmt: skip
        # The rules (dates in order, an exam set up at the level, one round of a name) are the
        # services'.
        validators: list[Any] = []


def _round_fields(request: Request, validated: dict[str, Any]) -> dict[str, Any]:
    """The round's fields for its service: ``level`` (given as the scheme's), and ``exam_type``
    as sent, if sent: not a field of the round, it picks the scheme with the level."""
    fields = dict(validated)
    scheme = fields.pop("scheme", None)
    if scheme is not None:
        fields["level"] = scheme["level"]
    data = request.data if isinstance(request.data, dict) else {}
    if "exam_type" in data:
        fields["exam_type"] = data["exam_type"]
    return fields


class ExamRoundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Exam rounds: rounds move, so PATCH their dates. POST ``exam_type`` (default
    ``ellinomatheia``) with ``level`` to pick the exam."""

    queryset = ExamRound.objects.none()
    serializer_class = ExamRoundSerializer
    permission_classes = [RolePermission]
    read_roles = Role.ALL
    write_roles = (Role.COORDINATOR,)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ExamRound]:
        return exam_round_list(user=request_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exam_round = services.exam_round_create(
            school=request_school(request), **_round_fields(request, serializer.validated_data)
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=exam_round.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        exam_round = self.get_object()
        serializer = self.get_serializer(exam_round, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.exam_round_update(
            exam_round=exam_round, **_round_fields(request, serializer.validated_data)
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=exam_round.pk)).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=RegisterCycleSerializer, responses=RegisteredSerializer)
    @action(detail=True, methods=["post"], url_path="register-cycle")
    def register_cycle(self, request: Request, pk: str | None = None) -> Response:
        """Register every eligible student of a cycle (``{"cycle": id}``); lists who was skipped and why."""
        exam_round = self.get_object()  # first: a foreign round is a 404 whatever the body
        serializer = RegisterCycleSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        registered, skipped = services.exam_registrations_for_cycle(
            cycle=serializer.validated_data["cycle"],
            exam_round=exam_round,
            registered_by=request_user(request),
        )
        return Response(
            {
                "registered": [r.pk for r in registered],
                "skipped": [{"student": s.pk, "reason": reason} for s, reason in skipped],
            }
        )


class ExamRegistrationSerializer(serializers.ModelSerializer):
    student = SchoolScopedPrimaryKeyField(queryset=Student.objects.all())
    exam_round = SchoolScopedPrimaryKeyField(queryset=ExamRound.objects.all())
    student_name = serializers.CharField(source="student.full_name", read_only=True)
    override_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=300,
        help_text="A coordinator's reason to register a student the rules would not.",
    )  # fmt: skip

    class Meta:
        model = ExamRegistration
        fields = [
            "id", "student", "student_name", "exam_round", "cycle", "registered_at",
            "eligibility_override_reason", "override_reason",
        ]  # fmt: skip
        read_only_fields = ["cycle", "registered_at", "eligibility_override_reason"]
        validators: list[Any] = []


class ExamRegistrationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Exam registrations: eligible when the student completed or is in a cycle of the round's
    level and is old enough; after the deadline a registration is 409."""

    queryset = ExamRegistration.objects.none()
    serializer_class = ExamRegistrationSerializer
    permission_classes = [RolePermission]
    read_roles = Role.ALL
    write_roles = (Role.COORDINATOR,)
    filterset_fields = ["exam_round", "student"]

    def get_queryset(self) -> QuerySet[ExamRegistration]:
        return exam_registration_list(user=request_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        registration = services.exam_registration_create(
            student=data["student"],
            exam_round=data["exam_round"],
            registered_by=request_user(request),
            override_reason=data.get("override_reason", ""),
        )
        return Response(self.get_serializer(registration).data, status=status.HTTP_201_CREATED)


class PointsField(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=5, decimal_places=2, required=False, **kwargs)


class ExamResultSerializer(serializers.ModelSerializer):
    registration = serializers.PrimaryKeyRelatedField(queryset=ExamRegistration.objects.all())
    reading = PointsField()
    writing = PointsField()
    listening = PointsField()
    speaking = PointsField()
    points = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2),
        required=False,
        help_text="Points of other modules by skill code (e.g. history-culture).",
    )
    grade = serializers.ChoiceField(
        choices=ExamResult.Grade.choices,
        read_only=True,
        allow_null=True,
        help_text="The grade band of a pass; null for a fail.",
    )

    class Meta:
        model = ExamResult
        fields = [
            "id", "registration", *LANGUAGE_SKILLS, "points", "total", "max_total", "passed", "grade",
            "certificate_number", "recorded_at",
        ]  # fmt: skip
        read_only_fields = ["total", "max_total", "passed", "grade", "recorded_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and getattr(request.user, "is_authenticated", False):
            fields["registration"].queryset = registrations_visible_to(user=request.user)  # type: ignore[attr-defined]
        return fields

    def to_representation(self, instance: ExamResult) -> dict[str, Any]:
        data = super().to_representation(instance)
        # Points as strings with two decimals, like ``total`` (DRF's decimal format).
        scores = {score.skill.code: str(score.points) for score in instance.scores.all()}
        for skill in LANGUAGE_SKILLS:
            data[skill] = scores.pop(skill, None)
        data["points"] = scores
        data["grade"] = instance.grade or None  # a fail has no grade band
        return data


def _points(data: dict[str, Any]) -> dict[str, Any]:
    points = dict(data.get("points") or {})
    points.update({skill: data[skill] for skill in LANGUAGE_SKILLS if skill in data})
    return points


class ExamResultViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Results: points per skill within bounds; ``total``, ``passed`` and ``grade`` follow the
    official rule (every skill at its threshold; grade bands on the total)."""

    queryset = ExamResult.objects.none()
    serializer_class = ExamResultSerializer
    permission_classes = [RolePermission]
    read_roles = Role.ALL
    write_roles = (Role.COORDINATOR,)
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["registration__exam_round", "passed"]

    def get_queryset(self) -> QuerySet[ExamResult]:
        return exam_result_list(user=request_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.exam_result_record(
            registration=data["registration"],
            points=_points(data),
            recorded_by=request_user(request),
            certificate_number=data.get("certificate_number"),
            create_only=True,
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=result.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        result = self.get_object()
        serializer = self.get_serializer(result, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        current = {score.skill.code: score.points for score in result.scores.all()}
        current.update(_points(data))
        services.exam_result_record(
            registration=result.registration,
            points=current,
            recorded_by=request_user(request),
            certificate_number=data.get("certificate_number"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=result.pk)).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)


class PassRateSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    candidates = serializers.IntegerField()
    passed = serializers.IntegerField()
    pass_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False, allow_null=True
    )


class PassRateQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=PassRateCell.Breakdown.choices)
    # "from" and "to" are the query parameters' names; "from" is a Python keyword.
    vars()["from"] = serializers.DateField(required=False)
    to = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": [_("The period starts after it ends.")]})
        return attrs


class PassRatesView(APIView):
    """Pass rates by a breakdown over exam dates ``from``..``to`` (worked out in the background)."""

    permission_classes = [RolePermission]
    read_roles = Role.OFFICE

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, required=True, enum=PassRateCell.Breakdown.values),
            OpenApiParameter("from", dt.date),
            OpenApiParameter("to", dt.date),
        ],
        responses=PassRateSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = PassRateQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        period = query.validated_data
        rows = pass_rates(
            school_id=request_school(request).pk,
            by=period["by"],
            start=period.get("from"),
            end=period.get("to"),
        )
        return Response(PassRateSerializer(rows, many=True).data)
