"""History pages that read like the rest of the admin: choice labels, not stored values."""

from typing import Any

from django.contrib.admin.utils import display_for_field
from django.db.models import BooleanField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalChanges, ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

EMPTY = "–"


class ReadableChanges(HistoricalRecordContextHelper):
    """Each changed value as a form shows it: "Present", not "present"; "Yes", not "True";
    dates and numbers in the reader's format; "–" for nothing."""

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        field = self.model._meta.get_field(change.field)
        if field.is_relation:
            value = super().prepare_delta_change_value(change, value)
            return EMPTY if value is None else value
        if isinstance(field, BooleanField):
            return {True: _("Yes"), False: _("No")}.get(value, EMPTY)
        return display_for_field(value, field, EMPTY)


class ReadableHistoryAdmin(SimpleHistoryAdmin):
    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: HistoricalChanges
    ) -> HistoricalRecordContextHelper:
        return ReadableChanges(self.model, historical_record)
