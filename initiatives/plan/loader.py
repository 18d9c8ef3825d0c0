"""Writes to the plan's data. Every function here is a complete, atomic unit of work."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from initiatives.models import (
    Direction,
    FiscalYear,
    GlossaryTerm,
    Initiative,
    Measure,
    Plan,
    PlanRevision,
    PlanSection,
    Policy,
    Relisting,
    Result,
    Stance,
    Succession,
)
from initiatives.plan.archive import refuse_if_closed
from initiatives.plan.bulk import Sync
from initiatives.plan.changes import mark_structure_changed
from initiatives.plan.initiative_rows import result_label, write_initiatives
from initiatives.plan.interchange import (
    PlanFormatError,
    continuity_references,
    plan_slug,
    policy_issues,
    validate_document,
)
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
    """Update or create one child row per wanted key and delete the rest, in bulk."""
    fields = sorted({name for attrs in wanted.values() for name in attrs})
    sync = Sync.of(build, queryset, lambda row: getattr(row, key), fields=fields, validate=True)
    for value, attrs in wanted.items():
        sync.want(value, **{key: value}, **attrs)
    return sync.apply()


def _workflow_results(results: QuerySet[Result]) -> QuerySet[Result]:
    """Results that the system's workflow has touched (entered, reviewed or opened for entry).

    An interchange document states published results only, so loading one must never
    silently replace or delete work a department or HQ has done in the system.
    """
    return results.filter(Q(events__isnull=False) | ~Q(state=Result.State.PUBLISHED)).distinct()


@transaction.atomic
def import_plan(*, data: dict, overwrite_results: bool = False) -> ImportSummary:
    """Load a whole interchange document, replacing what it states; idempotent.

    Results entered or reviewed through the workflow are kept when the document does not
    state them; if it would change or delete one, nothing is loaded unless
    `overwrite_results` is given.
    """
    validate_document(data)
    predecessors = _predecessors(data)
    summary = ImportSummary()
    plan = _import_plan_row(data["plan"])
    fiscal_years = _fiscal_years(
        set(range(plan.start_year, plan.end_year + 1))
        | {int(year) for i in _initiatives_of(data) for year in i["years"]}
    )
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
    relistings: list[tuple[Direction, dict]] = []
    placed: list[tuple[Direction, dict]] = []
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
    measures = Sync.of(
        Measure,
        Measure.objects.filter(policy__plan=plan),
        lambda m: (m.policy_id, m.number),
        fields=["title", "summary", "description", "highlights"],
        validate=True,
    )
    for policy_data in data["policies"]:
        policy = policies[policy_data["number"]]
        for m in policy_data["measures"]:
            measures.want(
                (policy.pk, m["number"]),
                policy=policy,
                number=m["number"],
                title=m["title"],
                summary=m["summary"],
                description=m["description"],
                highlights=m["highlights"],
            )
    measures.apply()
    # Directions are only deleted after initiatives have moved away from them.
    directions = Sync.of(
        Direction,
        Direction.objects.filter(measure__policy__plan=plan),
        lambda d: (d.measure_id, d.number),
        fields=["title", "statement", "examples"],
        validate=True,
    )
    for policy_data in data["policies"]:
        policy = policies[policy_data["number"]]
        for measure_data in policy_data["measures"]:
            measure = measures.wanted[(policy.pk, measure_data["number"])]
            for d in measure_data["directions"]:
                direction = directions.want(
                    (measure.pk, d["number"]),
                    measure=measure,
                    number=d["number"],
                    title=d["title"],
                    statement=d["statement"],
                    examples=d["examples"],
                )
                placed.extend((direction, i) for i in d["initiatives"])
                relistings.append((direction, d["relisted"]))
    directions.write()

    by_code = write_initiatives(
        plan=plan,
        placed=placed,
        fiscal_years=fiscal_years,
        revisions=revisions,
        summary=summary,
        published_at=published_at,
        entered=entered,
    )
    stale = plan.initiatives.exclude(code__in=by_code)
    summary.removed = sorted(stale.values_list("code", flat=True))
    stale_ids = set(stale.values_list("pk", flat=True))
    summary.conflicts += [
        result_label(r)
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
    directions.delete_stale()

    Relisting.objects.filter(direction__measure__policy__plan=plan).delete()
    Relisting.objects.bulk_create(
        Relisting(
            direction=direction,
            initiative=by_code[entry["code"]],
            position=entry["position"],
            summary=entry.get("summary", ""),
            target_state=entry.get("target_state", ""),
            related_plans=entry.get("related_plans"),
            resources=entry.get("resources"),
            result_texts=entry.get("result_texts", {}),
        )
        for direction, entries in relistings
        for entry in entries
    )

    _import_successions(plan=plan, data=data, by_code=by_code, predecessors=predecessors)
    plan.glossary.all().delete()
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(plan=plan, order=index, term=t["term"], description=t["description"])
        for index, t in enumerate(data["glossary"], start=1)
    )
    summary.glossary = len(data["glossary"])
    summary.initiatives = len(by_code)
    # Departments' validity and the reorganisations (optional; older documents have none).
    load_organisation(data.get("organisation"), plan=plan)
    _record_first_editions(fiscal_years=list(fiscal_years.values()), published_at=published_at)
    mark_structure_changed()
    return summary


def _predecessors(data: dict) -> dict[str, Initiative]:
    """The earlier plans' initiatives the document's `continues` entries name, keyed by their
    JSON path; a PlanFormatError at the entry's path when one does not exist."""
    start_year = data["plan"]["start_year"]
    found = {}
    for path, _code, entry in continuity_references(data):
        plan = Plan.objects.filter(slug=entry["plan"]).first()
        if plan is None:
            raise PlanFormatError(f"{path}.plan", f"プラン {entry['plan']!r} は登録されていません")
        if plan.start_year >= start_year:
            raise PlanFormatError(
                f"{path}.plan", "継続元にできるのは、このプランより前に始まったプランだけです"
            )
        predecessor = Initiative.objects.filter(plan=plan, code=entry["code"].strip()).first()
        if predecessor is None:
            raise PlanFormatError(
                f"{path}.code", f"プラン {plan.slug} に取組No. {entry['code']!r} はありません"
            )
        found[path] = predecessor
    return found


def _import_successions(
    *, plan: Plan, data: dict, by_code: dict[str, Initiative], predecessors: dict
) -> None:
    """Replace the plan's links to earlier plans with the document's `continues` entries."""
    Succession.objects.filter(successor__plan=plan).delete()
    position: dict[str, int] = {}
    for path, code, entry in continuity_references(data):
        order = position[code] = position.get(code, -1) + 1
        link = Succession(
            successor=by_code[code], predecessor=predecessors[path], kind=entry["kind"], order=order
        )
        link.full_clean()
        link.save()


def _initiatives_of(data: dict):
    for policy in data["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                yield from direction["initiatives"]


def _fiscal_years(years: set[int]) -> dict[int, FiscalYear]:
    """The FiscalYear rows of `years`, the missing ones created."""
    found = {fy.year: fy for fy in FiscalYear.objects.filter(year__in=years)}
    missing = [FiscalYear(year=year) for year in sorted(years - set(found))]
    if missing:
        FiscalYear.objects.bulk_create(missing)
        found |= {fy.year: fy for fy in FiscalYear.objects.filter(year__in=years)}
    return found


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
    plan = Plan.objects.filter(slug=slug).first()
    refuse_if_closed(plan)
    plan = plan or Plan(slug=slug)
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
