from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from school.admin_history import ReadableHistoryAdmin
from school.admin_scoping import SchoolScopedAdmin, register_school_path, register_shared
from school.models import (
    EntryAnswers,
    Exit,
    Operation,
    Participation,
    PartnerOrganisation,
    RetentionPeriod,
    Room,
    School,
    SpecialCategoryData,
    SpecialCategoryRead,
    Student,
    Teacher,
    User,
    Venue,
)
from school.pages import xlsx_response
from school.permissions import sees_special_category
from school.retention import student_export_data, student_export_json, student_export_xlsx
from school.services import special_category_reads_record

for label, path in {
    "school.School": "",
    "school.Venue": "school",
    "school.Room": "venue__school",
    "school.Teacher": "school",
    "school.Student": "school",
    "school.User": "school",
    "school.RetentionPeriod": "school",
    "school.SpecialCategoryRead": "school",
    "school.SpecialCategoryData": "student__school",
    "school.Operation": "school",
    "school.PartnerOrganisation": "school",
    "school.Participation": "operation__school",
    "school.EntryAnswers": "participation__operation__school",
    "school.EntrySpecialCategory": "participation__operation__school",
    "school.Exit": "participation__operation__school",
    "school.FollowUp": "exit__participation__operation__school",
}.items():
    if path:
        register_school_path(label, path)
register_shared("auth.Group", "auth.Permission")


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "programme_period", "operation_code", "time_zone"]
    list_filter = ["programme_period", "country"]
    search_fields = ["name", "operation_code"]
    fieldsets = [
        (None, {"fields": ["name", "country", "time_zone", "coordinators_two_factor"]}),
        (_("Applications"), {"fields": ["slug", "applicant_retention_months"]}),
        (
            _("Funder"),
            {"fields": ["operation_code", "programme_period", "qualification_counts_as_result"]},
        ),
        (
            _("Attendance rules (DOMAIN: ESF-funded training in Greece)"),
            {
                "fields": [
                    "absence_limit_percent",
                    "extended_absence_limit_percent",
                    "at_risk_consecutive_absences",
                    "attendance_edit_days",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[School]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=getattr(request.user, "school_id", None))


@admin.register(User)
class UserAdmin(SchoolScopedAdmin, BaseUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "school",
        "language",
        "is_active",
    ]
    list_filter = ["role", "school", "is_active", "language"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (_("School office"), {"fields": ["school", "role", "language"]}),
    ]


class RoomInline(admin.TabularInline):
    model = Room
    extra = 1


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(SchoolScopedAdmin):
    """The organisations the application form offers as referrers; one no longer working
    with the school is made inactive (applications keep it)."""

    list_display = ["name", "active", "school"]
    list_filter = ["active", "school"]
    search_fields = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Venue)
class VenueAdmin(SchoolScopedAdmin):
    list_display = ["name", "address", "school"]
    list_filter = ["school"]
    search_fields = ["name", "address"]
    inlines = [RoomInline]


@admin.register(Teacher)
class TeacherAdmin(SchoolScopedAdmin):
    list_display = ["__str__", "user", "phone", "school"]
    list_filter = ["school"]
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    list_select_related = ["user", "school"]
    raw_id_fields = ["user"]


class SpecialCategoryInline(admin.StackedInline):
    """Shown only to users holding the special-category permission (never teachers)."""

    model = SpecialCategoryData
    can_delete = False
    extra = 0
    max_num = 1

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("school.view_specialcategorydata")


@admin.register(Student)
class StudentAdmin(SchoolScopedAdmin, ReadableHistoryAdmin):
    list_display = [
        "last_name",
        "first_name",
        "nationality",
        "gender",
        "language",
        "phone",
        "labour_market_status",
        "entry_form_on",
    ]
    list_filter = ["gender", "nationality", "language", "labour_market_status", "school"]
    search_fields = [
        "first_name", "last_name", "first_name_latin", "last_name_latin", "email", "phone",
    ]  # fmt: skip
    list_select_related = ["school"]
    raw_id_fields = ["user"]
    inlines = [SpecialCategoryInline]
    actions = ["export_json", "export_xlsx"]

    def _export(self, request: HttpRequest, queryset: QuerySet[Student]) -> Any:
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one student to export."), level=messages.ERROR
            )
            return None
        student = queryset.select_related("user").get()
        return student, student_export_data(
            student=student,
            include_special_category=sees_special_category(request.user),
            reader=request.user,  # type: ignore[arg-type]
            via="export",
        )

    @admin.action(description=_("Everything held about the student (JSON)"), permissions=["change"])
    def export_json(self, request: HttpRequest, queryset: QuerySet[Student]) -> Any:
        exported = self._export(request, queryset)
        if exported is None:
            return None
        student, data = exported
        response = HttpResponse(
            student_export_json(data), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="student-{student.pk}.json"'
        return response

    @admin.action(
        description=_("Everything held about the student (Excel)"), permissions=["change"]
    )
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Student]) -> Any:
        exported = self._export(request, queryset)
        if exported is None:
            return None
        student, data = exported
        return xlsx_response(student_export_xlsx(data), f"student-{student.pk}.xlsx")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        # The page shows the special-category inline to those allowed: record that read.
        if request.method == "GET" and response.status_code == 200:
            student = self.get_queryset(request).filter(pk=unquote(object_id)).first()
            if student is not None and sees_special_category(request.user):
                special_category_reads_record(
                    user=request.user,  # type: ignore[arg-type]
                    students=[student],
                    via="admin",
                )
        return response

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "school",
                    "user",
                    ("first_name", "last_name"),
                    ("first_name_latin", "last_name_latin"),
                    "date_of_birth",
                    "gender",
                    "nationality",
                ]
            },
        ),
        (_("Contact"), {"fields": ["language", "phone", "email"]}),
        (
            _("ESF participant record (as of entry)"),
            {
                "fields": [
                    "entry_form_on",
                    "labour_market_status",
                    "unemployed_months",
                    "isced_level",
                    "household_jobless",
                    "household_dependent_children",
                    "household_single_adult",
                    "foreign_background",
                    "other_disadvantage",
                    "homeless",
                    "rural_area",
                ]
            },
        ),
        (
            _("On exit"),
            {
                "fields": [
                    "exit_form_on",
                    "exit_in_education",
                    "exit_employed",
                    "exit_job_searching",
                    "qualification_gained_on",
                ]
            },
        ),
    ]


