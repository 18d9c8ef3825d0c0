"""Send every queued mail whose time has come (a safety net beside the task queue)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from outbox import services


class Command(BaseCommand):
    help = "送信待ちのメールのうち、送る時刻になったものを送ります。"

    def handle(self, *args, **options) -> None:
        sent = services.send_due_mail()
        problems = services.problems()
        self.stdout.write(
            f"{sent}通を送信しました。送信できなかったメール {problems['failed']}通、"
            f"遅れている送信待ち {problems['waiting']}通。"
        )
