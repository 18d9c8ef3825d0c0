"""Open data of the committee: its published opinions and the city's published responses
as CSV (UTF-8 with BOM) and JSON.

Every value comes from `governance.public.selectors`, so only published records are
written. Every CSV cell goes through `initiatives.sheets.cells` (formula-looking text
neutralised).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.urls import reverse

from governance.public.selectors import OpinionFilter, PublicOpinion, public_opinions
from initiatives.models import Plan
from initiatives.public.open_data import LICENCE, LICENCE_URL
from initiatives.sheets import cells

FORMAT = "kanazawa-plan-committee-opinions"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Column:
    name: str
    description: str


COLUMNS = (
    Column("会議", "推進委員会の会議の回（例: 第1回）。"),
    Column("開催日", "会議の開催日（YYYY-MM-DD）。"),
    Column("審議した年度", "会議で実施結果を審議した年度（例: 令和5年度）。"),
    Column("意見番号", "会議の中での意見・提言の番号。"),
    Column("委員", "意見を述べた委員の氏名。委員会全体の意見は空欄。"),
    Column("意見・提言", "委員会の意見・提言の内容。"),
    Column("対象", "意見の対象: プラン全体・方針・施策・取組。"),
    Column(
        "対象の方針番号", "対象の方針の番号（施策・取組の意見はその方針）。複数は「、」区切り。"
    ),
    Column("対象の詳細", "対象の方針・施策の名称、または取組No.（「、」区切り）。"),
    Column("担当課", "市の対応を担当した課。未公開の対応は空欄。"),
    Column("対応区分", "公開された市の対応区分: 対応済・対応中・今後検討・対応しない。"),
    Column("市の対応方針", "公開された市の対応方針。"),
    Column("理由・今後の見通し", "「対応しない」の理由、「今後検討」の見通し。"),
    Column("対応の公開日", "市の対応を公開した日（YYYY-MM-DD）。"),
    Column("提言を受けた改訂", "この意見を受けたプランの改訂と、追加・見直した取組No.。"),
    Column("会議のページ", "会議の公開ページの URL（サイト内のパス）。"),
)

# One row per department's published response; an opinion with none has one row whose
# response columns are empty.


def _policy_numbers(item: PublicOpinion) -> str:
    opinion = item.opinion
    if opinion.policy:
        numbers = {opinion.policy.number}
    elif opinion.measure:
        numbers = {opinion.measure.policy.number}
    else:
        numbers = {i.direction.measure.policy.number for i in item.initiatives}
    return "、".join(str(n) for n in sorted(numbers))


def _outcomes(item: PublicOpinion) -> str:
    return "；".join(
        f"{o.revision.label}"
        + (f"（{'、'.join(f'No.{i.code}' for i in o.initiatives)}）" if o.initiatives else "")
        for o in item.outcomes
    )


def rows(*, plan: Plan, filters: OpinionFilter) -> list[list[str]]:
    out = []
    for item in public_opinions(plan=plan, filters=filters):
        meeting, opinion = item.meeting, item.opinion
        head = [
            meeting.label,
            meeting.date.isoformat(),
            meeting.fiscal_year.label,
            str(opinion.order),
            opinion.member.name if opinion.member else "",
            opinion.text,
            opinion.get_scope_display(),
            _policy_numbers(item),
            item.target,
        ]
        tail = [_outcomes(item), reverse("committee:meeting", args=[meeting.pk])]
        responses = item.responses or [None]
        for response in responses:
            middle = (
                [
                    response.department.name,
                    response.status_label,
                    response.text,
                    response.reason,
                    response.published_at.date().isoformat(),
                ]
                if response
                else ["", "", "", "", ""]
            )
            out.append([*head, *middle, *tail])
    return out


def csv_bytes(*, plan: Plan, filters: OpinionFilter) -> bytes:
    """UTF-8 with a BOM, so Excel in Japan opens it with the right characters."""
    table = [[c.name for c in COLUMNS], *rows(plan=plan, filters=filters)]
    return cells.csv_text(table).encode("utf-8-sig")


def _opinion_json(item: PublicOpinion) -> dict:
    opinion = item.opinion
    return {
        "number": opinion.order,
        "member": (
            {"name": opinion.member.name, "affiliation": opinion.member.affiliation}
            if opinion.member
            else None
        ),
        "text": opinion.text,
        "scope": opinion.scope,
        "target": {
            "label": item.target,
            "policy": opinion.policy.number if opinion.policy else None,
            "measure": (
                {"policy": opinion.measure.policy.number, "number": opinion.measure.number}
                if opinion.measure
                else None
            ),
            "initiatives": [i.code for i in item.initiatives],
        },
        "responses": [
            {
                "department": r.department.name,
                "status": r.status,
                "status_label": r.status_label,
                "text": r.text,
                "reason": r.reason,
                "published_at": r.published_at.isoformat(),
            }
            for r in item.responses
        ],
        "revisions": [
            {
                "code": o.revision.code,
                "label": o.revision.label,
                "note": o.note,
                "initiatives": [i.code for i in o.initiatives],
            }
            for o in item.outcomes
        ],
    }


def json_bytes(*, plan: Plan, filters: OpinionFilter) -> bytes:
    """Meetings with their opinions, each with the published responses (newest first)."""
    meetings: dict[int, dict] = {}
    for item in public_opinions(plan=plan, filters=filters):
        meeting = item.meeting
        entry = meetings.setdefault(
            meeting.pk,
            {
                "number": meeting.number,
                "title": meeting.title,
                "date": meeting.date.isoformat(),
                "fiscal_year": meeting.fiscal_year.year,
                "fiscal_year_label": meeting.fiscal_year.label,
                "agenda": meeting.agenda_items,
                "summary": meeting.summary,
                "url": reverse("committee:meeting", args=[meeting.pk]),
                "opinions": [],
            },
        )
        entry["opinions"].append(_opinion_json(item))
    document = {
        "format": {"name": FORMAT, "version": FORMAT_VERSION},
        "licence": {"name": LICENCE, "url": LICENCE_URL},
        "plan": plan.title,
        "meetings": list(meetings.values()),
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
