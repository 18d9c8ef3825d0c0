"""The loaded plan matches the city's document (5. 取組事項一覧 and the detail sheets)."""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from initiatives.models import (
    GlossaryTerm,
    Indicator,
    Initiative,
    Measure,
    Policy,
    Relisting,
    Result,
    Stance,
)
from initiatives.plan.export import export_plan_document
from initiatives.plan.interchange import dump_document
from initiatives.plan.loader import import_plan
from initiatives.results import services
from tests.initiatives.workflow_helpers import make_user, open_year, result_of

pytestmark = pytest.mark.django_db

# Counted from the document's achievement table (5. 取組事項一覧).
INITIATIVES_PER_MEASURE = {
    (1, 1): 21,
    (1, 2): 11,
    (1, 3): 7,
    (2, 1): 25,
    (2, 2): 13,
    (2, 3): 7,
    (3, 1): 22,
    (3, 2): 13,
    (3, 3): 5,
}
R5_STATUS_PER_POLICY = {
    1: {"achieved": 25, "not_achieved": 1},
    2: {"achieved": 27, "not_achieved": 4},
    3: {"achieved": 29, "not_achieved": 3, "undetermined": 1},
}
R5_NOT_ACHIEVED = {"7", "40", "42", "44", "55", "82", "83", "84"}


def test_it_holds_all_124_initiatives_in_table_order() -> None:
    codes = list(Initiative.objects.order_by("order").values_list("code", flat=True))
    assert len(codes) == 124
    assert set(codes) == {str(n) for n in range(1, 91)} | {f"R6-{n}" for n in range(1, 35)}
    # The table puts the R6 additions after the originals of their direction.
    assert codes[:17] == [str(n) for n in range(1, 11)] + [f"R6-{n}" for n in range(1, 8)]
    assert codes[-1] == "R6-34"


def test_it_counts_initiatives_per_policy_and_measure_as_the_table() -> None:
    counts = Counter(
        Initiative.objects.values_list(
            "direction__measure__policy__number", "direction__measure__number"
        )
    )
    assert dict(counts) == INITIATIVES_PER_MEASURE
    assert Policy.objects.count() == 3
    assert Measure.objects.count() == 9


def test_it_counts_r5_statuses_per_policy_as_the_table() -> None:
    rows = Result.objects.filter(fiscal_year__year=2023).values_list(
        "initiative__direction__measure__policy__number", "status"
    )
    per_policy: dict[int, Counter] = {}
    for policy, status in rows:
        per_policy.setdefault(policy, Counter())[status] += 1
    assert {k: dict(v) for k, v in per_policy.items()} == R5_STATUS_PER_POLICY
    not_achieved = Result.objects.filter(fiscal_year__year=2023, status="not_achieved")
    assert set(not_achieved.values_list("initiative__code", flat=True)) == R5_NOT_ACHIEVED


def test_it_gives_the_r6_additions_no_r5_year() -> None:
    added = Initiative.objects.filter(added_in__code="R6")
    assert added.count() == 34
    assert not Result.objects.filter(initiative__in=added).exists()
    for initiative in added.prefetch_related("year_plans__fiscal_year"):
        years = {p.fiscal_year.year for p in initiative.year_plans.all()}
        assert 2023 not in years, initiative.code
        assert 2024 in years, initiative.code


def test_it_gives_the_originals_four_years_of_plans() -> None:
    for initiative in Initiative.objects.filter(added_in=None).prefetch_related(
        "year_plans__fiscal_year"
    ):
        years = {p.fiscal_year.year for p in initiative.year_plans.all()}
        assert years == {2023, 2024, 2025, 2026}, initiative.code


def test_it_holds_the_detail_sheet_of_no_1() -> None:
    initiative = Initiative.objects.get(code="1")
    assert initiative.name == "職員による課題解決アプリの実践数（累計）"
    assert initiative.numeric_target
    assert initiative.department_names == "デジタル行政戦略課"
    assert initiative.summary.startswith("行政DXによる業務改善や新たな市民サービスを創出するため")
    assert initiative.related_plans == ["金沢市DXアクションプラン"]
    indicator = initiative.indicators.get()
    targets = {t.fiscal_year.year: t.value for t in indicator.targets.all()}
    assert targets == {2023: 70, 2024: 120, 2025: 130, 2026: 140}
    result = initiative.results.get(fiscal_year__year=2023)
    assert result.status == "achieved"
    assert result.actuals.get().value == 113


