from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from courses.selectors import students_visible_to
from school import services as school_services
from school.choices import Role
from school.models import SpecialCategoryData, Student
from school.permissions import (
    RolePermission,
    request_school,
    request_user,
    sees_special_category,
)
from school.selectors import special_category_read

PARTICIPANT_FIELDS = [
    "entry_form_on", "labour_market_status", "unemployed_months", "isced_level",
    "household_jobless", "household_dependent_children", "household_single_adult",
    "foreign_background", "other_disadvantage", "homeless", "rural_area", "exit_form_on",
    "exit_in_education", "exit_employed", "exit_job_searching", "qualification_gained_on",
]  # fmt: skip


class StudentSerializer(serializers.ModelSerializer):
    """A student with the funder's participant record (special-category data is never here)."""

    phone = PhoneNumberField(required=False, allow_blank=True)
    # django-countries' own field: a blank nationality comes out as "", not an object.
    nationality = CountryField(required=False, allow_blank=True)

    class Meta:
        model = Student
        fields = [
            "id", "first_name", "last_name", "first_name_latin", "last_name_latin", "date_of_birth", "gender", "nationality", "language",
            "phone", "email", *PARTICIPANT_FIELDS,
        ]  # fmt: skip
        read_only_fields = ["qualification_gained_on"]


class TeacherViewOfStudentSerializer(serializers.ModelSerializer):
    """What a teacher sees of their students: a name (also in Latin letters, to read it aloud)
    and the language to speak to them in."""

    class Meta:
        model = Student
        fields = [
            "id",
            "first_name",
            "last_name",
            "first_name_latin",
            "last_name_latin",
            "language",
        ]
        read_only_fields = fields


class SpecialCategorySerializer(serializers.ModelSerializer):
    """GDPR art. 9 answers; only for users holding the special-category permission."""

    class Meta:
        model = SpecialCategoryData
        fields = [
            "disability", "disability_asked_on", "minority", "minority_asked_on",
            "documented_hospitalisation",
        ]  # fmt: skip


def close_teacher_view_schema(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """OpenAPI post-processing: a teacher's view of a student has exactly its own fields, so
    it can never be mistaken for the full record in the ``oneOf`` of ``StudentByRole``."""
    schemas = result.get("components", {}).get("schemas", {})
    if "TeacherViewOfStudent" in schemas:
        schemas["TeacherViewOfStudent"]["additionalProperties"] = False
    return result


def _by_role(many: bool = False) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="StudentByRole",
        serializers=[StudentSerializer, TeacherViewOfStudentSerializer],
        resource_type_field_name=None,
        many=many,
    )


@extend_schema_view(
    list=extend_schema(responses=_by_role(many=True)),
    retrieve=extend_schema(responses=_by_role()),
)
class StudentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Students the user may see: the school's for coordinators and auditors, a teacher's own
    classes (names only), a student themself."""

    queryset = Student.objects.none()
    permission_classes = [RolePermission]
    read_roles = Role.ALL
    write_roles = (Role.COORDINATOR,)
    read_roles_by_action = {"special_category": (Role.COORDINATOR,)}
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["nationality", "gender", "language"]

    def get_serializer_class(self) -> type[serializers.ModelSerializer]:
        if getattr(self, "action", None) == "special_category":
            return SpecialCategorySerializer
        if getattr(self.request.user, "role", None) == Role.TEACHER:
            return TeacherViewOfStudentSerializer
        return StudentSerializer

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # A teacher sees names only, so may not filter on nationality or gender either.
        if getattr(self.request.user, "role", None) == Role.TEACHER:
            return queryset
        return super().filter_queryset(queryset)

    def get_queryset(self) -> QuerySet[Student]:
        return students_visible_to(user=request_user(self.request)).order_by(
            "last_name", "first_name", "pk"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        student = school_services.student_create(
            school=request_school(request), **serializer.validated_data
        )
        return Response(self.get_serializer(student).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        student = self.get_object()
        serializer = self.get_serializer(student, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        student = school_services.student_update(student=student, **serializer.validated_data)
        return Response(self.get_serializer(student).data)

    @extend_schema(
        methods=["PATCH"], request=SpecialCategorySerializer, responses=SpecialCategorySerializer
    )
    @extend_schema(methods=["GET"], responses=SpecialCategorySerializer)
    @action(detail=True, methods=["get", "patch"], url_path="special-category")
    def special_category(self, request: Request, pk: str | None = None) -> Response:
        """Disability, minority and hospitalisation: coordinators holding the special-category
        permission only; every read is recorded (who, when, which student)."""
        student = self.get_object()
        user = request_user(request)
        if not sees_special_category(user):
            raise PermissionDenied(
                _("Only a coordinator holding the special-category permission sees these data.")
            )
        if request.method == "PATCH":
            serializer = SpecialCategorySerializer(data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            school_services.special_category_update(student=student, **serializer.validated_data)
        data = special_category_read(user=user, student=student, via="api")
        return Response(SpecialCategorySerializer(data).data)
