from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "データベース全体をファイルにバックアップします"
        " (PostgreSQL: pg_dump -Fc, SQLite: backup API)。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="書き出すファイル")
        parser.add_argument("--database", default="default")

    def handle(self, *args: object, **options: object) -> None:
        out: Path = options["out"]
        try:
            backup(out, using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"バックアップしました: {out} ({out.stat().st_size:,} バイト)")
