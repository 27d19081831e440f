from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.calendar import Slot
from courses.models import (
    Applicant,
    Attendance,
    Closure,
    Cycle,
    Enrollment,
    Lesson,
    Level,
    PlacementDecision,
    PlacementSession,
    SeatOffer,
    TimetableSlot,
)
from courses.services import lessons_regenerate, timetable_validate
from courses.services.enrollment import seats_free
from school.admin_history import ReadableHistoryAdmin
from school.admin_scoping import SchoolScopedAdmin, register_school_path, register_shared

for label, path in {
    "courses.Cycle": "school",
    "courses.TimetableSlot": "cycle__school",
    "courses.Closure": "school",
    "courses.Lesson": "cycle__school",
    "courses.Enrollment": "cycle__school",
    "courses.Attendance": "lesson__cycle__school",
    "courses.PlacementDecision": "student__school",
    "courses.Applicant": "school",
    "courses.PlacementSession": "school",
    "courses.SeatOffer": "applicant__school",
}.items():
    register_school_path(label, path)
register_shared("courses.Level")


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "includes_history", "prerequisite", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name"]


class TimetableFormSet(BaseInlineFormSet):
    """The same timetable rules as the API: no overlaps, at most 4 hours a day, by 22:00."""

    def clean(self) -> None:
        super().clean()
        slots = [
            Slot(
                form.cleaned_data["weekday"],
                form.cleaned_data["starts_at"],
                form.cleaned_data["ends_at"],
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            timetable_validate(slots)
        except ValidationError as error:
            raise ValidationError(error.message_dict["timetable"]) from error


class TimetableInline(admin.TabularInline):
    model = TimetableSlot
    formset = TimetableFormSet
    extra = 1


class CycleAdminForm(forms.ModelForm):
    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            # Enrolled students and seats held for applicants' answers.
            enrolled = self.instance.capacity - seats_free(self.instance)
            if capacity < enrolled:
                raise ValidationError(
                    _("%(count)s students are enrolled; the capacity cannot be lower.")
                    % {"count": enrolled}
                )
        return capacity


@admin.register(Cycle)
class CycleAdmin(SchoolScopedAdmin):
    list_display = [
        "code",
        "level",
        "section",
        "starts_on",
        "ends_on",
        "capacity",
        "total_hours",
        "venue",
    ]
    list_filter = ["level", "venue", "starts_on", "school"]
    search_fields = ["code", "section"]
    date_hierarchy = "starts_on"
    list_select_related = ["level", "venue"]
    filter_horizontal = ["teachers"]
    inlines = [TimetableInline]
    form = CycleAdminForm
    readonly_fields = ["cancelled_at"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        timetable_changed = any(fs.has_changed() for fs in formsets if fs.model is TimetableSlot)
        dates_changed = {"starts_on", "ends_on"} & set(form.changed_data)
        # As through the API: future lessons nobody has marked follow the new timetable.
        if change and (timetable_changed or dates_changed) and form.instance.lessons.exists():
            lessons_regenerate(cycle=form.instance)


@admin.register(Closure)
class ClosureAdmin(SchoolScopedAdmin):
    list_display = ["starts_on", "ends_on", "reason", "school"]
    list_filter = ["school"]
    search_fields = ["reason"]


@admin.register(Lesson)
class LessonAdmin(SchoolScopedAdmin, ReadableHistoryAdmin):
    school_path = "cycle__school"
    list_display = ["cycle", "date", "starts_at", "ends_at", "hours", "status", "topic", "teacher"]
    list_filter = ["status", "cycle__level", "cycle"]
    search_fields = ["cycle__code", "topic"]
    date_hierarchy = "date"
    list_select_related = ["cycle", "teacher__user"]
    # Moving and cancelling go through the cycle page or the API, which tell the students.
    readonly_fields = [
        "cycle",
        "date",
        "starts_at",
        "ends_at",
        "hours",
        "status",
        "moved_from_date",
        "moved_from_starts_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(SchoolScopedAdmin, ReadableHistoryAdmin):
    school_path = "cycle__school"
    list_display = [
        "student",
        "cycle",
        "status",
        "waitlist_position",
        "entry_date",
        "exit_date",
        "withdrawal_reason",
    ]
    list_filter = ["status", "cycle__level", "cycle"]
    search_fields = ["student__first_name", "student__last_name", "cycle__code"]
    list_select_related = ["student", "cycle"]
    # Seats and the waitlist change only through the enrollment services (cycle page, API,
    # import), which hold the capacity and the queue under concurrency.
    readonly_fields = [
        "student",
        "cycle",
        "status",
        "waitlist_position",
        "applied_at",
        "withdrawal_reason",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PlacementDecision)
class PlacementDecisionAdmin(SchoolScopedAdmin):
    school_path = "student__school"
    list_display = ["student", "level", "decided_by", "decided_on"]
    list_filter = ["level"]
    search_fields = ["student__first_name", "student__last_name", "note"]
    list_select_related = ["student", "level", "decided_by"]
    raw_id_fields = ["student"]


@admin.register(Attendance)
class AttendanceAdmin(SchoolScopedAdmin, ReadableHistoryAdmin):
    """Corrections are kept with who, when, before and after: see each row's history."""

    school_path = "lesson__cycle__school"
    list_display = ["lesson", "student_name", "status", "marked_by", "marked_at"]
    list_filter = ["status", "lesson__cycle"]
    search_fields = ["enrollment__student__first_name", "enrollment__student__last_name"]
    list_select_related = ["lesson__cycle", "enrollment__student", "marked_by"]
    raw_id_fields = ["enrollment", "lesson"]

    @admin.display(description=gettext_lazy("student"), ordering="enrollment__student__last_name")
    def student_name(self, obj: Attendance) -> str:
        return obj.enrollment.student.full_name


# -- the way in: applicants change only through the queue's services (pages and API), which
# keep the states, the seats and the messages; the admin reads them.


class SeatOfferInline(admin.TabularInline):
    """The applicant's seat offers, read-only (the link's token is never shown: only its hash
    is stored, and that is of no use to anyone here)."""

    model = SeatOffer
    fields = ["cycle", "status", "offered_at", "expires_at", "answered_at", "offered_by"]
    readonly_fields = ["cycle", "status", "offered_at", "expires_at", "answered_at", "offered_by"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Applicant)
class ApplicantAdmin(SchoolScopedAdmin, ReadableHistoryAdmin):
    list_display = [
        "reference",
        "__str__",
        "status",
        "language",
        "referrer",
        "placement_level",
        "applied_at",
        "duplicate_of",
    ]
    list_filter = ["status", "language", "placement_level", "referrer"]
    search_fields = ["reference", "first_name", "last_name", "first_name_latin", "last_name_latin"]
    list_select_related = ["referrer", "placement_level", "duplicate_of"]
    date_hierarchy = "applied_at"
    inlines = [SeatOfferInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Applicant._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Erasure keeps the row for the counts: the applicant's page erases.
        return False


@admin.register(PlacementSession)
class PlacementSessionAdmin(SchoolScopedAdmin):
    list_display = ["starts_at", "venue", "place", "capacity"]
    list_filter = ["venue"]
    search_fields = ["place"]
    list_select_related = ["venue", "school"]
    date_hierarchy = "starts_at"
