"""Make the open-data files of each plan's current publication state, here and now.

    manage.py prepare_open_data [--plan SLUG]

The worker does this after every publication; this is for a worker that was stopped, after
clearing the cache, and for the benchmarks. It fills the cache the servers share
(PUBLIC_CACHE_DIR); without one it can only say so.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from initiatives.plan.selectors import plans_newest_first
from initiatives.public.datapackage import prepare_files


class Command(BaseCommand):
    help = "各プランの現在の公表内容について、オープンデータのファイルを作成します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", help="プランの識別名（省略時はすべてのプラン）。")

    def handle(self, *args, **options) -> None:
        plans = plans_newest_first()
        if options["plan"]:
            plans = [plan for plan in plans if plan.slug == options["plan"]]
            if not plans:
                raise CommandError(f"プラン「{options['plan']}」はありません。")
        for plan in plans:
            made = prepare_files(plan=plan)
            self.stdout.write(f"{plan.slug}: {len(made)}件を作成しました。")
        if "LocMemCache" in settings.CACHES[settings.PUBLIC_CACHE_ALIAS]["BACKEND"]:
            self.stderr.write(
                "PUBLIC_CACHE_DIR が設定されていないため、このコマンドのメモリにだけ作成しました。"
                "動いているサーバーには効果がありません（サーバーは最初の要求のときに作成します）。"
            )
