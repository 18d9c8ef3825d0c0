"""The plan interchange format (`kanazawa-plan/2`, which also reads `kanazawa-plan/1`;
see docs/plan-format.md).

`validate_document` checks a whole document before anything is written and reports the
JSON path of the first problem; `services.import_plan` writes a validated document.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from initiatives.vocabulary import RESOURCE_LABELS, Comparison, Status

FORMAT = "kanazawa-plan/2"
# Documents of the first version (no plan.slug) still load: the slug is then the period.
READABLE_FORMATS = ("kanazawa-plan/1", FORMAT)
STATUSES = tuple(Status.values)
COMPARISONS = tuple(Comparison.values)
RESOURCES = RESOURCE_LABELS
REVISION_KINDS = ("revision", "results_update")


class PlanFormatError(ValueError):
    """A document that does not follow the interchange format."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(frozen=True)
class _Node:
    value: Any
    path: str

    def child(self, key: str | int) -> _Node:
        if isinstance(key, int):
            return _Node(self.value[key], f"{self.path}[{key}]")
        return _Node(self.value[key], f"{self.path}.{key}" if self.path else key)

    def fail(self, message: str) -> PlanFormatError:
        return PlanFormatError(self.path, message)


_TYPE_NAMES = {
    str: "文字列",
    int: "整数",
    bool: "真偽値 (true/false)",
    list: "配列",
    dict: "オブジェクト",
}


def _field(node: _Node, key: str, kind: type, *, nullable: bool = False) -> _Node:
    if not isinstance(node.value, dict):
        raise node.fail("オブジェクトである必要があります")
    if key not in node.value:
        raise node.fail(f"キー {key!r} がありません")
    child = node.child(key)
    if child.value is None and nullable:
        return child
    # bool is a subclass of int: a true/false where a number belongs is still wrong.
    wrong_bool = kind is int and isinstance(child.value, bool)
    if not isinstance(child.value, kind) or wrong_bool:
        raise child.fail(f"{_TYPE_NAMES[kind]}である必要があります")
    return child


def _optional(node: _Node, key: str, kind: type, *, nullable: bool = False) -> _Node | None:
    """A key that `kanazawa-plan/1` documents may leave out (it then has its default)."""
    if isinstance(node.value, dict) and key not in node.value:
        return None
    return _field(node, key, kind, nullable=nullable)


def _items(node: _Node, key: str) -> list[_Node]:
    array = _field(node, key, list)
    return [array.child(index) for index in range(len(array.value))]


def _text(node: _Node, key: str, *, required: bool = False) -> str:
    value = _field(node, key, str).value
    if required and not value.strip():
        raise node.child(key).fail("空にできません")
    return value


def _decimal(node: _Node) -> None:
    if node.value is None:
        return
    if not isinstance(node.value, str):
        raise node.fail('数値は文字列 (例: "98.3") か null で書いてください')
    try:
        number = Decimal(node.value)
    except InvalidOperation:
        raise node.fail(f"数値として読めません: {node.value!r}") from None
    if not number.is_finite():
        raise node.fail(f"数値として読めません: {node.value!r}")


def _unique(values: list[tuple[Any, _Node]], what: str) -> None:
    seen: set[Any] = set()
    for value, node in values:
        if value in seen:
            raise node.fail(f"{what} {value!r} が重複しています")
        seen.add(value)


def parse_document(raw: str | bytes) -> dict:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanFormatError("", f"JSON として読めません: {exc}") from None
    validate_document(data)
    return data


