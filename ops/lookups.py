"""`in` lookups on id columns that match no row for a value no such column can hold.

Django's own integer lookups (exact, gt, lt, …) already treat a number out of the column's
range as matching nothing; `in` does not, and no lookup accepts text that is not a number.
The admin passes the posted ids of a bulk action (`_selected_action`) straight to
`pk__in`, so "abc", "1.5" or a 30-digit number there reached the database or the field's
conversion: OverflowError on SQLite, an out-of-range error on PostgreSQL, a ValueError,
a 500 every time. With these lookups (registered in `ops.apps` for every integer and UUID
column) such values are left out of the list, as no row can have them.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db.models.fields.related_lookups import RelatedExact
from django.db.models.lookups import In


class TolerantIn(In):
    """`in` that leaves out values the column cannot hold instead of failing."""

    def get_prep_lookup(self):
        if self.rhs_is_direct_value() and not isinstance(self.rhs, str):
            field = self.lhs.output_field
            kept = []
            for value in self.rhs:
                if hasattr(value, "resolve_expression"):
                    kept.append(value)
                    continue
                try:
                    field.get_prep_value(value)
                except (TypeError, ValueError, ValidationError):
                    continue
                kept.append(value)
            self.rhs = kept
        return super().get_prep_lookup()

    def process_rhs(self, compiler, connection):
        internal_type = self.lhs.output_field.get_internal_type()
        if self.rhs_is_direct_value() and internal_type in connection.ops.integer_field_ranges:
            low, high = connection.ops.integer_field_range(internal_type)
            kept = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not kept:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)


class TolerantRelatedExact(RelatedExact):
    """`exact` on a foreign key that matches no row for a number its column cannot hold.

    Django checks the range of a number compared with an integer column, but not with a
    foreign key column: `material.objects.get(meeting_id=10**30)` overflowed on SQLite and
    failed on PostgreSQL (a 500 for a URL like /meetings/<30 digits>/…)."""

    def process_rhs(self, compiler, connection):
        target = getattr(self.lhs.output_field, "target_field", None)
        if target is not None and self.rhs_is_direct_value() and isinstance(self.rhs, int):
            internal_type = target.get_internal_type()
            if internal_type in connection.ops.integer_field_ranges:
                low, high = connection.ops.integer_field_range(internal_type)
                if (low is not None and self.rhs < low) or (high is not None and self.rhs > high):
                    raise EmptyResultSet
        return super().process_rhs(compiler, connection)
