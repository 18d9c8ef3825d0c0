from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import Initiative, Result
from initiatives.plan.export import export_plan_document
from initiatives.plan.interchange import dump_document

pytestmark = pytest.mark.django_db


def _first_initiative(doc: dict) -> dict:
    return doc["policies"][0]["measures"][0]["directions"][0]["initiatives"][0]


def _set_status(doc: dict) -> None:
    _first_initiative(doc)["years"]["2023"]["result"]["status"] = "済"


def _duplicate_code(doc: dict) -> None:
    directions = doc["policies"][0]["measures"][0]["directions"][0]["initiatives"]
    directions[1]["code"] = directions[0]["code"]


def _bad_decimal(doc: dict) -> None:
    _first_initiative(doc)["years"]["2023"]["targets"] = {"開発アプリ数": "七十"}


def _unknown_indicator(doc: dict) -> None:
    _first_initiative(doc)["years"]["2023"]["result"]["actuals"] = {"存在しない指標": "1"}


def _missing_name(doc: dict) -> None:
    del _first_initiative(doc)["name"]


def _unknown_relisting(doc: dict) -> None:
    doc["policies"][0]["measures"][1]["directions"][0]["relisted"].append(
        {"code": "999", "position": 0}
    )


def _unknown_resource(doc: dict) -> None:
    _first_initiative(doc)["resources"] = ["ヒト", "時間"]


def _wrong_format(doc: dict) -> None:
    doc["format"] = "something-else/9"


def _bool_as_number(doc: dict) -> None:
    _first_initiative(doc)["numeric_target"] = 1


def _two_line_reason(doc: dict) -> None:
    _first_initiative(doc)["years"]["2023"]["result"]["consistency_reason"] = "一行目\n二行目"


def _merged_unequal_plan(doc: dict) -> None:
    # No.1's R6 text differs from R5: the document cannot print them in one cell.
    _first_initiative(doc)["years"]["2024"]["plan_merged"] = True


def _relisted_unknown_resource(doc: dict) -> None:
    doc["policies"][0]["measures"][1]["directions"][0]["relisted"][0]["resources"] = ["時間"]


# Each case breaks the document near its end or in one place, after valid rows
# that an eager writer would already have saved.
CASES: list[tuple[Callable[[dict], None], str]] = [
    (_set_status, "initiatives[0].years.2023.result.status"),
    (_duplicate_code, "initiatives[1].code"),
    (_bad_decimal, "targets.開発アプリ数"),
    (_unknown_indicator, "actuals.存在しない指標"),
    (_missing_name, "initiatives[0]: キー 'name' がありません"),
    (_unknown_relisting, "relisted[1].code"),
    (_unknown_resource, "resources[1]"),
    (_wrong_format, "format"),
    (_bool_as_number, "numeric_target"),
    (_two_line_reason, "result.consistency_reason: 改行なし・200字以内の一行です"),
    (_merged_unequal_plan, "years.2024.plan_merged"),
    (_relisted_unknown_resource, "relisted[0].resources[0]"),
]


