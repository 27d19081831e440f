"""Admin pages show a coordinator or auditor only their own school's rows.

Everything a changelist or a form offers is cut to the school: the rows, the choices of a
form's relations, the label a raw-id field shows for an id typed into it, and the choices of
each filter in the sidebar (a filter on a relation lists the related objects of the user's
school; a filter on a value across a relation lists the values of the user's rows). The
date hierarchy and the search work on the rows, so they are cut too; the autocomplete of a
relation asks the related model's admin for its rows; history pages check the record first.

Each tenant-owned model says how it reaches its school (``register_school_path``); reference
data every school shares (levels, exam types) is registered as such (``register_shared``). A
related model that is neither offers no choices to anyone but a superuser.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.filters import (
    AllValuesFieldListFilter,
    FieldListFilter,
    RelatedFieldListFilter,
    RelatedOnlyFieldListFilter,
)
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest


def _school_id(request: HttpRequest) -> int | None:
    return getattr(request.user, "school_id", None)


# How each tenant-owned model reaches its school; apps add theirs from their admin module.
SCHOOL_PATHS: dict[str, str] = {}
# Models every school shares: shown whole.
SHARED: set[str] = set()


def register_school_path(label: str, path: str) -> None:
    SCHOOL_PATHS[label] = path


def register_shared(*labels: str) -> None:
    SHARED.update(labels)


def school_choices(queryset: QuerySet, request: HttpRequest) -> QuerySet:
    """``queryset`` cut to the objects the user's school may be offered."""
    if request.user.is_superuser:
        return queryset
    label = queryset.model._meta.label
    if label == "school.School":
        return queryset.filter(pk=_school_id(request))
    path = SCHOOL_PATHS.get(label)
    if path is not None:
        return queryset.filter(**{f"{path}_id": _school_id(request)})
    if label in SHARED:
        return queryset
    return queryset.none()


class SchoolRelatedFieldListFilter(RelatedFieldListFilter):
    """A sidebar filter on a relation listing only the user's school's objects."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        ordering = self.field_admin_ordering(field, request, model_admin)
        allowed = school_choices(field.related_model._default_manager.all(), request)
        return field.get_choices(
            include_blank=False,
            limit_choices_to={"pk__in": allowed.values("pk")},
            ordering=ordering,
        )


class SchoolAllValuesFieldListFilter(AllValuesFieldListFilter):
    """A sidebar filter on a value across a relation (``cycle__section``): the values of the
    user's rows, not of the related table."""

    def __init__(
        self, field: Any, request: HttpRequest, params: Any, model: Any, model_admin: Any,
        field_path: str,
    ) -> None:  # fmt: skip
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .order_by(field_path)
            .values_list(field_path, flat=True)
            .distinct()
        )


class SchoolRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id field names the object of an id typed into it only when the user may see it."""

    def __init__(self, *args: Any, allowed: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        try:
            visible = self.allowed.filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            visible = False
        if not visible:
            return "", ""
        return super().label_and_url_for_value(value)


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

    def get_list_filter(self, request: HttpRequest) -> Any:
        """The sidebar's filters with choices from the user's school only; a filter on the
        school itself is left out (one school: nothing to choose)."""
        entries = super().get_list_filter(request)
        if request.user.is_superuser:
            return entries
        scoped: list[Any] = []
        for entry in entries:
            if entry == self.school_path:
                continue
            scoped.append(_scoped_filter(self.model, entry))
        return scoped

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Choices in a form come from the same school only, never another tenant's rows.
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        self._scope_choices(field, request)
        if field is not None and isinstance(field.widget, ForeignKeyRawIdWidget):
            field.widget = SchoolRawIdWidget(
                db_field.remote_field,
                self.admin_site,
                using=kwargs.get("using"),
                allowed=school_choices(db_field.related_model._default_manager.all(), request),
            )
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        self._scope_choices(field, request)
        return field

    @staticmethod
    def _scope_choices(field: Any, request: HttpRequest) -> None:
        if field is not None and hasattr(field, "queryset"):
            field.queryset = school_choices(field.queryset, request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A new row made by a coordinator belongs to their school.
        if not change and self.school_path == "school" and not request.user.is_superuser:
            obj.school_id = _school_id(request)
        super().save_model(request, obj, form, change)

    # django-simple-history's pages look records up in the history table directly: check the
    # record is in the user's school first, and never save from them (reverting would bypass
    # the services that keep seats, attendance and results consistent).
    def _in_scope(self, request: HttpRequest, object_id: str) -> bool:
        try:
            return self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, TypeError):
            return False

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


DJANGOS_RELATED = (RelatedFieldListFilter, RelatedOnlyFieldListFilter)


def _scoped_filter(model: type[Model], entry: Any) -> Any:
    """The list_filter ``entry`` with the school's choices (see ``SchoolScopedAdmin``)."""
    if isinstance(entry, str):
        # The class Django picks for a field named alone (its first matching test).
        field = get_fields_from_path(model, entry)[-1]
        filter_class = next(
            list_filter
            for test, list_filter in FieldListFilter._field_list_filters  # type: ignore[attr-defined]
            if test(field)
        )
        path = entry
    elif isinstance(entry, (list, tuple)):
        path, filter_class = entry
    else:
        return entry  # a SimpleListFilter: it makes its own choices from the request
    if issubclass(filter_class, DJANGOS_RELATED) and not issubclass(
        filter_class, SchoolRelatedFieldListFilter
    ):
        return (path, SchoolRelatedFieldListFilter)
    if filter_class is AllValuesFieldListFilter and LOOKUP_SEP in path:
        return (path, SchoolAllValuesFieldListFilter)
    return entry
