"""Applying a confirmed plan import: the preview is made again under a lock on the plan,
refused if it has problems or differs from what was confirmed, then every change is
written in one transaction (or none), recorded as a revision with its admin history, and
a year already open for entry gets the 未入力 results of the plans it added."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE
from django.core.exceptions import ValidationError
from django.db import transaction

from initiatives.models import Plan, PlanRevision
from initiatives.plan.archive import refuse_if_closed
from initiatives.plan.changes import mark_structure_changed
from initiatives.plan.selectors import get_plan
from initiatives.results import services
from initiatives.results.permissions import Action, check
from initiatives.results.selectors import open_periods
from initiatives.sheets.plan_workbook.form import RevisionSpec, resolve_revision
from initiatives.sheets.plan_workbook.preview import preview_plan_import
from initiatives.sheets.plan_workbook.report import PlanImportPreview
from initiatives.sheets.plan_workbook.writes import PlanWriter


@dataclass
class AppliedImport:
    revision: PlanRevision
    created: list[str]
    changed: list[str]
    indicators_created: int
    indicators_changed: int


class StalePreviewError(ValidationError):
    """The data changed after the preview; the user must look at the new preview."""


@transaction.atomic
def apply_plan_import(
    *,
    content: bytes,
    filename: str,
    user,
    revision: RevisionSpec,
    fingerprint: str | None = None,
    plan: Plan | None = None,
) -> AppliedImport:
    """Write the previewed changes to `plan` (the current plan by default), all or none, and
    record the revision and who did it."""
    check(user, None, Action.CHANGE_STRUCTURE)
    plan = Plan.objects.select_for_update().get(pk=(plan or get_plan()).pk)
    refuse_if_closed(plan)
    preview = _confirmed_preview(content, plan=plan, fingerprint=fingerprint)
    spec = resolve_revision(plan=plan, code=revision.code, label=revision.label, date=revision.date)
    record = spec.existing or _create_revision(plan, spec)
    source = f"ファイル「{filename}」から取り込み（{record.label}）"
    writer = PlanWriter(plan=plan, revision=record, source=source)
    writer.write_initiatives(preview.initiative_rows)
    writer.write_indicators(preview.indicator_rows)
    mark_structure_changed()
    writer.record(user=user, revision_flag=ADDITION if spec.existing is None else CHANGE)
    # A year already open for entry gets 未入力 results for the plans this revision added.
    for period in open_periods():
        services.create_entry_rows(
            fiscal_year=period.fiscal_year, user=user, reason=f"{source}（入力期間中の改訂）"
        )
    return AppliedImport(
        revision=record,
        created=writer.created,
        changed=writer.changed,
        indicators_created=writer.indicators_created,
        indicators_changed=writer.indicators_changed,
    )


def _confirmed_preview(content: bytes, *, plan: Plan, fingerprint: str | None) -> PlanImportPreview:
    """The preview of `content` now; refused unless it can be applied as it was confirmed."""
    preview = preview_plan_import(content, plan=plan)
    if not preview.ok:
        raise ValidationError(
            preview.file_problems
            + [f"{r.sheet} {r.key}: {p}" for r in preview.problem_rows for p in r.problems]
        )
    if not preview.has_changes:
        raise ValidationError("取り込む変更がありません。")
    if fingerprint is not None and fingerprint != preview.fingerprint:
        raise StalePreviewError(
            "プレビューの後に、プランのデータが変わりました。新しいプレビューを確認してください。"
        )
    return preview


def _create_revision(plan: Plan, spec: RevisionSpec) -> PlanRevision:
    record = PlanRevision(
        plan=plan,
        code=spec.code,
        label=spec.label,
        kind=PlanRevision.Kind.REVISION,
        date=spec.date,
    )
    record.full_clean()
    record.save()
    return record
