from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class SchoolScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id that must name a row of the requesting user's school; others "do not exist"."""

    def __init__(self, *, school_path: str = "school", **kwargs: Any) -> None:
        self.school_path = school_path
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        assert queryset is not None
        request = self.context.get("request")
        school_id = getattr(getattr(request, "user", None), "school_id", None)
        return queryset.filter(**{f"{self.school_path}_id": school_id})


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
        "example": "17:00",
    }
)
class ClockTimeField(serializers.TimeField):
    """A time of day written ``HH:MM`` (API.md); OpenAPI's ``time`` format would promise
    seconds and an offset that lesson times do not have."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)
