"""Admin pages show a coordinator or auditor only their own school's rows."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest


class SchoolScopedAdmin(admin.ModelAdmin):
    """``school_path`` is the lookup from the model to its school (``"cycle__school"``)."""

    school_path = "school"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        if not _school_id(request):
            return qs.none()
        return qs.filter(**{f"{self.school_path}_id": _school_id(request)}).distinct()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Choices in a form come from the same school only, never another tenant's rows.
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        self._scope_choices(field, db_field.related_model, request)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        self._scope_choices(field, db_field.related_model, request)
        return field

    @staticmethod
    def _scope_choices(field: Any, model: type[Model], request: HttpRequest) -> None:
        if field is None or request.user.is_superuser or not hasattr(field, "queryset"):
            return
        path = SCHOOL_PATHS.get(model._meta.label)
        if path is not None:
            field.queryset = field.queryset.filter(**{f"{path}_id": _school_id(request)})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A new row made by a coordinator belongs to their school.
        if not change and self.school_path == "school" and not request.user.is_superuser:
            obj.school_id = _school_id(request)
        super().save_model(request, obj, form, change)

    # django-simple-history's pages look records up in the history table directly: check the
    # record is in the user's school first, and never save from them (reverting would bypass
    # the services that keep seats, attendance and results consistent).
    def _in_scope(self, request: HttpRequest, object_id: str) -> bool:
        return self.get_queryset(request).filter(pk=unquote(object_id)).exists()

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if not self._in_scope(request, object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if not self._in_scope(request, object_id):
            raise Http404
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if self.school_path == "school" and not request.user.is_superuser:
            readonly.append("school")
        return readonly


def _school_id(request: HttpRequest) -> int | None:
    return getattr(request.user, "school_id", None)


# How each tenant-owned model reaches its school; apps add theirs from their admin module.
SCHOOL_PATHS: dict[str, str] = {}


def register_school_path(label: str, path: str) -> None:
    SCHOOL_PATHS[label] = path
