"""The admin screens, thin: each module registers the screens of what it is named for and
calls services and selectors for every read and write."""

from __future__ import annotations

from initiatives.admin import results, structure

__all__ = ["results", "structure"]
