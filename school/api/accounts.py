"""Who am I: the signed-in user's role, school and profile links."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from school.choices import Role
from school.models import Teacher, User
from school.permissions import RolePermission, request_user
from school.selectors import teachers_visible_to, user_profile
from school.services import api_token_issue


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


class MeSchemaSerializer(serializers.Serializer):
    """What ``/me/`` answers, for the schema: ``student`` and ``teacher`` only when they apply."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=[*Role.choices, ("", "")])
    school = serializers.IntegerField(allow_null=True)
    language = serializers.CharField()
    student = serializers.IntegerField(required=False)
    teacher = serializers.IntegerField(required=False)


class MeView(APIView):
    """The signed-in user: id, username, role, school, language and their student or teacher id."""

    @extend_schema(responses=MeSchemaSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(user_profile(user_id=request_user(request).pk or 0)).data)


class TokenRequestSerializer(AuthTokenSerializer):
    otp = serializers.CharField(
        required=False,
        write_only=True,
        max_length=12,
        help_text="The authenticator app's code, for coordinators of schools that ask for one.",
    )


class TokenView(ObtainAuthToken):
    """Exchange a username and password (and, where the school asks, a two-factor code) for an
    API token (send it as ``Authorization: Token``)."""

    serializer_class = TokenRequestSerializer

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except serializers.ValidationError:
            # django-axes marks a locked-out attempt on the request it was handed (DRF's).
            if getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(
                    detail=_("Too many failed sign-ins. Try again later.")
                ) from None
            raise
        data = serializer.validated_data
        token = api_token_issue(user=data["user"], otp=data.get("otp", ""))
        return Response({"token": token.key})


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
    read_roles = Role.STAFF

    def get_queryset(self) -> QuerySet[Teacher]:
        return teachers_visible_to(user=request_user(self.request)).order_by(
            "user__last_name", "pk"
        )