@admin.register(SpecialCategoryRead)
class SpecialCategoryReadAdmin(SchoolScopedAdmin):
    """Who read which student's special-category data, and when: a trail nobody edits."""

    list_display = ["read_at", "user", "student", "via"]
    list_filter = ["via"]
    list_select_related = ["user", "student"]
    date_hierarchy = "read_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(SchoolScopedAdmin):
    """DOMAIN: records of an ESF operation are kept for the audit period, then anonymised."""

    list_display = [
        "programme_period", "entries_from", "entries_until", "last_payment_on", "years",
        "audit_hold", "kept_until",
    ]  # fmt: skip

    @admin.display(description=_("kept until"))
    def kept_until(self, obj: RetentionPeriod) -> Any:
        return obj.ends_on


@admin.register(Operation)
class OperationAdmin(SchoolScopedAdmin):
    """A school's funded operations; each cycle belongs to one."""

    list_display = ["code", "programme_period", "starts_on", "ends_on", "funder"]
    list_filter = ["programme_period"]
    search_fields = ["code", "funder"]


class EntryAnswersInline(admin.StackedInline):
    model = EntryAnswers
    can_delete = False
    extra = 0
    max_num = 1

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # frozen: corrected through the service, with a reason

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ExitInline(admin.TabularInline):
    model = Exit
    can_delete = False
    extra = 0
    fields = [
        "date", "reason", "answered_on", "source", "in_education", "employed", "job_searching",
    ]  # fmt: skip

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Participation)
class ParticipationAdmin(SchoolScopedAdmin):
    """One student in one operation: read here; answers come from the questionnaires or a
    paper form, and corrections name their reason."""

    school_path = "operation__school"
    list_display = ["student", "operation", "entry_date"]
    list_filter = ["operation"]
    list_select_related = ["student", "operation"]
    search_fields = ["student__first_name", "student__last_name"]
    raw_id_fields = ["student"]
    inlines = [EntryAnswersInline, ExitInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
