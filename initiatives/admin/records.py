"""The workflow's records, read-only to HQ: every step taken (手続きの記録) and every
correction listed after publication (公開後の訂正). Only the services write them."""

from __future__ import annotations

from django.contrib import admin

from initiatives.admin.common import JapaneseSearch, ReadOnlyHQAdmin
from initiatives.models import PublicCorrection, WorkflowEvent


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(JapaneseSearch, ReadOnlyHQAdmin):
    list_display = ["created_at", "result", "action", "from_state", "to_state", "actor", "comment"]
    list_filter = ["action", "result__fiscal_year"]
    search_fields = ["result__initiative__code", "result__initiative__name", "comment"]
    list_select_related = ["result__initiative", "result__fiscal_year", "actor"]


@admin.register(PublicCorrection)
class PublicCorrectionAdmin(ReadOnlyHQAdmin):
    list_display = ["corrected_at", "result", "field", "before", "after"]
    list_select_related = ["result__initiative", "result__fiscal_year"]
