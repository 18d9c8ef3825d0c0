"""Whole-database backup and restore for the two supported engines.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists` in one
transaction. SQLite: the sqlite3 online backup API, page by page, safe while the app runs.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

POSTGRES = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"
_POSTGRES_MAGIC = b"PGDMP"
_SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    pass


def backup(out: Path, *, using: str = "default") -> None:
    connection = connections[using]
    engine = connection.settings_dict["ENGINE"]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    if engine == POSTGRES:
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={partial}",
                *_pg_target(connection.settings_dict),
            ],
            connection.settings_dict,
        )
    elif engine == SQLITE:
        connection.ensure_connection()
        with sqlite3.connect(partial) as target:
            connection.connection.backup(target)
        target.close()
    else:
        raise BackupError(f"{engine} のバックアップには対応していません。")
    partial.replace(out)


def restore(backup_file: Path, *, using: str = "default") -> None:
    connection = connections[using]
    engine = connection.settings_dict["ENGINE"]
    magic = _magic(backup_file)
    if engine == POSTGRES:
        if not magic.startswith(_POSTGRES_MAGIC):
            raise BackupError(
                f"{backup_file} は PostgreSQL のバックアップ (pg_dump -Fc) ではありません。"
            )
        connection.close()
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={connection.settings_dict['NAME']}",
                str(backup_file),
            ],
            connection.settings_dict,
        )
    elif engine == SQLITE:
        if not magic.startswith(_SQLITE_MAGIC):
            raise BackupError(f"{backup_file} は SQLite のバックアップではありません。")
        connection.ensure_connection()
        with sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True) as source:
            source.backup(connection.connection)
        source.close()
    else:
        raise BackupError(f"{engine} の復元には対応していません。")


def _magic(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"バックアップファイルを読めません: {exc}") from exc


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} が見つかりません (Debian/Ubuntu: apt-get install postgresql-client)。"
        )
    return found


def _pg_target(settings_dict: dict) -> list[str]:
    return [f"--dbname={settings_dict['NAME']}"]


def _run(command: list[str], settings_dict: dict) -> None:
    env = os.environ.copy()
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} が失敗しました: {result.stderr.strip()}")
