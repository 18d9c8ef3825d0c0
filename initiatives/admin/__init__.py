"""The admin screens, thin: each module registers the screens of what it is named for and
calls services and selectors for every read and write. Importing a module registers it."""

from __future__ import annotations

from initiatives.admin import organisation, periods, records, results, structure, users

__all__ = ["organisation", "periods", "records", "results", "structure", "users"]
