from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "backup_db のファイルからデータベース全体を復元します。"
        "今のデータベースの内容はすべてバックアップの内容に置き換わります。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup_file", type=Path, help="backup_db で作ったファイル")
        parser.add_argument("--database", default="default")

    def handle(self, *args: object, **options: object) -> None:
        backup_file: Path = options["backup_file"]
        try:
            restore(backup_file, using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"復元しました: {backup_file}")
