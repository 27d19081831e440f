"""Who am I: the signed-in user's role, school and profile links."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from school.models import Teacher, User
from school.permissions import RolePermission, request_user
from school.selectors import teachers_visible_to, user_profile


class MeSerializer(serializers.ModelSerializer):
    student = serializers.SerializerMethodField()
    teacher = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "role", "school", "language", "student", "teacher"]
        read_only_fields = fields

    def get_student(self, user: User) -> int | None:
        student = getattr(user, "student", None)
        return student.pk if student else None

    def get_teacher(self, user: User) -> int | None:
        teacher = getattr(user, "teacher", None)
        return teacher.pk if teacher else None

    def to_representation(self, instance: User) -> dict:
        data = super().to_representation(instance)
        # "student" and "teacher" appear only for the accounts they belong to (API.md).
        for key in ("student", "teacher"):
            if data[key] is None:
                del data[key]
        return data


class MeView(APIView):
    """The signed-in user: id, username, role, school, language and their student or teacher id."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(user_profile(user_id=request_user(request).pk or 0)).data)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (send it as ``Authorization: Token``)."""


class TeacherSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Teacher
        fields = ["id", "name", "username"]


class TeacherListView(generics.ListAPIView):
    """The school's teachers."""

    queryset = Teacher.objects.none()
    serializer_class = TeacherSerializer
    permission_classes = [RolePermission]
    read_roles = ("coordinator", "auditor", "teacher")

    def get_queryset(self) -> QuerySet[Teacher]:
        return teachers_visible_to(user=request_user(self.request)).order_by(
            "user__last_name", "pk"
        )
