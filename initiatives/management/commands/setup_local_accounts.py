from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

LOCAL_ADMIN = ("admin", "kanazawa-admin")


class Command(BaseCommand):
    help = "ローカル開発用の管理者アカウントを作ります（DEBUG のときだけ）。"

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
                "（http://127.0.0.1:8000/admin/）"
            )
        )
