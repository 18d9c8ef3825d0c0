"""Sending queued mail in the background (Django's tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django.tasks import task

from outbox import services


@task()
def send_mail_task(mail_id: int) -> None:
    """One attempt to send one queued mail; a failure schedules the next attempt itself."""
    services.deliver(mail_id=mail_id)
