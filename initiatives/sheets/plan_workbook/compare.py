"""Comparing the rows of the 取組 and 指標 sheets with the plan: one RowReport per row,
with its problems, whether it is new and each changed column (old → new). Reads the
database, never writes it."""

from __future__ import annotations

import tablib

from initiatives.models import Indicator, Initiative, Plan
from initiatives.sheets.io import normalise_header, source_line
from initiatives.sheets.plan_workbook.columns import (
    BENCHMARK,
    CODE,
    INDICATOR_SHEET,
    INITIATIVE_SHEET,
    RESOURCES,
    code_of,
    plan_column,
    same_text,
    target_column,
)
from initiatives.sheets.plan_workbook.report import Change, PlanImportPreview, RowReport
from initiatives.sheets.plan_workbook.resources import (
    IndicatorResource,
    InitiativeResource,
    SheetResource,
    indicators_of,
)
from initiatives.vocabulary import Comparison, era_label, number_text


def _row_dict(dataset: tablib.Dataset, row) -> dict:
    return {normalise_header(h): v for h, v in zip(dataset.headers, row, strict=False)}


def _new_row_changes(resource: SheetResource, values: dict, *, skip: str = "") -> list[Change]:
    """A new row's non-empty columns, each as a change from nothing."""
    changes = []
    for name, field_ in resource.read_fields().items():
        shown = field_.widget.render(values[name])
        if shown and name != skip:
            changes.append(Change(field_.column_name, "", shown))
    return changes


# --- the 取組 sheet ---------------------------------------------------------------------------


def compare_initiatives(
    preview: PlanImportPreview,
    dataset: tablib.Dataset,
    resource: InitiativeResource,
    existing: dict[str, Initiative],
) -> dict[str, set[int]]:
    """One RowReport per row of the 取組 sheet; returns each code's plan years after import."""
    final_years: dict[str, set[int]] = {
        code: {p.fiscal_year.year for p in i.year_plans.all()} for code, i in existing.items()
    }
    seen: dict[str, RowReport] = {}
    for position, row in enumerate(dataset):
        line = source_line(dataset, position)
        raw = _row_dict(dataset, row)
        values, problems = resource.clean_row(raw)
        code = values.get("code") or code_of(raw.get(normalise_header(CODE)))
        initiative = existing.get(code) if code else None
        report = RowReport(
            sheet=INITIATIVE_SHEET,
            line=line,
            key=code or f"{line}行目",
            label=values.get("name") or (initiative.name if initiative else ""),
            new=initiative is None and bool(code),
            problems=problems,
            values=values,
        )
        if code:
            _refuse_repeated_code(report, code, seen)
        preview.initiative_rows.append(report)
        plans = {year: values.get(f"plan_{year}", "") for year in resource.years}
        if not report.problems:
            _compare_initiative(report, resource, initiative, plans)
        if code:
            final_years.setdefault(code, set()).update(y for y, text in plans.items() if text)
    return final_years


def _refuse_repeated_code(report: RowReport, code: str, seen: dict[str, RowReport]) -> None:
    first = seen.setdefault(code, report)
    if first is report:
        return
    report.problems.append(
        f"{CODE} {code} が {first.line}行目にもあります。1つの取組は1行にしてください。"
    )
    first.problems.append(f"{CODE} {code} が {report.line}行目にもあります。")


def _compare_initiative(
    report: RowReport,
    resource: InitiativeResource,
    initiative: Initiative | None,
    plans: dict[int, str],
) -> None:
    if initiative is None:
        report.changes = _new_row_changes(resource, report.values)
        return
    report.changes = _field_changes(resource, initiative, report.values)
    by_year = {p.fiscal_year.year: p.text for p in initiative.year_plans.all()}
    for year, new in plans.items():
        old = by_year.get(year)
        if old is not None and not new:
            if old.strip():
                report.problems.append(
                    f"{plan_column(year)}: 既にある実施計画を空欄にはできません"
                    "（実施計画の削除は管理画面で行います）。"
                )
        elif new and (old is None or not same_text(old, new)):
            report.changes.append(Change(plan_column(year), old or "", new))


