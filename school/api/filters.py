"""List filters of the API. An id filter never tells whether an object exists.

django-filter's own filter for a relation (``?cycle=41``) checks the id against the whole
table: another school's cycle gave 200 and an empty list, an id nobody has gave 400 "select a
valid choice", so anyone could tell which ids exist elsewhere (API.md: never reveal that another
school's object exists). Here an id filter checks only that the value is a whole number and
narrows the list, which is already scoped to the user: an id that is unknown, another school's
or another class's gives the same answer, 200 with an empty list. A value that is not a whole
number is 400 whatever the data.

Every filter set of the API is built on ``IdFilterSet`` (``FilterBackend`` does it for views
that name ``filterset_fields``), so a new relation filter gets this behaviour too.
"""

from typing import Any

import django_filters
from django import forms
from django.db import models
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from drf_spectacular.utils import extend_schema_field

# The largest id a BigAutoField holds; beyond it nothing can match (nor reach the database).
MAX_ID = 2**63 - 1


@extend_schema_field(
    {
        "type": "integer",
        "description": "An id. One that is unknown or not visible to you gives an empty list.",
    }
)
class IdFilter(django_filters.Filter):
    """``?field=<id>``: the rows pointing at that object, among those the user may see."""

    field_class = forms.IntegerField

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value is not None and not 0 < value <= MAX_ID:
            return qs.none()
        return super().filter(qs, value)


class IdFilterSet(FilterSet):
    FILTER_DEFAULTS = {
        **FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
        models.ManyToManyField: {"filter_class": IdFilter, "extra": lambda f: {"distinct": True}},
    }


class FilterBackend(DjangoFilterBackend):
    filterset_base = IdFilterSet
