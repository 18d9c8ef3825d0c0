"""Writes to the plan's data. Every function here is a complete, atomic unit of work."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from initiatives.models import (
    Actual,
    Department,
    Direction,
    FiscalYear,
    GlossaryTerm,
    Indicator,
    Initiative,
    InitiativeDepartment,
    Measure,
    Plan,
    PlanRevision,
    PlanSection,
    Policy,
    Relisting,
    Result,
    Stance,
    Target,
    YearPlan,
)
from initiatives.plan.interchange import plan_slug, policy_issues, validate_document
from initiatives.plan.organisation_format import load_organisation
from initiatives.publication.services import record_edition


@dataclass
class ImportSummary:
    """What an import wrote, for the command's report."""

    initiatives: int = 0
    results: int = 0
    glossary: int = 0
    created: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Results entered or reviewed in the system that the document would overwrite or delete.
    conflicts: list[str] = field(default_factory=list)


def _sync_children(queryset, key: str, wanted: dict, build) -> dict:
    """Update or create one child row per wanted key and delete the rest."""
    existing = {getattr(row, key): row for row in queryset}
    kept = {}
    for value, attrs in wanted.items():
        row = existing.pop(value, None)
        if row is None:
            row = build(**{key: value}, **attrs)
        else:
            for name, attr in attrs.items():
                setattr(row, name, attr)
        row.full_clean(validate_constraints=False)
        row.save()
        kept[value] = row
    for row in existing.values():
        row.delete()
    return kept


def _workflow_results(results: QuerySet[Result]) -> QuerySet[Result]:
    """Results that the system's workflow has touched (entered, reviewed or opened for entry).

    An interchange document states published results only, so loading one must never
    silently replace or delete work a department or HQ has done in the system.
    """
    return results.filter(Q(events__isnull=False) | ~Q(state=Result.State.PUBLISHED)).distinct()


def _result_label(result: Result) -> str:
    return f"No.{result.initiative.code} {result.fiscal_year.label}（{result.get_state_display()}）"


def _to_decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@transaction.atomic
def import_plan(*, data: dict, overwrite_results: bool = False) -> ImportSummary:
    """Load a whole interchange document, replacing what it states; idempotent.

    Results entered or reviewed through the workflow are kept when the document does not
    state them; if it would change or delete one, nothing is loaded unless
    `overwrite_results` is given.
    """
    validate_document(data)
    summary = ImportSummary()
    plan = _import_plan_row(data["plan"])
    fiscal_years = {
        fy.year: fy
        for fy in (
            FiscalYear.objects.get_or_create(year=year)[0]
            for year in range(plan.start_year, plan.end_year + 1)
        )
    }
    revisions = {rev.code: rev for rev in plan.revisions.all()}
    published_at = _results_published_at(plan)
    # Results the workflow has touched, keyed (initiative id, year); none are protected when
    # the caller chose to overwrite them.
    entered = (
        {}
        if overwrite_results
        else {
            (r.initiative_id, r.fiscal_year.year): r
            for r in _workflow_results(Result.objects.filter(initiative__plan=plan)).select_related(
                "initiative", "fiscal_year"
            )
        }
    )
    departments = {d.name: d for d in Department.objects.all()}

    seen_codes: list[str] = []
    relistings: list[tuple[Direction, dict]] = []
    order = 0
    policies = _sync_children(
        plan.policies.all(),
        "number",
        {
            p["number"]: {
                "plan": plan,
                "title": p["title"],
                "subtitle": p["subtitle"],
                "description": p["description"],
                "issues": policy_issues(p),
            }
            for p in data["policies"]
        },
        Policy,
    )
    for policy_data in data["policies"]:
        policy = policies[policy_data["number"]]
        measures = _sync_children(
            policy.measures.all(),
            "number",
            {
                m["number"]: {
                    "policy": policy,
                    "title": m["title"],
                    "summary": m["summary"],
                    "description": m["description"],
                    "highlights": m["highlights"],
                }
                for m in policy_data["measures"]
            },
            Measure,
        )
        for measure_data in policy_data["measures"]:
            measure = measures[measure_data["number"]]
            directions = {
                d["number"]: {
                    "measure": measure,
                    "title": d["title"],
                    "statement": d["statement"],
                    "examples": d["examples"],
                }
                for d in measure_data["directions"]
            }
            # Directions are only deleted after initiatives have moved away from them.
            existing = {d.number: d for d in measure.directions.all()}
            for number, attrs in directions.items():
                direction = existing.get(number) or Direction(number=number, **attrs)
                for name, attr in attrs.items():
                    setattr(direction, name, attr)
                direction.full_clean(validate_constraints=False)
                direction.save()
                existing[number] = direction
            for direction_data in measure_data["directions"]:
                direction = existing[direction_data["number"]]
                for initiative_data in direction_data["initiatives"]:
                    order += 1
                    _import_initiative(
                        plan=plan,
                        direction=direction,
                        order=order,
                        data=initiative_data,
                        fiscal_years=fiscal_years,
                        revisions=revisions,
                        departments=departments,
                        summary=summary,
                        published_at=published_at,
                        entered=entered,
                    )
                    seen_codes.append(initiative_data["code"].strip())
                relistings.append((direction, direction_data["relisted"]))

    stale = plan.initiatives.exclude(code__in=seen_codes)
    summary.removed = sorted(stale.values_list("code", flat=True))
    stale_ids = set(stale.values_list("pk", flat=True))
    summary.conflicts += [
        _result_label(r)
        for (initiative_id, _year), r in entered.items()
        if initiative_id in stale_ids
    ]
    if summary.conflicts:
        raise ValidationError(
            "この文書を読み込むと、システムで入力・確認した実施結果が上書きまたは削除されます: "
            + "、".join(summary.conflicts[:10])
            + ("ほか" if len(summary.conflicts) > 10 else "")
            + "。何も変更していません。"
            "上書きしてよい場合だけ --overwrite-results を付けてください。"
        )
    stale.delete()
    Direction.objects.filter(measure__policy__plan=plan).exclude(
        pk__in=[d.pk for d, _r in relistings]
    ).delete()

    by_code = {i.code: i for i in plan.initiatives.all()}
    Relisting.objects.filter(direction__measure__policy__plan=plan).delete()
    for direction, entries in relistings:
        for entry in entries:
            Relisting.objects.create(
                direction=direction,
                initiative=by_code[entry["code"]],
                position=entry["position"],
                summary=entry.get("summary", ""),
                target_state=entry.get("target_state", ""),
                related_plans=entry.get("related_plans"),
                resources=entry.get("resources"),
                result_texts=entry.get("result_texts", {}),
            )

    plan.glossary.all().delete()
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(plan=plan, order=index, term=t["term"], description=t["description"])
        for index, t in enumerate(data["glossary"], start=1)
    )
    summary.glossary = len(data["glossary"])
    summary.initiatives = len(seen_codes)
    # Departments' validity and the reorganisations (optional; older documents have none).
    load_organisation(data.get("organisation"), plan=plan)
    _record_first_editions(fiscal_years=list(fiscal_years.values()), published_at=published_at)
    return summary


