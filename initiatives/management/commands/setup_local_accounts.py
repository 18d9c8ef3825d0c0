from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from initiatives.demo import DEMO_PASSWORD, ensure_demo_accounts
from initiatives.models import Department, FiscalYear

LOCAL_ADMIN = ("admin", "kanazawa-admin")


class Command(BaseCommand):
    help = (
        "ローカル開発用の管理者とデモ用アカウントを作り、令和6年度の入力期間を開始します"
        "（DEBUG のときだけ）。"
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            self.stdout.write("DEBUG が無効なので、ローカル用アカウントは作りません。")
            return
        username, password = LOCAL_ADMIN
        user_model = get_user_model()
        if not user_model.objects.filter(username=username).exists():
            user_model.objects.create_superuser(username, "", password)
        self.stdout.write(
            self.style.SUCCESS(
                f"ローカル管理者: ユーザー名 {username} / パスワード {password} "
                f"（{settings.SITE_URL.rstrip('/')}/{settings.ADMIN_URL}）"
            )
        )
        if not Department.objects.exists() or not FiscalYear.objects.filter(year=2024).exists():
            raise CommandError(
                "プランが読み込まれていません。先に import_plan を実行してください。"
            )
        setup = ensure_demo_accounts(today=timezone.localdate())
        period = setup.period
        self.stdout.write(
            self.style.SUCCESS(
                f"デモ用アカウント: {'・'.join(setup.users)} / パスワード {DEMO_PASSWORD}\n"
                f"{period.fiscal_year.label}の入力期間: 提出期限 {period.deadline:%Y年%m月%d日}"
                f"（{'受付中' if period.is_open else '受付終了'}）"
            )
        )
