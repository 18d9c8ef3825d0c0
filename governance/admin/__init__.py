"""The committee's admin screens, thin: `committee` for HQ's records (committee, meetings,
material, opinions, assignments, publication) and `responses` for the departments' entry
and HQ's review; both call services and selectors for every read and write."""

from __future__ import annotations

from governance.admin import committee, responses

__all__ = ["committee", "responses"]
