"""The coordinator's queue through the API: applicants and their steps, and placement tests.

Coordinators of the school only: applicants have not joined, so teachers, auditors and
students get 403, and another school's applicant is a 404 like an unknown one.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from courses.api.fields import SchoolScopedPrimaryKeyField
from courses.models import Applicant, Availability, Cycle, Level, PlacementSession, SeatOffer
from courses.selectors.intake import (
    applicants_filtered,
    applicants_visible_to,
    placement_sessions_visible_to,
)
from courses.services import intake
from school.api.filters import MAX_ID, IdFilter, IdFilterSet
from school.choices import Role
from school.models import Venue
from school.permissions import RolePermission, request_school, request_user

# -- applicants -------------------------------------------------------------------------------


class OpenOfferSerializer(serializers.ModelSerializer):
    cycle_code = serializers.CharField(source="cycle.code", read_only=True)

    class Meta:
        model = SeatOffer
        fields = ["id", "cycle", "cycle_code", "offered_at", "expires_at"]


class ApplicantSerializer(serializers.ModelSerializer):
    placement_level: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="The level code (A1, A2, ...) once placed.",
    )
    # As stored: empty when not given, or once erased.
    phone = serializers.CharField(read_only=True, help_text="E.164, or empty.")
    email = serializers.CharField(read_only=True, help_text="An address, or empty.")
    nationality = serializers.CharField(
        read_only=True, help_text="An ISO 3166 country code, or empty."
    )
    availability = serializers.ListField(
        child=serializers.ChoiceField(choices=Availability.choices),
        source="availability_codes",
        read_only=True,
    )
    referrer_name = serializers.CharField(source="referrer.name", read_only=True, default=None)
    open_offer = serializers.SerializerMethodField(
        help_text="The seat offer waiting for the applicant's answer, if any."
    )

    class Meta:
        model = Applicant
        fields = [
            "id", "reference", "status", "first_name", "last_name", "first_name_latin",
            "last_name_latin", "phone", "email", "language", "nationality", "date_of_birth",
            "gender", "greek_level", "availability", "referrer", "referrer_name", "duplicate_of",
            "session", "placement_level", "placement_notes", "declined_reason", "student",
            "enrollment", "open_offer", "applied_at", "invited_at", "placed_at", "offered_at",
            "enrolled_at", "closed_at", "erased_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenOfferSerializer(allow_null=True))
    def get_open_offer(self, applicant: Applicant) -> dict[str, Any] | None:
        offers = getattr(applicant, "open_offers", [])
        return OpenOfferSerializer(offers[0]).data if offers else None


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "enum": ["self"]},
        ],
        "description": "A partner organisation's id, or `self` for those who came by "
        "themselves. An id that is unknown or not visible to you gives an empty list.",
    }
)
class ReferrerFilter(IdFilter):
    """``?referrer=<id>`` like every id filter, or ``?referrer=self``."""

    class field_class(forms.IntegerField):  # django-filter names the attribute so
        def to_python(self, value: Any) -> Any:
            if isinstance(value, str) and value.strip() == "self":
                return "self"
            return super().to_python(value)

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value == "self":
            return qs.filter(referrer__isnull=True)
        if value is not None and not 0 < value <= MAX_ID:
            return qs.none()
        return super(IdFilter, self).filter(qs, value)


class ApplicantFilterSet(IdFilterSet):
    status = django_filters.ChoiceFilter(choices=Applicant.Status.choices)
    level = django_filters.CharFilter(
        method="by_level", help_text="A level code (A1, A2, ...): the placement level."
    )
    referrer = ReferrerFilter(field_name="referrer")
    availability = django_filters.ChoiceFilter(
        choices=Availability.choices, method="by_availability"
    )

    class Meta:
        model = Applicant
        fields = ["status", "level", "referrer", "availability"]

    def by_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return applicants_filtered(queryset, level=value.strip()[:10]) if value else queryset

    def by_availability(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return applicants_filtered(queryset, availability=value)


class InviteSerializer(serializers.Serializer):
    session = SchoolScopedPrimaryKeyField(queryset=PlacementSession.objects.all())


class PlaceSerializer(serializers.Serializer):
    level = serializers.SlugRelatedField(slug_field="code", queryset=Level.objects.all())
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class OfferSerializer(serializers.Serializer):
    cycle = SchoolScopedPrimaryKeyField(queryset=Cycle.objects.all())
    hours = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=intake.MAX_OFFER_HOURS,
        help_text="How long the seat is held for the applicant's answer (default 48).",
    )


class SeatOfferSerializer(serializers.ModelSerializer):
    cycle_code = serializers.CharField(source="cycle.code", read_only=True)

    class Meta:
        model = SeatOffer
        fields = ["id", "applicant", "cycle", "cycle_code", "status", "offered_at", "expires_at"]
        read_only_fields = fields


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class MergeSerializer(serializers.Serializer):
    into = SchoolScopedPrimaryKeyField(
        queryset=Applicant.objects.all(),
        help_text="The earlier application this one duplicates; this one is closed.",
    )


class ApplicantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applicants, oldest application first, and the steps a coordinator takes with them."""

    queryset = Applicant.objects.none()
    serializer_class = ApplicantSerializer
    permission_classes = [RolePermission]
    read_roles = (Role.COORDINATOR,)
    write_roles = (Role.COORDINATOR,)
    filterset_class = ApplicantFilterSet

    def get_queryset(self) -> QuerySet[Applicant]:
        return applicants_visible_to(user=request_user(self.request))

    def _respond(self, applicant: Applicant) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=applicant.pk)).data)

    @extend_schema(request=InviteSerializer, responses=ApplicantSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        """Invite to a placement test with a free seat; the applicant gets the date and place
        by SMS, and a reminder the day before. 409 when their state or the test does not
        allow it."""
        applicant = self.get_object()  # first: a foreign applicant is a 404 whatever the body
        serializer = InviteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        applicant = intake.applicant_invite(
            applicant=applicant,
            session=serializer.validated_data["session"],
            by=request_user(request),
        )
        return self._respond(applicant)

    @extend_schema(request=PlaceSerializer, responses=ApplicantSerializer)
    @action(detail=True, methods=["post"])
    def place(self, request: Request, pk: str | None = None) -> Response:
        """Record the placement result: the level (a code) and notes."""
        applicant = self.get_object()
        serializer = PlaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        applicant = intake.applicant_place(
            applicant=applicant,
            level=serializer.validated_data["level"],
            notes=serializer.validated_data.get("notes", ""),
            by=request_user(request),
        )
        return self._respond(applicant)

    @extend_schema(
        request=OfferSerializer, responses={status.HTTP_201_CREATED: SeatOfferSerializer}
    )
    @action(detail=True, methods=["post"])
    def offer(self, request: Request, pk: str | None = None) -> Response:
        """Offer a placed applicant a seat in a cycle of their level, held until
        ``expires_at``; they get a link by SMS to accept or refuse."""
        applicant = self.get_object()
        serializer = OfferSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        offer = intake.applicant_offer(
            applicant=applicant,
            cycle=serializer.validated_data["cycle"],
            hours=serializer.validated_data.get("hours"),
            by=request_user(request),
        )
        return Response(SeatOfferSerializer(offer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DeclineSerializer, responses=ApplicantSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Close the application with a reason (kept for the office); an open offer is
        withdrawn and its seat passes on."""
        applicant = self.get_object()
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        applicant = intake.applicant_decline(
            applicant=applicant,
            reason=serializer.validated_data["reason"],
            by=request_user(request),
        )
        return self._respond(applicant)

    @extend_schema(request=MergeSerializer, responses=ApplicantSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Fold this application (a duplicate) into an earlier one; answers the one kept."""
        applicant = self.get_object()
        serializer = MergeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        kept = intake.applicant_merge(
            duplicate=applicant, into=serializer.validated_data["into"], by=request_user(request)
        )
        return self._respond(kept)


# -- placement tests --------------------------------------------------------------------------


class PlacementSessionSerializer(serializers.ModelSerializer):
    venue = SchoolScopedPrimaryKeyField(
        queryset=Venue.objects.all(), allow_null=True, required=False
    )
    where = serializers.CharField(read_only=True)
    invited_count = serializers.IntegerField(
        read_only=True, help_text="Applicants invited and not yet placed."
    )
    capacity = serializers.IntegerField(min_value=1, max_value=500)

    class Meta:
        model = PlacementSession
        fields = ["id", "starts_at", "venue", "place", "where", "capacity", "invited_count"]


class PlacementSessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Placement tests: a time, a place and a number of seats applicants are invited to."""

    queryset = PlacementSession.objects.none()
    serializer_class = PlacementSessionSerializer
    permission_classes = [RolePermission]
    read_roles = (Role.COORDINATOR,)
    write_roles = (Role.COORDINATOR,)
    filterset_fields: list[str] = []

    def get_queryset(self) -> QuerySet[PlacementSession]:
        return placement_sessions_visible_to(user=request_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = intake.placement_session_create(
            school=request_school(request), **serializer.validated_data
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=session.pk)).data,
            status=status.HTTP_201_CREATED,
        )
