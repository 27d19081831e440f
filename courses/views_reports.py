"""The coordinator's reports page: ask for a report, watch it build, download past ones."""

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from courses.api.reports import download_response, may_download
from courses.models import Cycle
from school.choices import Role
from school.errors import ConflictError
from school.models import School
from school.permissions import (
    SignedInRequest,
    office_roles,
    request_school,
    sees_special_category,
)
from school.reports import report_kinds, report_request
from school.selectors import report_list, reports_visible_to

PAGE = 50
# The choices of the last report asked for, so the form offers them again.
LAST_ASKED = "reports_last_asked"


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Report"))
    # ISO dates whatever the language: a date input takes no other.
    start = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=pgettext_lazy("end of a period", "To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    cycle = forms.ModelChoiceField(
        label=gettext_lazy("Cycle (optional)"), queryset=Cycle.objects.none(), required=False
    )
    with_special_category = forms.TypedChoiceField(
        label=gettext_lazy("Special-category data"),
        choices=[
            ("no", gettext_lazy("Leave out")),
            ("yes", gettext_lazy("Include disability and minority (ESF participants)")),
        ],
        coerce=lambda value: value == "yes",
        required=False,
        empty_value=False,  # type: ignore[arg-type]
        initial="no",
        help_text=gettext_lazy(
            "A report with them can be downloaded only by users holding the special-category "
            "permission, not by the auditor, and each participant's answer in it is recorded "
            "as read by you."
        ),
    )

    def __init__(
        self, *args: Any, school_id: int, special_category_allowed: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.title) for k in report_kinds()]  # type: ignore[attr-defined]
        self.fields["cycle"].queryset = Cycle.objects.filter(school_id=school_id).order_by(  # type: ignore[attr-defined]
            "-starts_on", "code"
        )
        if not special_category_allowed:
            # Only those allowed to see special-category data may choose to include it.
            del self.fields["with_special_category"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError(_("The period starts after it ends."))
        kinds = {kind.code: kind for kind in report_kinds()}
        kind = kinds.get(data.get("kind", ""))
        if kind is not None and kind.needs_cycle and not data.get("cycle"):
            self.add_error("cycle", _("Choose the cycle."))
        return data


def _initial(request: SignedInRequest, school: School) -> dict[str, Any]:
    """The kind, period and cycle asked for last in this session; at first this year to
    date in the school's time zone. Special-category data are always left out at first."""
    today = school.today()
    initial: dict[str, Any] = {"start": today.replace(month=1, day=1), "end": today}
    last = request.session.get(LAST_ASKED)
    if isinstance(last, dict):
        initial.update(last)
    return initial


@office_roles
def reports(request: SignedInRequest) -> HttpResponse:
    """Past reports (two queries) and, for coordinators, the form to ask for one."""
    school = request_school(request)
    can_ask = request.user.role == Role.COORDINATOR
    if request.method == "POST" and not can_ask:
        raise PermissionDenied(
            _("Auditors read and download reports; a coordinator asks for them.")
        )
    form = ReportForm(
        request.POST or None,
        initial=_initial(request, school),
        school_id=school.pk,
        special_category_allowed=can_ask and sees_special_category(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report_request(
            school=school,
            user=request.user,
            kind=data["kind"],
            start=data["start"],
            end=data["end"],
            cycle_code=data["cycle"].code if data["cycle"] else "",
            special_category=data.get("with_special_category", False),
        )
        request.session[LAST_ASKED] = {
            "kind": data["kind"],
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "cycle": data["cycle"].pk if data["cycle"] else None,
        }
        return redirect("office-reports")
    past = list(report_list(user=request.user)[:PAGE])
    titles = {k.code: k.title for k in report_kinds()}
    for report in past:
        report.title = titles.get(report.kind, report.kind)  # type: ignore[attr-defined]
        report.extension = Path(report.file.name or "").suffix or ".xlsx"  # type: ignore[attr-defined]
        report.downloadable = may_download(request.user, report)  # type: ignore[attr-defined]
    return render(
        request,
        "courses/office/reports.html",
        {"form": form, "can_ask": can_ask, "reports": past, "kinds": report_kinds()},
    )


@office_roles
def report_download(request: SignedInRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(reports_visible_to(user=request.user), pk=pk)
    try:
        return download_response(request.user, report)  # type: ignore[return-value]
    except ConflictError as error:
        # Not built (yet): back to the list, which shows how far it got, with the reason.
        messages.error(request, error.message)
        return redirect("office-reports")
