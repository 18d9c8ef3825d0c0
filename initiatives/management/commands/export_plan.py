from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from initiatives.models import Plan
from initiatives.plan.export import export_plan_document
from initiatives.plan.interchange import dump_document
from initiatives.plan.selectors import get_plan, plans_newest_first


class Command(BaseCommand):
    help = "プラン全体（構成・実施計画・指標・実施結果・用語集）を JSON で書き出します。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", help="書き出すファイル（省略時は標準出力）")
        parser.add_argument(
            "--plan",
            metavar="SLUG",
            help="書き出すプランの識別名（例: 2023-2026）。省略時は現行プラン。",
        )

    def handle(self, *args, out: str | None = None, plan: str | None = None, **options) -> None:
        if not Plan.objects.exists():
            raise CommandError(
                "プランが登録されていません。先に import_plan で読み込んでください。"
            )
        try:
            chosen = get_plan(slug=plan)
        except Plan.DoesNotExist:
            known = "、".join(p.slug for p in plans_newest_first())
            raise CommandError(
                f"識別名 {plan!r} のプランはありません（あるもの: {known}）。"
            ) from None
        text = dump_document(export_plan_document(plan=chosen))
        if out:
            Path(out).write_text(text, encoding="utf-8")
            self.stderr.write(f"{out} に書き出しました。")
        else:
            self.stdout.write(text, ending="")
