from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from exams.models import (
    ExamRegistration,
    ExamResult,
    ExamRound,
    ExamScheme,
    ExamSkill,
    ExamType,
    SkillScore,
)
from school.admin_history import ReadableHistoryAdmin
from school.admin_scoping import SchoolScopedAdmin, register_school_path, register_shared

register_school_path("exams.ExamRound", "school")
register_school_path("exams.ExamRegistration", "exam_round__school")
register_school_path("exams.ExamResult", "registration__exam_round__school")
register_school_path("exams.SkillScore", "result__registration__exam_round__school")
# The exam types and their schemes (points, thresholds, grade bands) are the same everywhere.
register_shared("exams.ExamType", "exams.ExamScheme", "exams.ExamSkill")


class SchemeInline(admin.TabularInline):
    model = ExamScheme
    extra = 0


@admin.register(ExamType)
class ExamTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "minimum_age", "age_reference_month", "age_reference_day"]
    search_fields = ["name", "code"]
    inlines = [SchemeInline]


class SkillInline(admin.TabularInline):
    model = ExamSkill
    extra = 0


@admin.register(ExamScheme)
class ExamSchemeAdmin(admin.ModelAdmin):
    """Points, pass thresholds and grade bands: published defaults (DOMAIN.md §1), editable."""

    list_display = [
        "exam_type",
        "level",
        "good_from_percent",
        "very_good_from_percent",
        "excellent_from_percent",
    ]
    list_filter = ["exam_type", "level"]
    inlines = [SkillInline]


@admin.register(ExamRound)
class ExamRoundAdmin(SchoolScopedAdmin):
    list_display = [
        "name",
        "scheme",
        "registration_deadline",
        "exam_date",
        "centre",
        "results_published_on",
    ]
    list_filter = ["scheme__exam_type", "scheme__level", "school"]
    search_fields = ["name", "centre"]
    date_hierarchy = "exam_date"
    list_select_related = ["scheme__exam_type", "scheme__level"]


@admin.register(ExamRegistration)
class ExamRegistrationAdmin(SchoolScopedAdmin, ReadableHistoryAdmin):
    school_path = "exam_round__school"
    list_display = ["student", "exam_round", "registered_at", "eligibility_override_reason"]
    list_filter = ["exam_round"]
    search_fields = ["student__first_name", "student__last_name"]
    list_select_related = ["student", "exam_round"]
    raw_id_fields = ["student"]


class SkillScoreInline(admin.TabularInline):
    model = SkillScore
    extra = 0
    can_delete = False
    readonly_fields = ["skill", "points", "max_points", "passed"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ExamResult)
class ExamResultAdmin(SchoolScopedAdmin, ReadableHistoryAdmin):
    school_path = "registration__exam_round__school"
    list_display = ["registration", "total", "max_total", "passed", "grade", "certificate_number"]
    list_filter = ["passed", "grade", "registration__exam_round"]
    search_fields = [
        "registration__student__first_name",
        "registration__student__last_name",
        "certificate_number",
    ]
    list_select_related = ["registration__student", "registration__exam_round"]
    raw_id_fields = ["registration"]
    readonly_fields = ["total", "max_total", "passed", "grade"]
    inlines = [SkillScoreInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Totals, pass and grade are worked out by the results service from the skill scores;
        # a row typed in here would bypass the pass rule.
        return False