def test_it_holds_the_five_indicators_of_no_86() -> None:
    indicators = Indicator.objects.filter(initiative__code="86").order_by("order")
    assert indicators.count() == 5
    benchmark = indicators.get(comparison=Indicator.Comparison.BENCHMARK)
    assert benchmark.benchmark == "中核市平均以下"


def test_it_holds_co_owned_initiatives_with_every_department() -> None:
    initiative = Initiative.objects.get(code="2")
    assert initiative.department_names == "こども相談センター、デジタル行政戦略課"


def test_it_holds_the_relistings() -> None:
    relisted = {
        (r.initiative.code, r.direction.title)
        for r in Relisting.objects.select_related("initiative", "direction")
    }
    assert ("51", "オープンデータ等の普及促進") in relisted
    assert ("75", "新しい発想で変化に対応できる人材の育成") in relisted


def test_it_holds_the_stances_sections_and_glossary() -> None:
    assert list(Stance.objects.values_list("title", flat=True)) == [
        "市民目線",
        "スピード感",
        "チャレンジ",
        "成果検証",
        "デジタル化",
    ]
    assert GlossaryTerm.objects.filter(term="MaaS").exists()
    assert GlossaryTerm.objects.count() == 18


def test_the_committed_fixture_is_the_canonical_export() -> None:
    exported = dump_document(export_plan_document())
    assert exported == settings.PLAN_FIXTURE.read_text(encoding="utf-8")


def test_it_round_trips_export_import_export(tmp_path) -> None:
    first = tmp_path / "first.json"
    call_command("export_plan", out=str(first))
    call_command("import_plan", str(first))
    second = tmp_path / "second.json"
    call_command("export_plan", out=str(second))
    assert first.read_bytes() == second.read_bytes()


def test_it_imports_idempotently(plan_document: dict) -> None:
    ids_before = dict(Initiative.objects.values_list("code", "pk"))
    summary = import_plan(data=plan_document)
    assert summary.created == []
    assert summary.removed == []
    assert dict(Initiative.objects.values_list("code", "pk")) == ids_before


def _find_initiative(document: dict, code: str) -> dict:
    for policy in document["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                for initiative in direction["initiatives"]:
                    if initiative["code"] == code:
                        return initiative
    raise AssertionError(code)


def _save_no1_2024_draft() -> Result:
    hq = make_user("hq_import", hq=True)
    digital = make_user("digital_import", "デジタル行政戦略課")
    open_year(2024, hq=hq)
    result = result_of("1", 2024)
    return services.save_draft(
        result=result,
        user=digital,
        version=result.version,
        status=Result.Status.ACHIEVED,
        text="令和6年度に入力中の実施結果",
        note="",
        actuals={},
    )


def test_it_keeps_results_entered_in_the_system_on_reimport(plan_document: dict) -> None:
    _save_no1_2024_draft()
    open_results = Result.objects.filter(fiscal_year__year=2024).count()

    import_plan(data=plan_document)

    assert result_of("1", 2024).text == "令和6年度に入力中の実施結果"
    # The rows opened for entry stay too: the department's list does not empty.
    assert Result.objects.filter(fiscal_year__year=2024).count() == open_results


def test_it_refuses_to_overwrite_an_entered_result_and_changes_nothing(
    plan_document: dict, tmp_path
) -> None:
    _save_no1_2024_draft()
    no1 = _find_initiative(plan_document, "1")
    no1["years"]["2024"]["result"] = {
        "status": "not_achieved",
        "text": "文書の実施結果",
        "note": "",
        "actuals": {},
    }
    no1["name"] = "名前も変わる"
    before = export_plan_document()

    with pytest.raises(ValidationError, match=re.escape("No.1 令和6年度（入力中）")):
        import_plan(data=plan_document)

    assert export_plan_document() == before
    path = tmp_path / "conflicting-plan.json"
    path.write_text(json.dumps(plan_document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="--overwrite-results"):
        call_command("import_plan", str(path), stdout=io.StringIO())
    assert export_plan_document() == before


def test_it_overwrites_an_entered_result_only_when_told(plan_document: dict) -> None:
    _save_no1_2024_draft()
    no1 = _find_initiative(plan_document, "1")
    no1["years"]["2024"]["result"] = {
        "status": "not_achieved",
        "text": "文書の実施結果",
        "note": "",
        "actuals": {},
    }

    import_plan(data=plan_document, overwrite_results=True)

    result = result_of("1", 2024)
    assert (result.state, result.text) == (Result.State.PUBLISHED, "文書の実施結果")
