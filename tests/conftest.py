from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from initiatives.plan.loader import import_plan

# collectstatic's own default.
STATIC_IGNORE = ["CVS", ".*", "*~"]


def pytest_configure(config: pytest.Config) -> None:
    # xdist workers are started after the controller has configured, so the files collected
    # here are in place before any worker renders a page.
    if not hasattr(config, "workerinput"):
        collect_static_files()


def collect_static_files() -> None:
    """Production's hashed, compressed static files in the suite's STATIC_ROOT.

    Templates link the names in collectstatic's manifest, as in production, so the suite
    needs one. collectstatic takes seconds; it is skipped while no source file has changed.
    """
    root = Path(settings.STATIC_ROOT)
    stamp = root / ".sources"
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list(STATIC_IGNORE), key=lambda found: found[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    fingerprint = digest.hexdigest()
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return
    call_command("collectstatic", interactive=False, clear=True, verbosity=0)
    stamp.write_text(fingerprint)


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


def next_plan_document(document: dict, *, slug: str = "2027-2030", shift: int = 4) -> dict:
    """The real plan turned into the next plan, as a city would draft it from an export:
    its own slug, title and period (every year moved by `shift`), and no results yet."""
    doc = copy.deepcopy(document)
    doc["format"] = "kanazawa-plan/2"
    plan = doc["plan"]
    plan.update(
        slug=slug,
        title="金沢市行政経営プラン（第2期）",
        start_year=plan["start_year"] + shift,
        end_year=plan["end_year"] + shift,
    )
    for policy in doc["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                for initiative in direction["initiatives"]:
                    initiative["years"] = {
                        str(int(year) + shift): {**entry, "result": None}
                        for year, entry in initiative["years"].items()
                    }
                for relisted in direction.get("relisted", []):
                    relisted.pop("result_texts", None)
    return doc