def validate_document(data: Any) -> None:
    root = _Node(data, "")
    if not isinstance(data, dict):
        raise root.fail("文書の最上位はオブジェクトである必要があります")
    if _field(root, "format", str).value not in READABLE_FORMATS:
        raise root.child("format").fail(
            f"{' か '.join(repr(f) for f in READABLE_FORMATS)} である必要があります"
        )
    revision_codes = _validate_plan(_field(root, "plan", dict))
    initiatives: list[tuple[str, _Node]] = []
    relisted: list[tuple[str, _Node]] = []
    policies = _items(root, "policies")
    _unique([(_field(p, "number", int).value, p) for p in policies], "方針の番号")
    for policy in policies:
        _text(policy, "title", required=True)
        _text(policy, "subtitle")
        _text(policy, "description")
        if _optional(policy, "issues", list) is not None:
            _validate_strings(policy, "issues")
        measures = _items(policy, "measures")
        _unique([(_field(m, "number", int).value, m) for m in measures], "施策の番号")
        for measure in measures:
            _validate_measure(measure, revision_codes, initiatives, relisted)
    _unique(initiatives, "取組No.")
    known = {code for code, _node in initiatives}
    for code, node in relisted:
        if code not in known:
            raise node.fail(f"再掲する取組No. {code!r} が文書にありません")
    terms = _items(root, "glossary")
    for term in terms:
        _text(term, "term", required=True)
        _text(term, "description", required=True)
    _unique([(t.value["term"], t) for t in terms], "用語")
    # Imported here: the format's own checks need no models, the organisation's do.
    from initiatives.plan.organisation_format import validate_organisation

    validate_organisation(root, known)


SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")


def plan_slug(plan: dict) -> str:
    """The document's plan slug; `kanazawa-plan/1` documents have none: their period."""
    return plan.get("slug") or f"{plan['start_year']}-{plan['end_year']}"


def _validate_plan(plan: _Node) -> set[str]:
    for key in ("title", "philosophy"):
        _text(plan, key, required=True)
    for key in ("subtitle", "author", "philosophy_description"):
        _text(plan, key)
    start = _field(plan, "start_year", int).value
    end = _field(plan, "end_year", int).value
    if not 2019 <= start <= end <= start + 20:
        raise plan.child("end_year").fail("推進期間の年度が正しくありません")
    slug = _optional(plan, "slug", str)
    if slug is not None and not SLUG.fullmatch(slug.value):
        raise plan.child("slug").fail(
            "半角の英小文字・数字・ハイフンで、50字以内で書きます（例: 2023-2026）"
        )
    revisions = _items(plan, "revisions")
    for revision in revisions:
        _text(revision, "code", required=True)
        _text(revision, "label", required=True)
        if _text(revision, "kind") not in REVISION_KINDS:
            raise revision.child("kind").fail(f"{' / '.join(REVISION_KINDS)} のいずれかです")
        try:
            datetime.date.fromisoformat(_text(revision, "date"))
        except ValueError:
            raise revision.child("date").fail("日付は YYYY-MM-DD で書いてください") from None
    _unique([(r.value["code"], r) for r in revisions], "改訂コード")
    stances = _items(plan, "stances")
    for stance in stances:
        _field(stance, "number", int)
        _text(stance, "title", required=True)
        _text(stance, "description")
    _unique([(s.value["number"], s) for s in stances], "取組姿勢の番号")
    sections = _items(plan, "sections")
    for section in sections:
        _text(section, "key", required=True)
        _text(section, "heading", required=True)
        _text(section, "body")
    _unique([(s.value["key"], s) for s in sections], "セクションのキー")
    return {r.value["code"] for r in revisions}


def _validate_strings(node: _Node, key: str) -> list[str]:
    values = []
    for item in _items(node, key):
        if not isinstance(item.value, str):
            raise item.fail("文字列である必要があります")
        values.append(item.value)
    return values


def _validate_measure(
    measure: _Node,
    revision_codes: set[str],
    initiatives: list[tuple[str, _Node]],
    relisted: list[tuple[str, _Node]],
) -> None:
    _text(measure, "title", required=True)
    _text(measure, "summary")
    _text(measure, "description")
    # Older documents gave each 施策 its 課題; they are read as their 方針's (see policy_issues).
    if _optional(measure, "issues", list) is not None:
        _validate_strings(measure, "issues")
    _validate_strings(measure, "highlights")
    directions = _items(measure, "directions")
    _unique([(_field(d, "number", int).value, d) for d in directions], "方向性の番号")
    for direction in directions:
        _text(direction, "title", required=True)
        _text(direction, "statement")
        _validate_strings(direction, "examples")
        for initiative in _items(direction, "initiatives"):
            code = _validate_initiative(initiative, revision_codes)
            initiatives.append((code, initiative.child("code")))
        for entry in _items(direction, "relisted"):
            relisted.append((_text(entry, "code", required=True), entry.child("code")))
            if _field(entry, "position", int).value < 0:
                raise entry.child("position").fail("0 以上の整数である必要があります")
            _validate_relisted_sheet(entry)


