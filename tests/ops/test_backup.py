"""Backup → restore into an empty database → the identical plan export.

Each database is a real one of the engine under test, driven through manage.py in a
subprocess exactly as an operator would run the commands.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

MANAGE = settings.BASE_DIR / "manage.py"


def _manage(database_url: str, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "backup-test-" + "k" * 50,
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture
def sqlite_databases(tmp_path: Path) -> tuple[str, str]:
    return f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.fixture
def postgresql_databases() -> Iterator[tuple[str, str]]:
    """Two new databases on the suite's PostgreSQL server, dropped afterwards."""
    default = settings.DATABASES["default"]
    server = {
        "host": default["HOST"] or "127.0.0.1",
        "port": default["PORT"] or 5432,
        "user": default["USER"],
        "password": default["PASSWORD"] or None,
        "dbname": "postgres",
    }
    names = [f"backup_test_{uuid.uuid4().hex[:10]}_{role}" for role in ("source", "empty")]
    with psycopg.connect(**server, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    credentials = server["user"] + (f":{server['password']}" if server["password"] else "")
    urls = [f"postgres://{credentials}@{server['host']}:{server['port']}/{n}" for n in names]
    try:
        yield urls[0], urls[1]
    finally:
        with psycopg.connect(**server, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# SQLite always; PostgreSQL too when the suite itself runs on PostgreSQL (CI's second pass).
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"])
def test_it_restores_a_backup_into_an_empty_database_identically(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source_url, empty_url = request.getfixturevalue(f"{engine}_databases")
    _manage(source_url, "migrate", "--no-input")
    _manage(source_url, "import_plan", str(settings.PLAN_FIXTURE))
    _manage(source_url, "export_plan", "--out", str(tmp_path / "before.json"))
    backup_file = tmp_path / "plan.backup"
    _manage(source_url, "backup_db", "--out", str(backup_file))

    _manage(empty_url, "restore_db", str(backup_file))
    _manage(empty_url, "export_plan", "--out", str(tmp_path / "after.json"))

    before = (tmp_path / "before.json").read_text(encoding="utf-8")
    after = (tmp_path / "after.json").read_text(encoding="utf-8")
    assert '"initiatives"' in before
    assert after == before
    # The restored database is a complete one: nothing left to migrate.
    _manage(empty_url, "migrate", "--check")


def test_it_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    not_a_backup = tmp_path / "plan.json"
    not_a_backup.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match=r"のバックアップ.*ではありません"):
        call_command("restore_db", str(not_a_backup))
