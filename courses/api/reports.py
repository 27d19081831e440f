"""The funding reports API: ask for a report (built in the background), follow it, download it.

It lives in this app because a request may name a cycle, while the job itself
(``school.reports``) knows no other app.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from courses.api.fields import SchoolScopedPrimaryKeyField
from courses.models import Cycle
from school.choices import Role
from school.errors import ConflictError
from school.models import Report, User
from school.permissions import RolePermission, request_school, request_user, sees_special_category
from school.reports import report_kinds, report_request
from school.selectors import report_list
from school.spreadsheets import XLSX_CONTENT_TYPE

PDF_CONTENT_TYPE = "application/pdf"


def may_download(user: User, report: Report) -> bool:
    """A workbook with special-category columns only for those allowed to see them."""
    return not report.with_special_category or sees_special_category(user)


def download_response(user: User, report: Report) -> FileResponse:
    if report.status != Report.Status.DONE:
        raise ConflictError(_("The report is not ready."))
    if not may_download(user, report):
        raise PermissionDenied(_("This report holds special-category data you may not see."))
    suffix = Path(report.file.name or "").suffix or ".xlsx"
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"{report.kind}-{report.period_start}-{report.period_end}{suffix}",
        content_type=PDF_CONTENT_TYPE if suffix == ".pdf" else XLSX_CONTENT_TYPE,
    )


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[])
    # "from" and "to" are the fields' names; "from" is a Python keyword.
    vars()["from"] = serializers.DateField()
    to = serializers.DateField()
    cycle = SchoolScopedPrimaryKeyField(
        queryset=Cycle.objects.all(), required=False, allow_null=True
    )
    with_special_category = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Include disability, minority and the indicators that need them "
        "(`esf-participants` only; other kinds have no such columns). Off by default. Only a "
        "coordinator holding the special-category permission may ask (403 otherwise); such a "
        "report is downloaded only by users with that permission, and building it records a "
        "special-category read of each participant whose answer it holds.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [kind.code for kind in report_kinds()]  # type: ignore[attr-defined]


class ReportSerializer(serializers.ModelSerializer):
    vars()["from"] = serializers.DateField(source="period_start", read_only=True)
    to = serializers.DateField(source="period_end", read_only=True)
    cycle = serializers.CharField(source="cycle_code", read_only=True)
    requested_by = serializers.CharField(
        source="requested_by.username", default=None, allow_null=True, read_only=True
    )
    download = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id", "kind", "from", "to", "cycle", "status", "progress", "error",
            "with_special_category", "requested_by", "created_at", "finished_at", "download",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download(self, report: Report) -> str | None:
        """The download's URL once the report is done."""
        if report.status != Report.Status.DONE:
            return None
        return f"/api/v1/reports/{report.pk}/download/"


class AnyAccept(BaseContentNegotiation):
    """The download answers whatever the client accepts: the workbook, or JSON for an error."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0]

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return (renderers[0], renderers[0].media_type)


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Funding reports of the school: ``esf-participants``, ``attendance-sheets``,
    ``exam-results``, and ``certificates`` (a cycle's certificates in one PDF; name the
    cycle). POST asks for one (202); it is built in the background: follow
    ``status`` and ``progress``, then GET ``download``."""

    queryset = Report.objects.none()
    serializer_class = ReportSerializer
    permission_classes = [RolePermission]
    read_roles = Role.OFFICE
    write_roles = (Role.COORDINATOR,)
    filterset_fields = ["kind", "status"]

    def get_queryset(self) -> QuerySet[Report]:
        return report_list(user=request_user(self.request))

    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            202: ReportSerializer,
            403: OpenApiResponse(
                description="Not allowed for this role, or `with_special_category` asked for "
                "without the special-category permission."
            ),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Ask for a report of a period (and optionally one cycle); it is built in the background."""
        serializer = ReportRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = report_request(
            school=request_school(request),
            user=request_user(request),
            kind=data["kind"],
            start=data["from"],
            end=data["to"],
            cycle_code=data["cycle"].code if data.get("cycle") else "",
            special_category=data["with_special_category"],
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, PDF_CONTENT_TYPE): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="The report is not done yet."),
        }
    )
    @action(detail=True, methods=["get"], content_negotiation_class=AnyAccept)
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The file of a done report: a workbook (.xlsx), or the PDF of a cycle's
        certificates."""
        return download_response(request_user(request), self.get_object())
