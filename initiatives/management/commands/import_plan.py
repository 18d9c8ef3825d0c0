from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from initiatives.models import Plan
from initiatives.plan.interchange import PlanFormatError, parse_document
from initiatives.plan.loader import import_plan


class Command(BaseCommand):
    help = (
        "プランの JSON 文書（docs/plan-format.md）を読み込みます。"
        "何度実行しても同じ結果になり、誤りがあれば何も変更しません。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="読み込む JSON ファイル")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="プランがまだ無いときだけ読み込みます（入力済みの実施結果を守るため）。",
        )
        parser.add_argument(
            "--overwrite-results",
            action="store_true",
            help=(
                "システムで入力・確認した実施結果も、文書の内容で上書き・削除します"
                "（付けなければ、そうなるときは何も変更せずに中止します）。"
            ),
        )

    def handle(
        self,
        *args,
        file: str,
        if_empty: bool = False,
        overwrite_results: bool = False,
        **options,
    ) -> None:
        if if_empty and Plan.objects.exists():
            self.stdout.write("プランは読み込み済みです。")
            return
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"ファイルを読めません: {exc}") from exc
        try:
            summary = import_plan(data=parse_document(raw), overwrite_results=overwrite_results)
        except (PlanFormatError, ValidationError) as exc:
            raise CommandError(f"読み込みを中止しました（何も変更していません）: {exc}") from exc
        self.stdout.write(
            f"読み込みました: 取組 {summary.initiatives} 件、実施結果 {summary.results} 件、"
            f"用語 {summary.glossary} 件"
            + (f"、新規 {len(summary.created)} 件" if summary.created else "")
            + (f"、削除 {', '.join(summary.removed)}" if summary.removed else "")
        )