def _field_changes(
    resource: InitiativeResource, initiative: Initiative, values: dict
) -> list[Change]:
    current = {
        "name": initiative.name,
        "direction": initiative.direction,
        "departments": [o.department for o in initiative.owners.all()],
        "numeric_target": initiative.numeric_target,
        "summary": initiative.summary,
        "target_state": initiative.target_state,
        "related_plans": list(initiative.related_plans),
        **{name: getattr(initiative, name) for name, _label in RESOURCES},
    }
    changes = []
    for name, old in current.items():
        new = values[name]
        if not _same_value(name, old, new):
            widget = resource.fields[name].widget
            changes.append(
                Change(resource.fields[name].column_name, widget.render(old), widget.render(new))
            )
    return changes


def _same_value(name: str, old, new) -> bool:
    if name == "direction":
        return old.pk == new.pk
    if name == "departments":  # the order is shown, so it counts
        return [d.pk for d in old] == [d.pk for d in new]
    if isinstance(old, str):
        return same_text(old, new)
    return old == new


# --- the 指標 sheet ---------------------------------------------------------------------------


def compare_indicators(
    preview: PlanImportPreview,
    dataset: tablib.Dataset,
    resource: IndicatorResource,
    *,
    plan: Plan,
    existing: dict[str, Initiative],
    final_years: dict[str, set[int]],
) -> None:
    """One RowReport per row of the 指標 sheet, checked against the plan years after import."""
    indicators = {(i.initiative.code.upper(), i.name): i for i in indicators_of(plan)}
    known_codes = set(existing) | {
        r.key for r in preview.initiative_rows if not r.key.endswith("行目")
    }
    seen: dict[tuple[str, str], int] = {}
    for position, row in enumerate(dataset):
        line = source_line(dataset, position)
        values, problems = resource.clean_row(_row_dict(dataset, row))
        code, name = values.get("code", ""), values.get("name", "")
        indicator = indicators.get((code, name))
        report = RowReport(
            sheet=INDICATOR_SHEET,
            line=line,
            key=f"{code} {name}".strip() or f"{line}行目",
            label=name,
            new=indicator is None and bool(code and name),
            problems=problems,
            values=values,
        )
        preview.indicator_rows.append(report)
        if code and code not in known_codes:
            report.problems.append(
                f"{CODE} {code} は「{INITIATIVE_SHEET}」シートにもプランにもありません。"
            )
        if code and name:
            _refuse_repeated_indicator(report, (code, name), seen)
        if not report.problems:
            _check_indicator(report, resource, planned=final_years.get(code, set()))
        if not report.problems:
            _compare_indicator(report, resource, indicator)


def _refuse_repeated_indicator(
    report: RowReport, key: tuple[str, str], seen: dict[tuple[str, str], int]
) -> None:
    first = seen.setdefault(key, report.line)
    if first != report.line:
        code, name = key
        report.problems.append(f"{CODE} {code} の指標「{name}」が {first}行目にもあります。")


def _check_indicator(report: RowReport, resource: IndicatorResource, *, planned: set[int]) -> None:
    values = report.values
    if values["comparison"] == Comparison.BENCHMARK and not values["benchmark"]:
        report.problems.append(
            f"{BENCHMARK}: 「{Comparison.BENCHMARK.label}」のときは基準を書いてください。"
        )
    for year in resource.years:
        if values[f"target_{year}"] is not None and year not in planned:
            report.problems.append(
                f"{target_column(year)}: {era_label(year)}の実施計画がないため、"
                "目標値は書けません。"
            )


def _compare_indicator(
    report: RowReport, resource: IndicatorResource, indicator: Indicator | None
) -> None:
    values = report.values
    if indicator is None:
        report.changes = _new_row_changes(resource, values, skip="code")
        return
    for name in ("unit", "comparison", "benchmark"):
        old, new = getattr(indicator, name), values[name]
        if old.strip() != new:
            widget = resource.fields[name].widget
            report.changes.append(
                Change(resource.fields[name].column_name, widget.render(old), widget.render(new))
            )
    targets = {t.fiscal_year.year: t.value for t in indicator.targets.all()}
    for year in resource.years:
        old, new = targets.get(year), values[f"target_{year}"]
        if old != new:  # also: no target and nothing written
            report.changes.append(
                Change(target_column(year), number_text(old) or "", number_text(new) or "")
            )
