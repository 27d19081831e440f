"""Certificates of attendance and of completion: ask for one, list them, download the PDF,
revoke one. Anyone checks a certificate on the public page ``/verify/<code>``."""

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from courses import services
from courses.api.reports import PDF_CONTENT_TYPE, AnyAccept
from courses.certificates import verify_url
from courses.models import Certificate, Enrollment
from courses.selectors import certificates_visible_to, enrollments_visible_to
from school.choices import Role
from school.permissions import RolePermission, request_user


class VisibleEnrollmentField(serializers.PrimaryKeyRelatedField):
    """An enrollment the user may see: their school's for a coordinator, their own for a
    student; any other id "does not exist"."""

    def get_queryset(self) -> QuerySet[Enrollment]:
        return enrollments_visible_to(user=request_user(self.context["request"]))


class CertificateRequestSerializer(serializers.Serializer):
    enrollment = VisibleEnrollmentField(queryset=Enrollment.objects.none())
    kind = serializers.ChoiceField(choices=Certificate.Kind.choices)


class CertificateRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class CertificateSerializer(serializers.ModelSerializer):
    student = serializers.IntegerField(source="enrollment.student_id", read_only=True)
    student_name = serializers.CharField(source="enrollment.student.full_name", read_only=True)
    cycle_code = serializers.CharField(source="enrollment.cycle.code", read_only=True)
    level = serializers.CharField(source="enrollment.cycle.level.code", read_only=True)
    hours_attended = serializers.DecimalField(
        max_digits=7, decimal_places=2, coerce_to_string=False, read_only=True
    )
    hours_held = serializers.DecimalField(
        max_digits=7, decimal_places=2, coerce_to_string=False, read_only=True
    )
    download = serializers.SerializerMethodField()
    verify = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id", "enrollment", "student", "student_name", "cycle_code", "level", "kind", "code",
            "issued_at", "hours_attended", "hours_held", "first_lesson", "last_lesson",
            "revoked_at", "revoked_reason", "download", "verify",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download(self, certificate: Certificate) -> str:
        """The PDF's URL."""
        return f"/api/v1/certificates/{certificate.pk}/download/"

    def get_verify(self, certificate: Certificate) -> str:
        """The public page that checks the certificate (its QR code holds this address)."""
        return verify_url(certificate.code)


class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Certificates of attendance and of completion. A coordinator asks for one for any
    enrollment of the school, a student for their own; POST gives back the valid one when the
    enrollment already has it."""

    queryset = Certificate.objects.none()
    serializer_class = CertificateSerializer
    permission_classes = [RolePermission]
    read_roles = (Role.COORDINATOR, Role.AUDITOR, Role.STUDENT)
    write_roles = (Role.COORDINATOR, Role.STUDENT)
    write_roles_by_action = {"revoke": (Role.COORDINATOR,)}
    filterset_fields = ["enrollment", "kind"]

    def get_queryset(self) -> QuerySet[Certificate]:
        return certificates_visible_to(user=request_user(self.request)).order_by(
            "-issued_at", "-pk"
        )

    @extend_schema(
        request=CertificateRequestSerializer,
        responses={
            201: CertificateSerializer,
            409: OpenApiResponse(
                description="The enrollment does not allow it: a completion certificate "
                "before the cycle is completed, no hour attended, a waitlisted student."
            ),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Ask for a certificate: ``{"enrollment", "kind"}`` with ``kind`` ``attendance`` or
        ``completion``."""
        serializer = CertificateRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        certificate = services.certificate_issue(
            enrollment=serializer.validated_data["enrollment"],
            kind=serializer.validated_data["kind"],
            issued_by=request_user(request),
            base_url=site_url(request),
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=certificate.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=CertificateRevokeSerializer,
        responses={
            200: CertificateSerializer,
            409: OpenApiResponse(description="Already revoked."),
        },
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Revoke a certificate with a reason: its page then says it is revoked."""
        certificate = self.get_object()
        serializer = CertificateRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certificate = services.certificate_revoke(
            certificate=certificate, reason=serializer.validated_data["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=certificate.pk)).data)

    @extend_schema(responses={(200, PDF_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], content_negotiation_class=AnyAccept)
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The certificate's PDF."""
        return certificate_response(self.get_object())


def certificate_response(certificate: Certificate) -> FileResponse:
    return FileResponse(
        certificate.file.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
        content_type=PDF_CONTENT_TYPE,
    )


def site_url(request: Any) -> str:
    from django.conf import settings

    return settings.SITE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")
