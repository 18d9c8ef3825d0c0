"""Background rendering of report files (Django's tasks framework)."""

from __future__ import annotations

from django.tasks import task

from reports import services


@task()
def render_report_task(report_id: int) -> None:
    """Render one pending report; the worker (`manage.py db_worker`) runs this."""
    services.render_pending_report(report_id=report_id)
