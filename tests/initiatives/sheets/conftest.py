"""Fixtures of the spreadsheet tests: kept uploads in a temporary folder, an HQ user with
an open year, department staff, and a superuser to import the plan."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.initiatives.workflow_helpers import make_user, open_year


@pytest.fixture(autouse=True)
def kept_files(settings, tmp_path):
    """Previewed files are kept under MEDIA_ROOT until confirmed; keep them out of the repo."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    return tmp_path


@pytest.fixture
def planner(client):
    """A client logged in as a system administrator, the one who imports the plan."""
    user = get_user_model().objects.create_superuser("planner", "", "pw-for-tests-123")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def hq():
    """推進本部, with 令和6年度 open for entry."""
    user = make_user("honbu", hq=True)
    open_year(2024, hq=user)
    return user


@pytest.fixture
def digital(hq):
    return make_user("sato", "デジタル行政戦略課")


@pytest.fixture
def tax(hq):
    return make_user("suzuki", "税務課")
