"""Template pieces of the committee's public pages: the response category badge, file sizes
and the open data section of the open-data page."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from governance.public.open_data import COLUMNS
from governance.validators import size_label
from governance.vocabulary import STATUS_MARKS, ResponseStatus

register = template.Library()


@register.filter
def response_status_badge(code: str | None) -> str:
    """A published 対応区分 as a shape and a word (never colour alone)."""
    if code not in STATUS_MARKS:
        return ""
    return format_html(
        '<span class="response-status response-status--{}">'
        '<span class="status__icon" aria-hidden="true">{}</span>{}</span>',
        code.replace("_", "-"),
        STATUS_MARKS[code],
        ResponseStatus(code).label,
    )


@register.filter
def material_size(size: int | None) -> str:
    return size_label(size) if size else ""


@register.inclusion_tag("governance/public/_open_data.html")
def committee_open_data() -> dict:
    return {
        "columns": COLUMNS,
        "list_url": reverse("committee:opinions"),
        "csv_url": reverse("committee:download_csv"),
        "json_url": reverse("committee:download_json"),
    }
