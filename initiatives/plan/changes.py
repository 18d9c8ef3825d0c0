"""The one writer of Plan.structure_changed_at: what public answers learn of structure edits.

Public pages and downloads are kept per publication state (`public.caching`); a publication
makes a new state by itself, but an edit of the plan's structure (an initiative's name, a
year's plan text, a department) does not. Every write to the structure outside a publication
calls `mark_structure_changed`, and the state includes the time.
"""

from __future__ import annotations

from django.utils import timezone

from initiatives.models import Plan


def mark_structure_changed() -> None:
    """Every plan's answers are rebuilt: structure edits are rare, and some rows (a
    department, a fiscal year, the glossary) are shown by more than one plan."""
    Plan.objects.update(structure_changed_at=timezone.now())
