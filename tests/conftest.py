from __future__ import annotations

import copy
import json

import pytest
from django.conf import settings

from initiatives.plan.loader import import_plan


def real_plan_document() -> dict:
    """The committed fixture: the whole plan as the city's document states it."""
    return json.loads(settings.PLAN_FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real plan once per test database; each test's changes are rolled back."""
    with django_db_blocker.unblock():
        import_plan(data=real_plan_document())


@pytest.fixture
def plan_document() -> dict:
    """A fresh deep copy of the real plan document, safe to mutate in a test."""
    return copy.deepcopy(_cached_document())


_CACHE: dict[str, dict] = {}


def _cached_document() -> dict:
    if "doc" not in _CACHE:
        _CACHE["doc"] = real_plan_document()
    return _CACHE["doc"]
