"""POST /api/v1/applications/: anyone applies to a school (an NGO's own form, an app), as on
the public page. No account, no session: no cookie, so no CSRF token to ask for."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django_countries import countries
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.forms_intake import (
    EMAIL_MAX,
    NAME_MAX,
    PHONE_MAX,
    availability_check,
    birth_date_check,
    latin_name_check,
    phone_e164,
)
from courses.models import Availability, GreekLevel
from courses.services import intake
from school.choices import Gender
from school.models import PartnerOrganisation, School

# Ids the database can hold: anything larger "does not exist" rather than overflow.
LARGEST_ID = 2**31 - 1


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$", "maxLength": 60},
        ],
        "description": "The school's id, or its slug (the /apply/<slug>/ of its page).",
        "example": "athens-social-school",
    }
)
class SchoolField(serializers.Field):
    default_error_messages = {
        "unknown": _("No school has this id or address."),
        "invalid": _("Give the school's id or its slug."),
    }

    def to_internal_value(self, data: Any) -> School:
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        text = str(data).strip()[:60]
        if text.isascii() and text.isdigit():
            school_id = int(text)
            found = School.objects.filter(pk=school_id).first() if school_id <= LARGEST_ID else None
        else:
            found = School.objects.filter(slug=text).first()
        if found is None:
            self.fail("unknown")
        return found

    def to_representation(self, value: School) -> str:
        return value.slug


class ApplicationSerializer(serializers.Serializer):
    school = SchoolField()
    first_name = serializers.CharField(max_length=NAME_MAX)
    last_name = serializers.CharField(max_length=NAME_MAX)
    first_name_latin = serializers.CharField(max_length=NAME_MAX, validators=[latin_name_check])
    last_name_latin = serializers.CharField(max_length=NAME_MAX, validators=[latin_name_check])
    phone = serializers.CharField(
        max_length=PHONE_MAX,
        help_text="E.164 (+306912345678); a number without a country code is read as one of "
        "the school's country (PHONE_DEFAULT_REGION).",
    )
    email = serializers.EmailField(max_length=EMAIL_MAX, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    nationality = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code.")
    date_of_birth = serializers.DateField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    greek_level = serializers.ChoiceField(choices=GreekLevel.choices)
    availability = serializers.ListField(
        child=serializers.ChoiceField(choices=Availability.choices),
        min_length=1,
        max_length=len(Availability.values),
    )
    referrer = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=LARGEST_ID,
        help_text="A partner organisation of the school; absent or null: the applicant came "
        "by themself.",
    )
    consent_version = serializers.ChoiceField(
        choices=[intake.CONSENT_VERSION],
        help_text="The version of the consent text the applicant agreed to.",
    )

    def validate_phone(self, value: str) -> str:
        return _as_drf(phone_e164, value)

    def validate_nationality(self, value: str) -> str:
        code = value.strip().upper()
        if code not in countries:
            raise serializers.ValidationError(_("Give a country code such as AF, SY or UA."))
        return code

    def validate_availability(self, value: list[str]) -> list[str]:
        return _as_drf(availability_check, value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        school: School = attrs["school"]
        _as_drf(birth_date_check, attrs["date_of_birth"], school.today(), field="date_of_birth")
        referrer_id = attrs.get("referrer")
        attrs["referrer"] = None
        if referrer_id is not None:
            attrs["referrer"] = PartnerOrganisation.objects.filter(
                pk=referrer_id, school=school, active=True
            ).first()
            if attrs["referrer"] is None:
                raise serializers.ValidationError(
                    {"referrer": _("Choose one of the organisations listed.")}
                )
        return attrs


def _as_drf(check: Any, *args: Any, field: str | None = None) -> Any:
    try:
        result = check(*args)
    except DjangoValidationError as error:
        messages = error.messages
        raise serializers.ValidationError({field: messages} if field else messages) from None
    return args[0] if result is None else result


class ApplicationReceivedSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="The applicant quotes it when they call.")


class ApplicationView(APIView):
    """Apply to a school: the same checks, duplicate flag, consent record and SMS as the
    public page. Rate-limited per client address and per phone (429)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=ApplicationSerializer,
        responses={201: ApplicationReceivedSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = ApplicationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        school = data.pop("school")
        try:
            applicant = intake.application_submit(
                school=school,
                form=intake.ApplicationForm(email=data.pop("email", ""), **data),
                client_ip=request.META.get("REMOTE_ADDR", ""),
            )
        except intake.TooManyApplications:
            return Response(
                {"detail": _("Too many applications from here or this phone: try again later.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        return Response({"reference": applicant.reference}, status=status.HTTP_201_CREATED)
