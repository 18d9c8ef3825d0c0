from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from initiatives.vocabulary import status_label
from reports.markup import light_markdown, section_parts

register = template.Library()


@register.filter
def markup(text: str, anchor: str = "") -> SafeString:
    """A section body as HTML; with an anchor, its "## " parts get ids <anchor>-1, -2 …"""
    return light_markdown(text or "", anchor)


@register.filter
def parts(text: str) -> list[tuple[int, str]]:
    """The "## " parts of a section body, numbered from 1 (for the contents list)."""
    return list(enumerate(section_parts(text or ""), start=1))


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
