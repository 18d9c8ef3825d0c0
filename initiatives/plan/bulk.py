"""Set-based writes for the plan loader: a table's rows are read once, compared in memory
and written with bulk_create / bulk_update / one delete, so that loading costs the same
number of queries for 12 initiatives as for 1,240."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history


def clean(row: models.Model) -> None:
    """Field validation of a row about to be written in bulk.

    Foreign keys are left out: they point at rows this load has just read or written, and
    Django checks each one with a query of its own. Uniqueness is the database's job."""
    relations = [f.name for f in row._meta.concrete_fields if f.is_relation]
    row.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


@dataclass
class Sync:
    """The wanted rows of one table against the existing ones, keyed by a natural key.

    `want` updates an existing row in memory (remembering it when a field changed) or
    builds a new one; `apply` writes the changes in a fixed number of queries; rows never
    wanted are deleted by `apply` unless `keep` says otherwise."""

    model: type[models.Model]
    fields: list[str]
    existing: dict[Hashable, models.Model]
    validate: bool = False
    history: bool = False
    wanted: dict[Hashable, models.Model] = field(default_factory=dict)
    new: list[models.Model] = field(default_factory=list)
    changed: list[models.Model] = field(default_factory=list)
    # Only the fields that changed on some row are written: each costs a CASE over every row.
    dirty_fields: set[str] = field(default_factory=set)

    @classmethod
    def of(
        cls,
        model: type[models.Model],
        rows: Iterable[models.Model],
        key: Callable[[models.Model], Hashable],
        *,
        fields: list[str],
        **options,
    ) -> Sync:
        return cls(model=model, fields=fields, existing={key(row): row for row in rows}, **options)

    def want(self, natural_key: Hashable, /, **values) -> models.Model:
        row = self.existing.get(natural_key)
        if row is None:
            row = self.model(**values)
            self.new.append(row)
        else:
            dirty = False
            for name, value in values.items():
                if _differs(row, name, value):
                    setattr(row, name, value)
                    self.dirty_fields.add(name)
                    dirty = True
            if dirty:
                self.changed.append(row)
        if self.validate:
            clean(row)
        self.wanted[natural_key] = row
        return row

    def stale(self) -> list[models.Model]:
        return [row for key, row in self.existing.items() if key not in self.wanted]

    def delete_stale(self, *, keep: Callable[[models.Model], bool] | None = None) -> None:
        pks = [row.pk for row in self.stale() if keep is None or not keep(row)]
        if pks:
            self.model.objects.filter(pk__in=pks).delete()

    def write(self) -> None:
        """Create the new rows and update the changed ones (with their history records)."""
        fields = [name for name in self.fields if name in self.dirty_fields]
        if self.history:
            if self.changed:
                bulk_update_with_history(self.changed, self.model, fields)
            if self.new:
                bulk_create_with_history(self.new, self.model)
            return
        if self.changed:
            self.model.objects.bulk_update(self.changed, fields)
        if self.new:
            self.model.objects.bulk_create(self.new)

    def apply(self) -> dict[Hashable, models.Model]:
        self.delete_stale()
        self.write()
        return self.wanted


def _differs(row: models.Model, name: str, value) -> bool:
    """Whether `row.name` is not `value`; a foreign key is compared by its id, so that an
    unloaded related row is never fetched."""
    field = row._meta.get_field(name)
    if field.is_relation and field.many_to_one:
        return getattr(row, field.attname) != (None if value is None else value.pk)
    return getattr(row, name) != value
