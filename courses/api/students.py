from typing import Any

from django.db.models import QuerySet
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from courses.selectors import students_visible_to
from school import services as school_services
from school.models import Student
from school.permissions import RolePermission, request_school, request_user

PARTICIPANT_FIELDS = [
    "entry_form_on", "labour_market_status", "unemployed_months", "isced_level",
    "household_jobless", "household_dependent_children", "household_single_adult",
    "foreign_background", "other_disadvantage", "homeless", "rural_area", "exit_form_on",
    "exit_in_education", "exit_employed", "exit_job_searching", "qualification_gained_on",
]  # fmt: skip


class StudentSerializer(serializers.ModelSerializer):
    """A student with the funder's participant record (special-category data is never here)."""

    phone = PhoneNumberField(required=False, allow_blank=True)

    class Meta:
        model = Student
        fields = [
            "id", "first_name", "last_name", "date_of_birth", "gender", "nationality", "language",
            "phone", "email", *PARTICIPANT_FIELDS,
        ]  # fmt: skip
        read_only_fields = ["qualification_gained_on"]


class TeacherViewOfStudentSerializer(serializers.ModelSerializer):
    """What a teacher sees of their students: a name and the language to speak to them in."""

    class Meta:
        model = Student
        fields = ["id", "first_name", "last_name", "language"]
        read_only_fields = fields


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
    read_roles = ("coordinator", "auditor", "teacher", "student")
    write_roles = ("coordinator",)
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["nationality", "gender", "language"]

    def get_serializer_class(self) -> type[serializers.ModelSerializer]:
        if getattr(self.request.user, "role", None) == "teacher":
            return TeacherViewOfStudentSerializer
        return StudentSerializer

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # A teacher sees names only, so may not filter on nationality or gender either.
        if getattr(self.request.user, "role", None) == "teacher":
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