@pytest.mark.parametrize(("break_it", "path"), CASES)
def test_it_refuses_a_malformed_document_and_changes_nothing(
    tmp_path, plan_document: dict, break_it, path: str
) -> None:
    # A valid change first, so that a partial write would be visible.
    plan_document["plan"]["title"] = "書き換えられたタイトル"
    break_it(plan_document)
    before = dump_document(export_plan_document())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(plan_document, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(CommandError, match="何も変更していません") as excinfo:
        call_command("import_plan", str(bad))

    assert path in str(excinfo.value)
    assert dump_document(export_plan_document()) == before


def test_it_refuses_a_file_that_is_not_json(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not json")
    with pytest.raises(CommandError, match="JSON として読めません"):
        call_command("import_plan", str(bad))


def test_it_refuses_a_missing_file(tmp_path) -> None:
    with pytest.raises(CommandError, match="ファイルを読めません"):
        call_command("import_plan", str(tmp_path / "missing.json"))


def test_it_applies_a_revision_and_removes_what_the_document_drops(
    tmp_path, plan_document: dict
) -> None:
    first = _first_initiative(plan_document)
    first["name"] = "改訂後の名称"
    first["years"]["2023"]["result"] = None
    initiatives = plan_document["policies"][2]["measures"][2]["directions"][1]["initiatives"]
    dropped = initiatives.pop()["code"]
    path = tmp_path / "revision.json"
    path.write_text(json.dumps(plan_document, ensure_ascii=False), encoding="utf-8")

    call_command("import_plan", str(path))

    assert Initiative.objects.get(code=first["code"]).name == "改訂後の名称"
    assert not Result.objects.filter(initiative__code=first["code"]).exists()
    assert not Initiative.objects.filter(code=dropped).exists()
    assert Initiative.objects.count() == 123


def test_it_skips_loading_when_asked_only_for_an_empty_database(tmp_path) -> None:
    Initiative.objects.filter(code="1").update(name="入力済みの名称")
    call_command("import_plan", "fixtures/plan.json", if_empty=True)
    assert Initiative.objects.get(code="1").name == "入力済みの名称"


def test_it_exports_only_published_results_when_asked() -> None:
    result = Result.objects.get(initiative__code="1", fiscal_year__year=2023)
    result.text = "公開前の修正文"
    result.state = Result.State.DRAFT
    result.save()

    public = json.dumps(export_plan_document(published_only=True), ensure_ascii=False)
    working = json.dumps(export_plan_document(), ensure_ascii=False)

    assert "公開前の修正文" not in public
    assert "公開前の修正文" in working


def test_it_loads_and_exports_the_reason_of_an_inconsistent_result() -> None:
    no9 = Result.objects.get(initiative__code="9", fiscal_year__year=2023)
    assert no9.published_consistency_reason == no9.consistency_reason
    assert no9.consistency_reason.startswith("めざす姿は「おおむね100%」")
    exported = json.dumps(export_plan_document(published_only=True), ensure_ascii=False)
    assert exported.count('"consistency_reason"') == 1
    assert f'"consistency_reason": "{no9.consistency_reason}"' in exported


def test_it_loads_an_older_document_with_issues_per_measure(tmp_path, plan_document) -> None:
    """kanazawa-plan/1 documents before 方針 issues: each 方針 gets its 施策' 課題 in order."""
    from initiatives.models import Policy, Relisting, YearPlan

    policy = plan_document["policies"][0]
    issues = policy.pop("issues")
    for measure in policy["measures"]:
        measure["issues"] = []
    policy["measures"][0]["issues"] = issues[:3]
    policy["measures"][2]["issues"] = issues[3:]
    for entry in policy["measures"][1]["directions"][0]["relisted"]:
        for key in ("summary", "target_state", "related_plans", "resources", "result_texts"):
            entry.pop(key, None)
    for year in _first_initiative(plan_document)["years"].values():
        year.pop("plan_merged", None)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(plan_document, ensure_ascii=False), encoding="utf-8")

    call_command("import_plan", str(path))

    assert Policy.objects.get(number=1).issues == issues
    relisting = Relisting.objects.get(initiative__code="51")
    assert relisting.resources is None and relisting.result_texts == {}
    assert not YearPlan.objects.filter(initiative__code="1", merged_with_previous=True).exists()
    exported = export_plan_document()
    assert exported["policies"][0]["issues"] == issues
    assert "issues" not in exported["policies"][0]["measures"][0]


def test_the_fixture_round_trips_its_report_fields(plan_document) -> None:
    exported = export_plan_document()
    assert dump_document(exported) == dump_document(plan_document)
    relisted = exported["policies"][0]["measures"][1]["directions"][0]["relisted"][0]
    assert relisted["resources"] == ["ヒト", "カネ", "モノ"]
    assert "のりまし金沢" in relisted["result_texts"]["2023"]
