"""The funder's operations and participations (API.md, "Added with the next wave").

Operations: the office reads, coordinators write. Participations: read by the office of the
school; entry answers are frozen (corrections go through the service with a reason) and the
special-category answers are not here (see ``students/{id}/special-category/``).
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from courses.selectors.participations import (
    operations_visible_to,
    participation_list,
    participations_missing,
)
from school.api.filters import IdFilter, IdFilterSet
from school.choices import Role
from school.models import EntryAnswers, Exit, FollowUp, Operation, Participation
from school.permissions import RolePermission, request_school, request_user
from school.services import participation as participations


class OperationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operation
        fields = ["id", "code", "programme_period", "starts_on", "ends_on", "funder"]
        # Uniqueness is checked by the service, with the school in hand.
        validators: list[Any] = []

    def validate_code(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("An operation needs its code.")
        return value


class OperationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A school's funded operations: code, programme period, dates, funder."""

    queryset = Operation.objects.none()
    serializer_class = OperationSerializer
    permission_classes = [RolePermission]
    read_roles = Role.OFFICE
    write_roles = (Role.COORDINATOR,)
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["programme_period"]

    def get_queryset(self) -> QuerySet[Operation]:
        return operations_visible_to(user=request_user(self.request)).order_by("starts_on", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        operation = participations.operation_create(
            school=request_school(request), **serializer.validated_data
        )
        return Response(self.get_serializer(operation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        operation = self.get_object()
        serializer = self.get_serializer(operation, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        operation = participations.operation_update(
            operation=operation, **serializer.validated_data
        )
        return Response(self.get_serializer(operation).data)


class EntryAnswersSerializer(serializers.ModelSerializer):
    nationality = serializers.CharField(source="nationality.code", allow_null=True)

    class Meta:
        model = EntryAnswers
        fields = [
            "answered_on", "source", "consent_version", "gender", "date_of_birth", "nationality",
            "labour_market_status", "unemployed_months", "isced_level", "household_jobless",
            "household_dependent_children", "household_single_adult", "foreign_background",
            "other_disadvantage", "homeless", "rural_area",
        ]  # fmt: skip


class ExitAnswersSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exit
        fields = ["in_education", "employed", "job_searching"]


class ExitSerializer(serializers.ModelSerializer):
    answers = serializers.SerializerMethodField()
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Exit
        fields = ["date", "reason", "answers", "answered_on", "source", "late"]

    @extend_schema_field(ExitAnswersSerializer(allow_null=True))
    def get_answers(self, exit_: Exit) -> dict[str, Any] | None:
        return ExitAnswersSerializer(exit_).data if exit_.answered_on else None


class FollowUpSerializer(serializers.ModelSerializer):
    exit_date = serializers.DateField(source="exit.date")

    class Meta:
        model = FollowUp
        fields = ["exit_date", "answered_on", "source", "employed", "improved_situation"]


class ParticipationSerializer(serializers.ModelSerializer):
    entry_answers = serializers.SerializerMethodField()
    exits = ExitSerializer(many=True, read_only=True)
    follow_up = serializers.SerializerMethodField()

    class Meta:
        model = Participation
        fields = ["id", "student", "operation", "entry_date", "entry_answers", "exits", "follow_up"]

    @extend_schema_field(EntryAnswersSerializer(allow_null=True))
    def get_entry_answers(self, participation: Participation) -> dict[str, Any] | None:
        entry = getattr(participation, "entry_answers", None)
        return EntryAnswersSerializer(entry).data if entry is not None else None

    @extend_schema_field(FollowUpSerializer(allow_null=True))
    def get_follow_up(self, participation: Participation) -> dict[str, Any] | None:
        for exit_ in reversed(participation.exits.all()):
            follow_up = getattr(exit_, "follow_up", None)
            if follow_up is not None:
                return FollowUpSerializer(follow_up).data
        return None


class CycleFilter(IdFilter):
    """``?cycle=<id>``: the participants of that cycle, in the cycle's operation."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value in (None, ""):
            return qs
        qs = super().filter(qs, value)
        return qs.filter(operation__cycles=value).distinct()


class ParticipationFilter(IdFilterSet):
    cycle = CycleFilter(field_name="student__enrollments__cycle", distinct=True)
    missing = django_filters.ChoiceFilter(
        choices=[("entry", "entry"), ("exit", "exit")], method="filter_missing"
    )

    class Meta:
        model = Participation
        fields = ["operation", "cycle"]

    def filter_missing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return participations_missing(queryset, value) if value else queryset


class ParticipationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """One student in one operation: the entry date, the entry answers frozen at entry, each
    exit with its answers (``late`` when given before the exit or more than 4 weeks after it),
    and the six-month follow-up. Filters ``operation``, ``cycle``, ``missing`` (``entry``,
    ``exit``)."""

    queryset = Participation.objects.none()
    serializer_class = ParticipationSerializer
    permission_classes = [RolePermission]
    read_roles = Role.OFFICE
    write_roles = ()
    filterset_class = ParticipationFilter

    def get_queryset(self) -> QuerySet[Participation]:
        return participation_list(user=request_user(self.request))
