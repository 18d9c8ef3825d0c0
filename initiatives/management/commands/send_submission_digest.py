from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from initiatives.results.notifications import digest_due, send_submission_digest


class Command(BaseCommand):
    help = (
        "提出された実施結果を1通のまとめメールで推進本部に知らせます（SUBMISSION_DIGEST が "
        "daily なら1日1回 SUBMISSION_DIGEST_HOUR 時以降、hourly なら1時間に1回）。"
        "どの提出も、まとめメールに載るのは1回だけです。スケジューラから毎時実行します。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="送る時刻になっていなくても、待っている提出があれば今すぐ送ります。",
        )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        if not options["now"] and not digest_due(now=now):
            self.stdout.write(
                f"まだ送る時刻ではありません（SUBMISSION_DIGEST={settings.SUBMISSION_DIGEST}）。"
            )
            return
        digest = send_submission_digest(now=now)
        if digest is None:
            self.stdout.write("新しい提出はありません。")
        elif digest.mail is None:
            self.stdout.write(
                f"提出 {digest.notices.count()} 件をまとめましたが、推進本部のメールアドレスが"
                "登録されていないため送れませんでした。"
            )
        else:
            self.stdout.write(f"提出 {digest.notices.count()} 件のまとめメールを送りました。")
