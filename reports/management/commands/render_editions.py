"""Queue (or, with --now, render here) the missing public files of each year's latest edition.

    manage.py render_editions [--year 2024] [--kind full --kind summary …] [--now]

Publication queues them by itself; this is for a worker that was stopped or a file that
failed, and for the benchmark (--now renders in this process, without a worker).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from initiatives.publication.selectors import latest_editions
from reports import services
from reports.editions import PUBLIC_KINDS, queue_edition_files
from reports.models import RenderedReport


class Command(BaseCommand):
    help = "各年度の最新の公表版の報告書ファイルのうち、ないものを作成待ちにします。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", help="年度（西暦）。複数可。")
        parser.add_argument(
            "--kind", action="append", choices=[str(k) for k in PUBLIC_KINDS], help="種類。"
        )
        parser.add_argument("--now", action="store_true", help="このプロセスで作成する。")

    def handle(self, *args, **options) -> None:
        kinds = tuple(options["kind"] or PUBLIC_KINDS)
        for year, edition in latest_editions(years=options["year"]).items():
            queued = queue_edition_files(edition_id=edition.pk, kinds=kinds)
            if options["now"]:
                # Also the files queued at publication that no worker has made yet.
                queued = list(
                    RenderedReport.objects.filter(edition=edition, kind__in=kinds).exclude(
                        state=RenderedReport.State.DONE
                    )
                )
                for report in queued:
                    services.render_pending_report(report_id=report.pk)
            verb = "作成" if options["now"] else "作成待ちに"
            self.stdout.write(f"{year}年度 第{edition.number}版: {len(queued)}件を{verb}しました。")
