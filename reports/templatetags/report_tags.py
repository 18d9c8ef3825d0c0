from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from initiatives.vocabulary import status_label
from reports.markup import light_markdown

register = template.Library()


@register.filter
def markup(text: str) -> SafeString:
    return light_markdown(text or "")


@register.filter
def status_cell(statuses: dict, year: int) -> str:
    """An achievement-table cell: the status, 「—」 when the year is not in the plan."""
    status = statuses.get(year)
    if status is None:
        return "—"
    return status_label(status)


@register.filter
def get_count(counts: dict, key: str) -> int:
    """A count by key, 0 when there is none (e.g. a status nobody reached)."""
    return counts.get(key, 0)
