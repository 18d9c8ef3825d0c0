"""The results sheet's cells as django-import-export widgets: each renders a value for the
sheet on export and reads a cell back on import the way staff type it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from import_export import widgets

from initiatives.sheets.io import cell_text, parse_number_cell, parse_status
from initiatives.vocabulary import status_label


class CellTextWidget(widgets.Widget):
    """Text as typed: the export's safety apostrophe removed, line breaks as \\n."""

    def clean(self, value, row=None, **kwargs) -> str:
        return cell_text(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class StatusWidget(widgets.Widget):
    """達成状況 by its label (達成・未達成・未確定, spaces and width forgiven); empty → ""."""

    def clean(self, value, row=None, **kwargs) -> str:
        return parse_status(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return status_label(value)


class VersionWidget(widgets.Widget):
    """版: the result's version when exported; None when the cell is not a whole number."""

    def clean(self, value, row=None, **kwargs) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = unicodedata.normalize("NFKC", cell_text(value)).strip()
        return int(text) if text.isdigit() else None

    def render(self, value, obj=None, **kwargs) -> int:
        return value


class NumberWidget(widgets.Widget):
    """A target or actual value: a number cell on export, read back in the entry screen's
    forms (全角, 1,234, 98.3%, 120件 and the indicator's own unit)."""

    def clean(self, value, row=None, *, units: Iterable[str] = (), **kwargs) -> Decimal | None:
        return parse_number_cell(value, units=units)

    def render(self, value: Decimal | None, obj=None, **kwargs) -> int | float | None:
        """An int when whole, else a float (at most 4 decimals are stored)."""
        if value is None:
            return None
        if value == value.to_integral_value():
            return int(value)
        return float(value)