def _record_first_editions(*, fiscal_years: list[FiscalYear], published_at) -> None:
    """A year whose results the document states as published gets its first edition (公表),
    dated by the document's results update (令和7年3月 for 令和5年度); idempotent."""
    for fiscal_year in fiscal_years:
        if fiscal_year.editions.exists():
            continue
        published = Result.objects.filter(fiscal_year=fiscal_year, published_at__isnull=False)
        count = published.count()
        if count:
            record_edition(
                fiscal_year=fiscal_year, published_at=published_at, added=count, corrected=0
            )


def _results_published_at(plan: Plan) -> datetime.datetime:
    """Imported results count as published on the plan's latest results update."""
    update = plan.revisions.filter(kind=PlanRevision.Kind.RESULTS_UPDATE).order_by("-date").first()
    if update is None:
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(update.date, datetime.time()))


def _import_plan_row(data: dict) -> Plan:
    # The slug names the plan: a document with a new slug adds a plan beside the others.
    slug = plan_slug(data)
    plan = Plan.objects.filter(slug=slug).first() or Plan(slug=slug)
    for name in (
        "title",
        "subtitle",
        "author",
        "philosophy",
        "philosophy_description",
        "start_year",
        "end_year",
    ):
        setattr(plan, name, data[name])
    plan.full_clean()
    plan.save()
    _sync_children(
        plan.revisions.all(),
        "code",
        {
            r["code"]: {
                "plan": plan,
                "label": r["label"],
                "kind": r["kind"],
                "date": datetime.date.fromisoformat(r["date"]),
            }
            for r in data["revisions"]
        },
        PlanRevision,
    )
    _sync_children(
        plan.stances.all(),
        "number",
        {
            s["number"]: {"plan": plan, "title": s["title"], "description": s["description"]}
            for s in data["stances"]
        },
        Stance,
    )
    _sync_children(
        plan.sections.all(),
        "key",
        {
            s["key"]: {"plan": plan, "order": index, "heading": s["heading"], "body": s["body"]}
            for index, s in enumerate(data["sections"], start=1)
        },
        PlanSection,
    )
    return plan


