"""History pages that read like the rest of the admin: choice labels, not stored values."""

from collections.abc import Sequence
from typing import Any

from django.contrib.admin.utils import display_for_field
from django.db.models import BooleanField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, HistoricalChanges, ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

EMPTY = "–"


class ReadableChanges(HistoricalRecordContextHelper):
    """Each changed value as a form shows it: "Present", not "present"; "Yes", not "True";
    dates and numbers in the reader's format; "–" for nothing."""

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        field = self.model._meta.get_field(change.field)
        if field.is_relation:
            value = super().prepare_delta_change_value(change, value)
            # An empty relation comes as a "deleted" object without a key.
            if value is None or (isinstance(value, DeletedObject) and value.pk is None):
                return EMPTY
            return value
        if isinstance(field, BooleanField):
            return {True: _("Yes"), False: _("No")}.get(value, EMPTY)
        return display_for_field(value, field, EMPTY)


class ReadableHistoryAdmin(SimpleHistoryAdmin):
    def set_history_delta_changes(
        self,
        request: HttpRequest,
        historical_records: Sequence[HistoricalChanges],
        foreign_keys_are_objs: bool = True,
    ) -> None:
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        # The list prints the reason as it is: no reason given shows nothing, not "None".
        for record in historical_records:
            if getattr(record, "history_change_reason", "") is None:
                record.history_change_reason = ""  # type: ignore[attr-defined]

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: HistoricalChanges
    ) -> HistoricalRecordContextHelper:
        return ReadableChanges(self.model, historical_record)
