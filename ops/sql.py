"""Pieces of SQL written once for a hot path (the public cache's state, a report download),
named from the models so a renamed table or column cannot leave them behind."""

from __future__ import annotations

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(alias: str, model: type[models.Model], name: str) -> str:
    """`alias."column"` of the model's field `name` (a foreign key's `_id` column too)."""
    return f"{alias}.{connection.ops.quote_name(model._meta.get_field(name).column)}"


def fits(model: type[models.Model], name: str, value: int) -> bool:
    """Whether the integer column can hold `value` (the range Django's own lookups check):
    a raw query given a number no row can have would fail (SQLite cannot even bind it)."""
    field = model._meta.get_field(name)
    field = getattr(field, "target_field", None) or field
    internal_type = field.get_internal_type()
    if internal_type not in connection.ops.integer_field_ranges:
        return True
    low, high = connection.ops.integer_field_range(internal_type)
    return (low is None or value >= low) and (high is None or value <= high)