def _validate_relisted_sheet(entry: _Node) -> None:
    """The optional fields of a 再掲 sheet that differ from the initiative's own sheet."""
    for key in ("summary", "target_state"):
        _optional(entry, key, str)
    related = _optional(entry, "related_plans", list, nullable=True)
    if related is not None and related.value is not None:
        _validate_strings(entry, "related_plans")
    resources = _optional(entry, "resources", list, nullable=True)
    if resources is not None and resources.value is not None:
        _validate_resources(entry)
    texts = _optional(entry, "result_texts", dict)
    if texts is not None:
        for year_key, text in texts.value.items():
            if not (year_key.isdigit() and len(year_key) == 4):
                raise texts.child(year_key).fail('年度のキーは西暦4桁 (例: "2023") です')
            if not isinstance(text, str):
                raise texts.child(year_key).fail("文字列である必要があります")


def _validate_resources(node: _Node) -> None:
    resources = _validate_strings(node, "resources")
    for index, resource in enumerate(resources):
        if resource not in RESOURCES:
            raise (
                node.child("resources")
                .child(index)
                .fail(f"ヒト・カネ・モノ・情報 のいずれかです: {resource!r}")
            )


def _validate_initiative(node: _Node, revision_codes: set[str]) -> str:
    code = _text(node, "code", required=True).strip()
    _text(node, "name", required=True)
    _field(node, "numeric_target", bool)
    added_in = _field(node, "added_in", str, nullable=True)
    if added_in.value is not None and added_in.value not in revision_codes:
        raise added_in.fail(f"plan.revisions にない改訂コードです: {added_in.value!r}")
    departments = _validate_strings(node, "departments")
    if not departments or not all(name.strip() for name in departments):
        raise node.child("departments").fail("担当課を1つ以上書いてください")
    for key in ("summary", "target_state"):
        _text(node, key)
    _validate_strings(node, "related_plans")
    _validate_resources(node)
    indicators = _items(node, "indicators")
    for indicator in indicators:
        _text(indicator, "name", required=True)
        _text(indicator, "unit")
        if _text(indicator, "comparison") not in COMPARISONS:
            raise indicator.child("comparison").fail(f"{' / '.join(COMPARISONS)} のいずれかです")
        _text(indicator, "benchmark")
    _unique([(i.value["name"], i) for i in indicators], "指標名")
    names = {i.value["name"] for i in indicators}
    years = _field(node, "years", dict)
    for year_key in years.value:
        year = years.child(year_key)
        if not (year_key.isdigit() and len(year_key) == 4):
            raise year.fail('年度のキーは西暦4桁 (例: "2023") です')
        plan_text = _text(year, "plan")
        merged = _optional(year, "plan_merged", bool)
        if merged is not None and merged.value:
            previous = years.value.get(str(int(year_key) - 1))
            if not isinstance(previous, dict) or previous.get("plan") != plan_text:
                raise merged.fail("結合できるのは前年度と同じ実施計画の年度だけです")
        targets = _field(year, "targets", dict)
        for name in targets.value:
            if name not in names:
                raise targets.child(name).fail("indicators にない指標名です")
            _decimal(targets.child(name))
        result = _field(year, "result", dict, nullable=True)
        if result.value is None:
            continue
        if _text(result, "status") not in STATUSES:
            raise result.child("status").fail(
                f"不明な状況です: {result.value['status']!r} ({' / '.join(STATUSES)})"
            )
        _text(result, "text")
        _text(result, "note")
        if "consistency_reason" in result.value:
            reason = _text(result, "consistency_reason")
            if "\n" in reason or len(reason) > 200:
                raise result.child("consistency_reason").fail("改行なし・200字以内の一行です")
        actuals = _field(result, "actuals", dict)
        for name in actuals.value:
            if name not in names:
                raise actuals.child(name).fail("indicators にない指標名です")
            _decimal(actuals.child(name))
    return code


def policy_issues(policy: dict) -> list[str]:
    """A 方針's 課題: its own `issues`, or (older documents) its 施策's in order."""
    if "issues" in policy:
        return list(policy["issues"])
    issues: list[str] = []
    for measure in policy["measures"]:
        issues += [issue for issue in measure.get("issues", []) if issue not in issues]
    return issues


def dump_document(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
