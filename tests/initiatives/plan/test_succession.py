"""Continuity between plans: an initiative of a later plan names the initiatives of an earlier
plan it continues (継続 / 統合 / 分割) — in the model, the interchange format, the public detail
pages both ways, open data and the admin."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from initiatives.models import Initiative, Plan, Result, Succession, YearPlan
from initiatives.plan.interchange import PlanFormatError
from initiatives.plan.loader import import_plan
from tests.conftest import next_plan_document
from tests.initiatives.workflow_helpers import make_staff, open_year

pytestmark = pytest.mark.django_db

OLD, NEW = "2023-2026", "2027-2030"


def _initiative(document: dict, code: str) -> dict:
    for policy in document["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                for initiative in direction["initiatives"]:
                    if initiative["code"] == code:
                        return initiative
    raise KeyError(code)


def _path_of(document: dict, code: str) -> str:
    for p, policy in enumerate(document["policies"]):
        for m, measure in enumerate(policy["measures"]):
            for d, direction in enumerate(measure["directions"]):
                for i, initiative in enumerate(direction["initiatives"]):
                    if initiative["code"] == code:
                        return f"policies[{p}].measures[{m}].directions[{d}].initiatives[{i}]"
    raise KeyError(code)


def linked_document(plan_document: dict) -> dict:
    """The next plan whose No.3 continues the old No.15 and whose No.1 merges No.1 and No.2."""
    document = next_plan_document(plan_document)
    _initiative(document, "3")["continues"] = [{"plan": OLD, "code": "15", "kind": "continuation"}]
    _initiative(document, "1")["continues"] = [
        {"plan": OLD, "code": "1", "kind": "merger"},
        {"plan": OLD, "code": "2", "kind": "merger"},
    ]
    return document


@pytest.fixture
def linked(plan_document) -> dict:
    document = linked_document(plan_document)
    import_plan(data=document)
    return document


def _export(slug: str) -> str:
    out = io.StringIO()
    call_command("export_plan", "--plan", slug, stdout=out)
    return out.getvalue()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# --- the model -----------------------------------------------------------------------------


def test_an_initiative_cannot_continue_itself_or_its_own_plan_or_a_later_one(linked):
    new3 = Initiative.objects.get(plan__slug=NEW, code="3")
    old15 = Initiative.objects.get(plan__slug=OLD, code="15")
    old16 = Initiative.objects.get(plan__slug=OLD, code="16")
    with pytest.raises(ValidationError, match="自分自身"):
        Succession(successor=new3, predecessor=new3).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Succession.objects.create(successor=new3, predecessor=new3)
    with pytest.raises(ValidationError, match="同じプランの取組は継続元にできません"):
        Succession(successor=old16, predecessor=old15).full_clean()
    with pytest.raises(ValidationError, match="この取組のプランより前のプラン"):
        Succession(successor=old15, predecessor=new3).full_clean()
    with pytest.raises(ValidationError, match="既に指定されています"):
        Succession(successor=new3, predecessor=old15).full_clean()


# --- the interchange format ----------------------------------------------------------------


def test_import_links_the_initiatives_and_export_writes_them_back(linked):
    links = Succession.objects.filter(successor__plan__slug=NEW).order_by(
        "successor__order", "order"
    )
    assert [(s.successor.code, s.predecessor.code, s.kind) for s in links] == [
        ("1", "1", "merger"),
        ("1", "2", "merger"),
        ("3", "15", "continuation"),
    ]
    exported = json.loads(_export(NEW))
    assert _initiative(exported, "3")["continues"] == _initiative(linked, "3")["continues"]
    assert _initiative(exported, "1")["continues"] == _initiative(linked, "1")["continues"]
    assert "continues" not in _initiative(exported, "2")
    assert '"continues"' not in _export(OLD)


def test_the_round_trip_is_byte_identical(linked):
    first = _export(NEW)
    import_plan(data=json.loads(first))
    assert _export(NEW) == first
    assert Succession.objects.count() == 3


@pytest.mark.parametrize(
    ("entry", "where", "message"),
    [
        ({"plan": "2019-2022", "code": "15", "kind": "continuation"}, "plan", "登録されていません"),
        (
            {"plan": OLD, "code": "999", "kind": "continuation"},
            "code",
            "取組No. '999' はありません",
        ),
        ({"plan": NEW, "code": "15", "kind": "continuation"}, "plan", "同じプランの取組は"),
        ({"plan": OLD, "code": "15", "kind": "succession"}, "kind", "continuation / merger"),
        ({"plan": "第1期", "code": "15", "kind": "continuation"}, "plan", "識別名"),
        ({"plan": OLD, "code": "", "kind": "continuation"}, "code", "空にできません"),
        ({"plan": OLD, "code": "15"}, "", "キー 'kind' がありません"),
    ],
)
def test_a_bad_continues_entry_is_refused_with_its_path(plan_document, entry, where, message):
    document = next_plan_document(plan_document)
    _initiative(document, "3")["continues"] = [entry]
    with pytest.raises(PlanFormatError) as refused:
        import_plan(data=document)
    path = f"{_path_of(document, '3')}.continues[0]" + (f".{where}" if where else "")
    assert refused.value.path == path
    assert message in refused.value.message
    assert not Plan.objects.filter(slug=NEW).exists()
    assert not Succession.objects.exists()


def test_the_same_earlier_initiative_twice_is_refused(plan_document):
    document = next_plan_document(plan_document)
    entry = {"plan": OLD, "code": "15", "kind": "continuation"}
    _initiative(document, "3")["continues"] = [entry, dict(entry)]
    with pytest.raises(PlanFormatError, match=r"continues\[1\]: 継続元"):
        import_plan(data=document)


def test_only_an_earlier_plan_can_be_continued(linked, plan_document):
    # A plan that starts before 2023-2026 cannot continue the later 2027-2030.
    document = next_plan_document(plan_document, slug="2019-2022", shift=-4)
    _initiative(document, "3")["continues"] = [{"plan": NEW, "code": "3", "kind": "split"}]
    with pytest.raises(PlanFormatError, match="このプランより前に始まったプランだけ"):
        import_plan(data=document)
    assert not Plan.objects.filter(slug="2019-2022").exists()


# --- public pages, open data, admin --------------------------------------------------------


def test_the_detail_pages_show_the_chain_both_ways(client, linked):
    new3 = client.get(f"/plans/{NEW}/initiatives/3/").content.decode()
    assert "前期プランの No.15 を継続" in _text(new3)
    assert f'href="/plans/{OLD}/initiatives/15/"' in new3
    old15 = client.get(f"/plans/{OLD}/initiatives/15/").content.decode()
    assert "次期プランの No.3 に継続" in _text(old15)
    assert f'href="/plans/{NEW}/initiatives/3/"' in old15
    assert "前期プランの No.1・No.2 を統合" in _text(
        client.get(f"/plans/{NEW}/initiatives/1/").content.decode()
    )
    assert "次期プランの No.1 に統合" in _text(client.get("/initiatives/2/").content.decode())
    assert 'class="continuity"' not in client.get(f"/plans/{OLD}/initiatives/4/").content.decode()


def _csv(client, slug: str) -> dict[str, dict[str, str]]:
    body = client.get(f"/plans/{slug}/open-data/initiatives.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    return {row["取組No."]: row for row in rows}


def test_open_data_carries_the_link(client, linked):
    column = "前期・次期プランとの関係"
    new, old = _csv(client, NEW), _csv(client, OLD)
    assert new["3"][column] == f"前期プランの No.15 を継続（{OLD}）"
    assert new["1"][column] == f"前期プランの No.1・No.2 を統合（{OLD}）"
    assert old["15"][column] == f"次期プランの No.3 に継続（{NEW}）"
    assert old["4"][column] == ""
    document = client.get(f"/plans/{NEW}/open-data/initiatives.json").json()
    assert _initiative(document, "3")["continues"] == [
        {"plan": OLD, "code": "15", "kind": "continuation"}
    ]
    assert column in client.get(f"/plans/{NEW}/open-data/").content.decode()


def test_the_initiative_admin_edits_the_links_inline(client, linked):
    client.force_login(make_staff("kanri", is_superuser=True))
    new3 = Initiative.objects.get(plan__slug=NEW, code="3")
    page = client.get(reverse("admin:initiatives_initiative_change", args=[new3.pk])).content
    assert "前期プランとの関係" in page.decode()
    assert 'name="continues-0-predecessor"' in page.decode()


# --- the walk of the "done means" --------------------------------------------------


def test_export_turn_into_the_next_plan_import_and_open_both(client, tmp_path):
    exported = json.loads(_export(OLD))
    document = next_plan_document(exported)
    _initiative(document, "3")["continues"] = [{"plan": OLD, "code": "15", "kind": "continuation"}]
    path = tmp_path / "plan-2027-2030.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    before = _export(OLD)
    call_command("import_plan", str(path), stdout=io.StringIO())

    listing = client.get(f"/plans/{NEW}/initiatives/")
    assert listing.status_code == 200
    assert "金沢市行政経営プラン（第2期）" in listing.content.decode()
    assert client.get(f"/plans/{OLD}/initiatives/1/").status_code == 200
    assert client.get("/initiatives/1/").status_code == 200
    assert "次期プランの No.3 に継続" in _text(
        client.get(f"/plans/{OLD}/initiatives/15/").content.decode()
    )
    assert _export(OLD) == before

    open_year(2027, hq=make_staff("honbu", hq=True))
    opened = Result.objects.filter(fiscal_year__year=2027)
    # Every initiative of the new plan with a plan for 令和9年度 (the 【R6新規】 ones start later).
    planned = YearPlan.objects.filter(fiscal_year__year=2027)
    assert opened.count() == planned.count() == 90
    assert set(planned.values_list("initiative__plan__slug", flat=True)) == {NEW}
    assert not opened.exclude(initiative__plan__slug=NEW).exists()
