"""The coordinator's reports page: ask for a report, watch it build, download past ones."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from config.reports_api import download_response, may_download
from courses.models import Cycle
from school.choices import Role
from school.errors import ConflictError
from school.models import Report
from school.permissions import SignedInRequest, request_school, role_required
from school.reports import report_kinds, report_request

PAGE = 50


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Report"))
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=pgettext_lazy("end of a period", "To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    cycle = forms.ModelChoiceField(
        label=gettext_lazy("Cycle (optional)"), queryset=Cycle.objects.none(), required=False
    )

    def __init__(self, *args: Any, school_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.title) for k in report_kinds()]  # type: ignore[attr-defined]
        self.fields["cycle"].queryset = Cycle.objects.filter(school_id=school_id).order_by(  # type: ignore[attr-defined]
            "-starts_on", "code"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError(_("The period starts after it ends."))
        return data


@role_required(Role.COORDINATOR, Role.AUDITOR)
def reports(request: SignedInRequest) -> HttpResponse:
    """Past reports (two queries) and, for coordinators, the form to ask for one."""
    school = request_school(request)
    can_ask = request.user.role == Role.COORDINATOR
    form = ReportForm(request.POST or None, school_id=school.pk)
    if request.method == "POST":
        if not can_ask:
            return HttpResponse(status=403)
        if form.is_valid():
            data = form.cleaned_data
            report_request(
                school=school,
                user=request.user,
                kind=data["kind"],
                start=data["start"],
                end=data["end"],
                cycle_code=data["cycle"].code if data["cycle"] else "",
            )
            return redirect("office-reports")
    past = list(
        Report.objects.filter(school=school)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:PAGE]
    )
    titles = {k.code: k.title for k in report_kinds()}
    for report in past:
        report.title = titles.get(report.kind, report.kind)  # type: ignore[attr-defined]
        report.downloadable = may_download(request.user, report)  # type: ignore[attr-defined]
    return render(
        request,
        "office/reports.html",
        {"form": form, "can_ask": can_ask, "reports": past, "kinds": report_kinds()},
    )


@role_required(Role.COORDINATOR, Role.AUDITOR)
def report_download(request: SignedInRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk, school=request_school(request))
    try:
        return download_response(request.user, report)  # type: ignore[return-value]
    except ConflictError:
        raise Http404 from None
