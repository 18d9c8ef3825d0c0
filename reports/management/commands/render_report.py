from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from initiatives.models import Department, FiscalYear
from reports.models import RenderedReport
from reports.services import ReportRequest, render_pdf


class Command(BaseCommand):
    help = "報告書 PDF を同期的に作成します（バッチ・定期実行用）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True, help="西暦の年度（例: 2023）")
        parser.add_argument("--summary", action="store_true", help="概要版")
        parser.add_argument("--department", help="担当課名（その課の取組のみ）")
        parser.add_argument("--draft", action="store_true", help="未公表の入力内容による案")
        parser.add_argument("--out", required=True, help="出力する PDF のパス")

    def handle(self, *args, **options) -> None:
        try:
            fiscal_year = FiscalYear.objects.get(year=options["year"])
        except FiscalYear.DoesNotExist as error:
            raise CommandError(f"{options['year']}年度はありません。") from error
        department = None
        if options["department"]:
            try:
                department = Department.objects.get(name=options["department"])
            except Department.DoesNotExist as error:
                raise CommandError(f"担当課「{options['department']}」はありません。") from error
        if options["draft"]:
            kind = RenderedReport.Kind.DRAFT
        elif options["summary"]:
            kind = RenderedReport.Kind.SUMMARY
        elif department is not None:
            kind = RenderedReport.Kind.DEPARTMENT
        else:
            kind = RenderedReport.Kind.FULL
        pdf, pages = render_pdf(
            request=ReportRequest(kind=kind, fiscal_year=fiscal_year, department=department)
        )
        Path(options["out"]).write_bytes(pdf)
        self.stdout.write(f"{options['out']}: {pages} ページ")
