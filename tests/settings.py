"""The suite's settings: kanazawa_plan.settings, unchanged, read from a deployment's environment.

pytest-django imports this module (pyproject.toml, DJANGO_SETTINGS_MODULE) so that the
environment is in place before the settings read it. Nothing here sets a setting: like
deploy/production.env, it only provides environment values, so every test runs through the
same code paths as production (DEBUG off, secure cookies, HSTS, the hashed static files that
tests/conftest.py collects). DATABASE_URL is left to the caller (CI runs the suite on SQLite
and on PostgreSQL).
"""

from __future__ import annotations

import os

os.environ.update(
    {
        # Fixed, so that the suite never depends on the shell it is started from.
        "DEBUG": "0",
        "SECRET_KEY": "test-suite-only-not-a-secret-9c1f4e7a2b6d8e0f3a5c7b9d1e2f4a6c8b0d",
        # The test client speaks plain HTTP, as a TLS proxy does to the app; the redirect
        # itself is tested with the setting switched on (tests/ops/test_health.py).
        "SECURE_SSL_REDIRECT": "0",
        # Where the suite runs collectstatic, apart from the development server's files.
        "STATIC_ROOT": "test-artifacts/staticfiles",
        # Reports render inline instead of waiting for a db_worker.
        "TASKS_BACKEND": "immediate",
        # Publishing renders some 50 files; the tests that need them switch this on.
        "REPORTS_RENDER_ON_PUBLICATION": "0",
    }
)

from kanazawa_plan.settings import *  # noqa: F403
