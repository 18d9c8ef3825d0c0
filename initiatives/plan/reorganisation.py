"""Recording a reorganisation (組織改正): the preview HQ confirms and the one write.

The history is only ever added to: a renamed or merged department gets a new row valid from
the date and the old rows end the day before, so every past result keeps the department
(and name) that reported it. Who owns what afterwards is derived by
`initiatives.plan.organisation`; the initiatives' assignments are not rewritten.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from initiatives.plan.changes import mark_structure_changed
from initiatives.plan.departments import (
    Department,
    DepartmentMembership,
    Reorganisation,
    ReorganisationAssignment,
)
from initiatives.plan.models import Initiative
from initiatives.plan.organisation import Succession

Kind = Reorganisation.Kind
EARLIEST = datetime.date(2000, 1, 1)
YEARS_AHEAD = 5  # a date further ahead is a typing error, not a plan
NAME_MAX = Department._meta.get_field("name").max_length


def _day(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass
class Move:
    """An initiative that a source department hands on, and to whom."""

    initiative: Initiative
    source: Department
    target: str  # the successor's name; "" while HQ has not chosen (split, hand-over)


@dataclass
class Preview:
    """What recording the reorganisation would do, for HQ to check before confirming."""

    effective_date: datetime.date
    kind: str
    sources: list[Department]
    targets: list[str]
    new_names: list[str]
    ending: list[Department]
    moves: list[Move]
    staff: list[tuple[str, str]] = field(default_factory=list)  # (user, departments)
    choose: bool = False  # whether HQ picks a successor per initiative

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def _clean_names(names: list[str]) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def _check(
    *,
    effective_date: datetime.date | None,
    kind: str,
    sources: list[Department],
    targets: list[str],
    today: datetime.date,
) -> tuple[dict[str, Department], list[str]]:
    """Refuse what cannot be recorded; return the existing targets by name and the new names."""
    errors: dict[str, list[str]] = {}

    def fail(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    latest = datetime.date(today.year + YEARS_AHEAD, 12, 31)
    if effective_date is None:
        fail("effective_date", "施行日を入力してください。")
    elif not EARLIEST <= effective_date <= latest:
        fail(
            "effective_date",
            f"施行日は{_day(EARLIEST)}から{_day(latest)}までの日付にしてください。",
        )
    if kind not in Kind.values:
        fail("kind", "種類は 名称変更・統合・分割・移管 から選んでください。")
    if not sources:
        fail("sources", "改正前の担当課を選んでください。")
    if not targets:
        fail("targets", "改正後の担当課を選ぶか、新しい名称を入力してください。")
    for name in targets:
        if len(name) > NAME_MAX:
            fail("targets", f"担当課の名称は{NAME_MAX}文字以内にしてください（「{name[:20]}…」）。")
    existing = {d.name: d for d in Department.objects.filter(name__in=targets)}
    new_names = [n for n in targets if n not in existing]
    source_pks = {d.pk for d in sources}
    if effective_date is not None and not errors.get("effective_date"):
        day_before = effective_date - datetime.timedelta(days=1)
        for d in sources:
            if d.valid_until is not None and d.valid_until < effective_date:
                fail(
                    "sources",
                    f"「{d.name}」は{_day(d.valid_until)}で廃止されています。"
                    "廃止後に組織改正はできません。",
                )
            elif d.valid_from is not None and d.valid_from > day_before:
                fail("sources", f"「{d.name}」は{_day(day_before)}にはまだありません。")
        later = (
            Reorganisation.objects.filter(effective_date__gt=effective_date)
            .filter(sources__in=source_pks)
            .order_by("effective_date")
            .first()
        )
        if later is not None:
            fail(
                "effective_date",
                f"改正前の担当課には{_day(later.effective_date)}の組織改正が既に登録されています。"
                "それより前の日付では登録できません。",
            )
        for d in existing.values():
            if d.pk not in source_pks and not d.valid_on(effective_date):
                fail("targets", f"「{d.name}」は{_day(effective_date)}には存在しません。")
    inside = [d for d in existing.values() if d.pk in source_pks]
    if kind == Kind.RENAME:
        if len(sources) != 1:
            fail("sources", "名称変更では改正前の担当課を1つだけ選んでください。")
        if len(targets) != 1:
            fail("targets", "名称変更では新しい名称を1つだけ入力してください。")
        elif inside:
            fail("targets", "新しい名称が今の名称と同じです。")
        elif not new_names:
            fail(
                "targets",
                f"「{targets[0]}」は既にある（またはあった）担当課の名称です。"
                "ほかの課にまとめるときは「統合」を選んでください。",
            )
    elif kind == Kind.MERGE:
        if len(targets) != 1:
            fail("targets", "統合先は1つにしてください。")
        if inside and len(sources) == 1:
            fail("targets", "担当課を自分自身に統合することはできません。")
        elif len(sources) < 2:
            fail("sources", "統合には改正前の担当課が2つ以上必要です。")
    elif kind == Kind.SPLIT:
        if len(sources) != 1:
            fail("sources", "分割では改正前の担当課を1つだけ選んでください。")
        if len(targets) < 2:
            fail("targets", "分割には分割先が2つ以上必要です。")
        if inside:
            fail(
                "targets",
                "分割先に分割元と同じ担当課は指定できません（一部だけ移すときは「移管」）。",
            )
    elif kind == Kind.TRANSFER:
        if len(sources) != 1:
            fail("sources", "移管では移管元の担当課を1つだけ選んでください。")
        if len(targets) != 1:
            fail("targets", "移管先は1つにしてください。")
        if inside:
            fail("targets", "移管先に移管元と同じ担当課は指定できません。")
    if errors:
        raise ValidationError(errors)
    return existing, new_names


def _moves(
    *, kind: str, sources: list[Department], targets: list[str], day: datetime.date
) -> list[Move]:
    """The initiatives the sources own on `day` (the day before the date) and their heirs."""
    succession = Succession.load()
    by_pk = {d.pk: d for d in sources}
    owned = [
        (initiative_id, department_id)
        for initiative_id in succession.assigned
        for department_id in succession.owners_at(initiative_id, day)
        if department_id in by_pk
    ]
    initiatives = Initiative.objects.select_related("plan").in_bulk({i for i, _ in owned})
    single = targets[0] if kind in (Kind.RENAME, Kind.MERGE) else ""
    # An absorbing department (統合 into one of the sources) keeps its own initiatives.
    moves = [Move(initiatives[i], by_pk[d], single) for i, d in owned if by_pk[d].name != single]
    return sorted(moves, key=lambda m: (m.initiative.plan.start_year, m.initiative.order))


def preview_reorganisation(
    *,
    effective_date: datetime.date | None,
    kind: str,
    sources: list[Department],
    targets: list[str],
    today: datetime.date | None = None,
) -> Preview:
    """What recording would do: the initiatives that move and the staff concerned. Raises
    ValidationError (Japanese messages per field) for input that cannot be recorded."""
    sources = list(dict.fromkeys(sources))
    targets = _clean_names(targets)
    today = today or timezone.localdate()
    existing, new_names = _check(
        effective_date=effective_date, kind=kind, sources=sources, targets=targets, today=today
    )
    target_pks = {d.pk for d in existing.values()}
    ending = [d for d in sources if kind != Kind.TRANSFER and d.pk not in target_pks]
    members = (
        DepartmentMembership.objects.filter(department__in=sources, user__is_active=True)
        .select_related("user", "department")
        .order_by("user__username", "department__name")
    )
    staff: dict[str, list[str]] = {}
    for m in members:
        staff.setdefault(m.user.get_username(), []).append(m.department.name)
    return Preview(
        effective_date=effective_date,
        kind=kind,
        sources=sources,
        targets=targets,
        new_names=new_names,
        ending=ending,
        moves=_moves(
            kind=kind,
            sources=sources,
            targets=targets,
            day=effective_date - datetime.timedelta(days=1),
        ),
        staff=[(user, "、".join(names)) for user, names in staff.items()],
        choose=kind in (Kind.SPLIT, Kind.TRANSFER),
    )


@transaction.atomic
def record_reorganisation(
    *,
    effective_date: datetime.date,
    kind: str,
    sources: list[Department],
    targets: list[str],
    assignments: dict[int, str] | None = None,
    note: str = "",
    move_staff: bool = True,
    user,
    today: datetime.date | None = None,
) -> Reorganisation:
    """Record a reorganisation: new departments from the date, the old ones ended the day
    before, and (split, hand-over) which successor takes each initiative, keyed by
    initiative id → successor name. With `move_staff`, the staff of a renamed or merged
    department also become members of its successor (they keep the old membership, to
    finish the old department's years). All or nothing."""
    # Lock the sources so that two HQ users cannot reorganise one department twice at once.
    locked = list(Department.objects.select_for_update().filter(pk__in=[d.pk for d in sources]))
    by_pk = {d.pk: d for d in locked}
    sources = [by_pk[d.pk] for d in dict.fromkeys(sources) if d.pk in by_pk]
    preview = preview_reorganisation(
        effective_date=effective_date, kind=kind, sources=sources, targets=targets, today=today
    )
    assignments = {i: name.strip() for i, name in (assignments or {}).items() if name}
    if preview.choose:
        _check_choices(preview, assignments)
    created = {}
    for name in preview.new_names:
        department = Department(name=name, valid_from=effective_date)
        department.full_clean()
        department.save()
        created[name] = department
    successors = {
        **{d.name: d for d in Department.objects.filter(name__in=preview.targets)},
        **created,
    }
    reorganisation = Reorganisation(
        effective_date=effective_date, kind=kind, note=note.strip(), recorded_by=user
    )
    reorganisation.full_clean()
    reorganisation.save()
    reorganisation.sources.set(preview.sources)
    reorganisation.targets.set([successors[n] for n in preview.targets])
    if preview.choose:
        for move in preview.moves:
            name = assignments.get(move.initiative.pk)
            if not name:
                continue  # 移管: an initiative not chosen stays with its department
            row = ReorganisationAssignment(
                reorganisation=reorganisation,
                initiative=move.initiative,
                source=move.source,
                target=successors[name],
            )
            row.full_clean()
            row.save()
    for department in preview.ending:
        department.valid_until = effective_date - datetime.timedelta(days=1)
        department.full_clean()
        department.save(update_fields=["valid_until"])
    if move_staff and kind in (Kind.RENAME, Kind.MERGE):
        _move_staff(preview.ending, successors[preview.targets[0]])
    mark_structure_changed()
    return reorganisation


def _check_choices(preview: Preview, assignments: dict[int, str]) -> None:
    moving = {m.initiative.pk: m for m in preview.moves}
    unknown = [name for name in assignments.values() if name not in preview.targets]
    if unknown:
        raise ValidationError(
            {"assignments": f"引継ぎ先「{unknown[0]}」は改正後の担当課にありません。"}
        )
    if set(assignments) - set(moving):
        raise ValidationError({"assignments": "改正前の担当課の取組ではないものが含まれています。"})
    if preview.kind == Kind.SPLIT:
        missing = [m for m in preview.moves if m.initiative.pk not in assignments]
        if missing:
            codes = "、".join(f"No.{m.initiative.code}" for m in missing[:10])
            raise ValidationError(
                {"assignments": f"分割では各取組の引継ぎ先を選んでください（{codes}）。"}
            )
    elif not assignments:
        raise ValidationError({"assignments": "移管する取組を1つ以上選んでください。"})


def _move_staff(ending: list[Department], successor: Department) -> None:
    users = get_user_model().objects.filter(department_memberships__department__in=ending)
    have = set(
        DepartmentMembership.objects.filter(department=successor).values_list("user_id", flat=True)
    )
    for user in users.distinct():
        if user.pk in have:
            continue
        membership = DepartmentMembership(user=user, department=successor)
        membership.full_clean()
        membership.save()