def _import_initiative(
    *,
    plan: Plan,
    direction: Direction,
    order: int,
    data: dict,
    fiscal_years: dict[int, FiscalYear],
    revisions: dict[str, PlanRevision],
    departments: dict[str, Department],
    summary: ImportSummary,
    published_at: datetime.datetime,
    entered: dict[tuple[int, int], Result],
) -> None:
    code = data["code"].strip()
    initiative = Initiative.objects.filter(plan=plan, code=code).first()
    if initiative is None:
        initiative = Initiative(plan=plan, code=code)
        summary.created.append(code)
    resources = set(data["resources"])
    attrs = {
        "direction": direction,
        "order": order,
        "name": data["name"],
        "numeric_target": data["numeric_target"],
        "added_in": revisions[data["added_in"]] if data["added_in"] else None,
        "summary": data["summary"],
        "target_state": data["target_state"],
        "related_plans": data["related_plans"],
        "secures_people": "ヒト" in resources,
        "secures_money": "カネ" in resources,
        "secures_things": "モノ" in resources,
        "secures_information": "情報" in resources,
    }
    for name, value in attrs.items():
        setattr(initiative, name, value)
    initiative.full_clean(validate_constraints=False)
    # Orders shift when a revision inserts initiatives; park this row out of the way
    # so the unique order constraint holds at every statement.
    Initiative.objects.filter(plan=plan, order=order).exclude(pk=initiative.pk).update(
        order=order + 1_000_000
    )
    initiative.save()

    initiative.owners.all().delete()
    for position, name in enumerate(data["departments"]):
        name = name.strip()
        if name not in departments:
            departments[name] = Department.objects.create(name=name)
        InitiativeDepartment.objects.create(
            initiative=initiative, department=departments[name], order=position
        )

    indicators = _sync_children(
        initiative.indicators.all(),
        "name",
        {
            ind["name"]: {
                "initiative": initiative,
                "order": index,
                "unit": ind["unit"],
                "comparison": ind["comparison"],
                "benchmark": ind["benchmark"],
            }
            for index, ind in enumerate(data["indicators"])
        },
        Indicator,
    )

    years = {int(key): value for key, value in data["years"].items()}
    initiative.year_plans.exclude(fiscal_year__year__in=years).delete()
    initiative.results.exclude(
        fiscal_year__year__in=[y for y, v in years.items() if v["result"]]
    ).exclude(pk__in=[r.pk for r in entered.values()]).delete()
    for year, year_data in years.items():
        fiscal_year = fiscal_years.get(year) or FiscalYear.objects.get_or_create(year=year)[0]
        YearPlan.objects.update_or_create(
            initiative=initiative,
            fiscal_year=fiscal_year,
            defaults={
                "text": year_data["plan"],
                "merged_with_previous": year_data.get("plan_merged", False),
            },
        )
        Target.objects.filter(indicator__initiative=initiative, fiscal_year=fiscal_year).exclude(
            indicator__name__in=year_data["targets"]
        ).delete()
        for name, value in year_data["targets"].items():
            Target.objects.update_or_create(
                indicator=indicators[name],
                fiscal_year=fiscal_year,
                defaults={"value": _to_decimal(value)},
            )
        result_data = year_data["result"]
        if result_data is None:
            continue
        reason = result_data.get("consistency_reason", "")
        kept = entered.get((initiative.pk, year))
        if kept is not None and (
            kept.state != Result.State.PUBLISHED
            or (kept.status, kept.text, kept.note, kept.consistency_reason)
            != (result_data["status"], result_data["text"], result_data["note"], reason)
        ):
            summary.conflicts.append(_result_label(kept))
            continue
        # A result in the interchange document is a published result (as in the city's PDF).
        result, _created = Result.objects.update_or_create(
            initiative=initiative,
            fiscal_year=fiscal_year,
            defaults={
                "status": result_data["status"],
                "text": result_data["text"],
                "note": result_data["note"],
                "state": Result.State.PUBLISHED,
                "published_status": result_data["status"],
                "published_text": result_data["text"],
                "published_note": result_data["note"],
                "consistency_reason": reason,
                "published_consistency_reason": reason,
                "published_at": published_at,
            },
        )
        summary.results += 1
        result.actuals.exclude(indicator__name__in=result_data["actuals"]).delete()
        for name, value in result_data["actuals"].items():
            Actual.objects.update_or_create(
                result=result,
                indicator=indicators[name],
                defaults={"value": _to_decimal(value), "published_value": _to_decimal(value)},
            )
