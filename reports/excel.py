"""The report tables as Excel workbooks (openpyxl): the achievement tables (取組事項一覧) and
the tables of the report to the assembly (議会報告). Every value is written through
`initiatives.sheets.cells` (formula-looking text neutralised, counts as numbers)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from initiatives.sheets import cells
from initiatives.sheets.io import wrapped_lines
from initiatives.vocabulary import (
    CODE_HEADING,
    DEPARTMENTS_HEADING,
    FISCAL_YEAR_HEADING,
    NAME_HEADING,
    NOTE_HEADING,
    POLICY_HEADING,
    RESULT_TEXT_HEADING,
    STATUS_HEADING,
    STATUS_ORDER,
    status_label,
)
from reports.assembly import AssemblyData
from reports.selectors import ReportData, status_counts

FONT = "Noto Sans CJK JP"
THIN = Side(style="thin", color="444444")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E8EEF5")
MEASURE_FILL = PatternFill("solid", fgColor="1F4E79")
DIRECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
WIDTHS = [8, 60, 26]  # No., 取組事項名, 担当課; then 7 per fiscal year
LINE_HEIGHT = 16  # points per line of 11 pt Noto Sans CJK JP


def _cell_label(status: str | None) -> str:
    if status is None:
        return "—"
    return status_label(status)


def achievement_workbook(*, data: ReportData) -> bytes:
    """One sheet per 方針 laid out as the document's tables, plus a summary sheet."""
    years = data.fiscal_years
    ncols = 3 + len(years)
    book = Workbook()
    summary = book.active
    summary.title = "集計"
    _summary_sheet(summary, data)
    for block in data.table:
        sheet = book.create_sheet(f"方針{block.policy.number}")
        title = f"{data.plan.title} 取組事項一覧　方針{block.policy.number} {block.policy.title}"
        cells.put(sheet, row=1, column=1, value=f"{title}（{data.fiscal_year.label}）").font = Font(
            name=FONT, bold=True, size=12
        )
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        for col, label in enumerate((CODE_HEADING, NAME_HEADING, DEPARTMENTS_HEADING), start=1):
            cells.put(sheet, row=2, column=col, value=label)
            sheet.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
        cells.put(sheet, row=2, column=4, value="計画達成状況")
        sheet.merge_cells(start_row=2, start_column=4, end_row=2, end_column=ncols)
        for offset, fy in enumerate(years):
            cells.put(sheet, row=3, column=4 + offset, value=fy.short_label)
        for row in (2, 3):
            for col in range(1, ncols + 1):
                cell = sheet.cell(row, col)
                cell.font = Font(name=FONT, bold=True)
                cell.fill = HEAD_FILL
                cell.alignment = CENTER
                cell.border = BOX
        row_number = 4
        for measure_block in block.measures:
            cell = cells.put(sheet, row=row_number, column=1, value=measure_block.measure.label)
            cell.font = Font(name=FONT, bold=True, color="FFFFFF")
            cell.fill = MEASURE_FILL
            sheet.merge_cells(
                start_row=row_number, start_column=1, end_row=row_number, end_column=ncols
            )
            row_number += 1
            for direction_block in measure_block.directions:
                direction = direction_block.direction
                label = f"{direction.marker}{direction.title}"
                cell = cells.put(sheet, row=row_number, column=1, value=label)
                cell.font = Font(name=FONT, bold=True)
                cell.fill = DIRECTION_FILL
                cell.border = BOX
                sheet.merge_cells(
                    start_row=row_number, start_column=1, end_row=row_number, end_column=ncols
                )
                row_number += 1
                for table_row in direction_block.rows:
                    initiative = table_row.initiative
                    # As the document prints it: 【R6新規】 before the name, 【数値目標】 after.
                    name = ("【再掲】" if table_row.relisted else "") + initiative.name_prefix
                    name += initiative.name + initiative.name_suffix
                    values = [
                        "-" if table_row.relisted else initiative.code,
                        name,
                        initiative.department_names,
                        *(_cell_label(table_row.statuses.get(fy.year)) for fy in years),
                    ]
                    for col, value in enumerate(values, start=1):
                        cell = cells.put(sheet, row=row_number, column=col, value=value)
                        cell.font = Font(name=FONT)
                        cell.border = BOX
                        cell.alignment = WRAP if col in (2, 3) else CENTER
                    lines = max(
                        wrapped_lines(text, WIDTHS[col])
                        for col, text in ((1, name), (2, initiative.department_names))
                    )
                    sheet.row_dimensions[row_number].height = LINE_HEIGHT * lines + 2
                    row_number += 1
        for col, width in enumerate(WIDTHS + [7] * len(years), start=1):
            sheet.column_dimensions[get_column_letter(col)].width = width
        sheet.freeze_panes = "A4"
        sheet.print_title_rows = "2:3"
        _print_setup(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary_sheet(sheet, data: ReportData) -> None:
    counts = status_counts(data=data)
    title = f"{data.plan.title} 計画達成状況の集計（{data.fiscal_year.label}）"
    cells.put(sheet, row=1, column=1, value=title).font = Font(name=FONT, bold=True, size=12)
    headers = [FISCAL_YEAR_HEADING, *(status_label(s) for s in STATUS_ORDER), "未報告", "計"]
    for col, label in enumerate(headers, start=1):
        cell = cells.put(sheet, row=2, column=col, value=label)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = CENTER
        cell.border = BOX
    row = 3
    for fy in data.fiscal_years:
        year_counts = counts.get(fy.year, {})
        values = [
            fy.label,
            *(year_counts.get(s, 0) for s in STATUS_ORDER),
            year_counts.get("", 0),
            sum(year_counts.values()),
        ]
        for col, value in enumerate(values, start=1):
            cell = cells.put(sheet, row=row, column=col, value=value)
            cell.font = Font(name=FONT)
            cell.border = BOX
            cell.alignment = CENTER
        row += 1
    row += 1
    label = f"方針別（{data.fiscal_year.label}）"
    cells.put(sheet, row=row, column=1, value=label).font = Font(name=FONT, bold=True)
    row += 1
    for col, label in enumerate([POLICY_HEADING, *headers[1:]], start=1):
        cell = cells.put(sheet, row=row, column=col, value=label)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEAD_FILL
        cell.border = BOX
    row += 1
    for stat in data.stats:
        values = [
            f"方針{stat.policy.number} {stat.policy.title}",
            *(count for _status, _label, count, _share in stat.counts),
            stat.unreported,
            stat.total,
        ]
        for col, value in enumerate(values, start=1):
            cell = cells.put(sheet, row=row, column=col, value=value)
            cell.font = Font(name=FONT)
            cell.border = BOX
        row += 1
    sheet.column_dimensions["A"].width = 34
    for col in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 10
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    _print_setup(sheet)


def _print_setup(sheet) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


# (heading, width) of the 議会報告's tables.
SHORTFALL_COLUMNS = [
    (STATUS_HEADING, 9),
    (CODE_HEADING, 8),
    (NAME_HEADING, 40),
    (DEPARTMENTS_HEADING, 22),
    (RESULT_TEXT_HEADING, 60),
    (NOTE_HEADING, 24),
]
OPINION_COLUMNS = [
    ("会議", 10),
    ("開催日", 12),
    ("意見", 6),
    ("対象", 24),
    ("意見・提言", 50),
    ("担当課", 20),
    ("対応区分", 10),
    ("市の対応方針", 50),
    ("理由・今後の見通し", 30),
]
REVISION_COLUMNS = [("改訂", 24), ("年月", 12), ("追加した取組", 50), ("提言（会議・意見）", 50)]


def assembly_workbook(*, data: AssemblyData) -> bytes:
    """The 議会報告's tables: the summary, the 未達成・未確定 initiatives with their results,
    the committee's opinions with the city's responses, and the plan revisions."""
    book = Workbook()
    summary = book.active
    summary.title = "集計"
    _summary_sheet(summary, data.base)
    year = data.fiscal_year.label
    _table_sheet(
        book,
        "未達成・未確定",
        f"未達成・未確定の取組（{year}）",
        SHORTFALL_COLUMNS,
        [
            [
                group.label,
                row.initiative.code,
                row.initiative.name,
                row.initiative.department_names,
                row.text,
                row.note,
            ]
            for group in data.shortfalls
            for row in group.rows
        ],
    )
    _table_sheet(
        book,
        "委員会の意見と対応",
        f"行政経営プラン推進委員会の意見・提言と市の対応（{year}）",
        OPINION_COLUMNS,
        [
            [
                item.meeting.label,
                item.meeting.date.isoformat(),
                item.opinion.order,
                item.target,
                item.opinion.text,
                *response,
            ]
            for item in data.opinions
            for response in (
                [[r.department.name, r.status_label, r.text, r.reason] for r in item.responses]
                or [["", "取りまとめ中", "", ""]]
            )
        ],
    )
    _table_sheet(
        book,
        "プランの改訂",
        f"プランの改訂（{year}）",
        REVISION_COLUMNS,
        [
            [
                row.revision.label,
                row.revision.date.isoformat(),
                "、".join(f"No.{i.code} {i.name}" for i in row.added),
                "、".join(
                    f"{item.meeting.label} 意見{item.opinion.order}" for item, _note in row.opinions
                ),
            ]
            for row in data.revisions
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _table_sheet(book, title: str, heading: str, columns: list, rows: list[list]) -> None:
    """A plain boxed table under a heading; text that could run as a formula is neutralised."""
    sheet = book.create_sheet(title)
    cells.put(sheet, row=1, column=1, value=heading).font = Font(name=FONT, bold=True, size=12)
    for col, (label, width) in enumerate(columns, start=1):
        cell = cells.put(sheet, row=2, column=col, value=label)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = CENTER
        cell.border = BOX
        sheet.column_dimensions[get_column_letter(col)].width = width
    for row_number, values in enumerate(rows, start=3):
        lines = 1
        for col, value in enumerate(values, start=1):
            cell = cells.put(sheet, row=row_number, column=col, value=value)
            cell.font = Font(name=FONT)
            cell.border = BOX
            cell.alignment = WRAP
            if isinstance(value, str):
                lines = max(lines, wrapped_lines(value, columns[col - 1][1]))
        sheet.row_dimensions[row_number].height = LINE_HEIGHT * min(lines, 25) + 2
    if not rows:
        cells.put(sheet, row=3, column=1, value="該当はありません。").font = Font(name=FONT)
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    _print_setup(sheet)
