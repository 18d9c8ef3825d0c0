from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from initiatives.results.decisions import send_decision_reminders
from initiatives.results.services import send_deadline_reminders


class Command(BaseCommand):
    help = (
        "提出期限が近い（または過ぎた）受付中の年度について、未提出の実施結果がある担当課に"
        "催促メールを送ります。毎月1日には、確定予定月を迎えた「未確定」の実施結果がある担当課にも"
        "お知らせを送ります。スケジューラから毎日1回実行します。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.REMINDER_DAYS_BEFORE,
            help="期限の何日前から送るか（既定: 環境変数 REMINDER_DAYS_BEFORE、なければ3）。",
        )
        parser.add_argument("--today", help="基準日（YYYY-MM-DD）。省略すると今日（動作確認用）。")

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today は YYYY-MM-DD の形で指定してください。") from exc
        if options["days"] < 0:
            raise CommandError("--days は0以上にしてください。")
        reminded = send_deadline_reminders(today=today, days_before=options["days"])
        if reminded:
            self.stdout.write(
                f"催促の対象となった担当課（{len(reminded)}）: {'、'.join(reminded)}\n"
                "（宛先なし）の課は、担当課のメールアドレスも所属職員のメールアドレスも"
                "登録されていないため送れませんでした。"
            )
        else:
            self.stdout.write("催促が必要な担当課はありません。")
        decided = send_decision_reminders(today=today)
        if decided:
            self.stdout.write(
                f"確定時期のお知らせを送った担当課（{len(decided)}）: {'、'.join(decided)}"
            )
