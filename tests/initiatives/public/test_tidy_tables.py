from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from urllib.parse import unquote

import frictionless  # dev dependency (pyproject.toml): the validator the issue names
import pytest

from initiatives.models import Actual, Department, Edition, Initiative, Plan
from initiatives.public.tidy import INDICATOR_YEARS, INITIATIVE_YEARS
from tests.initiatives.public_helpers import MARKER, add_draft_data

pytestmark = pytest.mark.django_db

TABLES = ("initiative_years", "indicator_years")


def rows(content: bytes) -> list[dict[str, str]]:
    assert not content.startswith(b"\xef\xbb\xbf")  # UTF-8 without a BOM, as validators read it
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def slug() -> str:
    return Plan.objects.get().slug


def test_it_writes_one_row_per_initiative_and_year_with_codes_and_both_year_forms(client):
    response = client.get("/open-data/initiative_years.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = rows(response.content)
    header = list(body[0])
    assert header == [f.name for f in INITIATIVE_YEARS.fields]
    assert {r["全国地方公共団体コード"] for r in body} == {"172014"}
    assert {r["地方公共団体名"] for r in body} == {"金沢市"}
    first = Initiative.objects.order_by("order").first()
    mine = [r for r in body if r["取組No."] == first.code]
    assert [r["年度"] for r in mine][:2] == ["2023", "2024"]
    assert mine[0]["年度（和暦）"] == "令和5年度"
    assert mine[0]["取組ID"] == f"{slug()}:{first.code}"
    assert mine[0]["プランID"] == slug()
    assert mine[0]["達成状況コード"] in {"achieved", "not_achieved", "undetermined"}
    assert mine[0]["公表日"][:4].isdigit() and mine[0]["公表日"][4] == "-"
    owner = first.owners.first().department
    assert mine[0]["担当課コード"].split(";")[0] == owner.public_code
    # No two rows share the primary key.
    keys = [(r["取組ID"], r["年度"]) for r in body]
    assert len(keys) == len(set(keys))
    # A year nobody published has no status, result or date, but keeps the plan text.
    unpublished = [r for r in body if r["年度"] == "2025"]
    assert unpublished and all(r["達成状況"] == "" and r["公表日"] == "" for r in unpublished)
    assert any(r["実施計画"] for r in unpublished)


def test_it_writes_targets_and_actuals_as_numbers_with_the_unit_apart(client):
    body = rows(client.get("/open-data/indicator_years.csv").content)
    assert list(body[0]) == [f.name for f in INDICATOR_YEARS.fields]
    actual = (
        Actual.objects.filter(result__published_at__isnull=False, published_value__isnull=False)
        .select_related("indicator__initiative", "result__fiscal_year")
        .first()
    )
    row = next(
        r
        for r in body
        if r["取組No."] == actual.indicator.initiative.code
        and r["指標名"] == actual.indicator.name
        and r["年度"] == str(actual.result.fiscal_year.year)
    )
    assert Decimal(row["実績値"]) == actual.published_value
    assert row["単位"] == actual.indicator.unit
    assert row["目標値"] == "" or Decimal(row["目標値"])
    assert row["達成"] in {"TRUE", "FALSE", ""}
    assert "；" not in "".join(r["実績値"] + r["目標値"] for r in body)
    document = json.loads(client.get("/open-data/indicator_years.json").content)
    numbers = [r["実績値"] for r in document if r["実績値"] is not None]
    assert numbers and all(isinstance(n, int | float) for n in numbers)
    assert {r["達成"] for r in document} <= {True, False, None}


def test_it_says_which_years_are_partly_published_in_every_table(client):
    # The year's latest edition says what is public: here one result is still being counted.
    edition = Edition.objects.filter(fiscal_year__year=2023).order_by("-number").first()
    total, published = edition.total_count, edition.total_count - 1
    edition.published_count = published
    edition.save()
    label = f"{total}件中 {published}件を公表（集計中）"
    body = rows(client.get("/open-data/initiative_years.csv").content)
    assert {r["年度の公表状況"] for r in body if r["年度"] == "2023"} == {
        f"令和5年度（2023年度）: {label}"
    }
    wide = client.get("/open-data/initiatives.csv").content.decode("utf-8-sig")
    assert label in wide and "令和5年度 公表状況" in wide
    assert label in client.get("/open-data/initiatives.json").content.decode()


def test_it_gives_departments_a_stable_code(client):
    department = Department.objects.order_by("pk").first()
    assert department.public_code == f"D{department.pk:04d}"
    department.code = "172014-0101"
    department.save()
    body = rows(client.get("/open-data/initiative_years.csv").content)
    assert any("172014-0101" in r["担当課コード"].split(";") for r in body)


def test_it_names_a_filtered_download_for_its_filter(client):
    response = client.get(
        "/open-data/initiatives.csv", {"status_2023": "not_achieved", "policy": "1"}
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == "initiatives_方針1_令和5年度_未達成.csv"
    tidy = client.get("/open-data/initiative_years.csv", {"status_2023": "not_achieved"})
    assert unquote(tidy["Content-Disposition"].split("''", 1)[1]) == (
        "initiative_years_令和5年度_未達成.csv"
    )
    codes = {r["取組No."] for r in rows(tidy.content)}
    assert len(codes) == 8
    plain = client.get("/open-data/initiatives.csv")
    assert plain["Content-Disposition"] == 'attachment; filename="initiatives.csv"'


def test_an_unknown_file_is_404(client):
    assert client.get("/open-data/secrets.csv").status_code == 404


def test_it_never_puts_draft_data_in_the_tidy_tables(client):
    add_draft_data()
    for table in TABLES:
        for kind in ("csv", "json"):
            for query in ("", "?keyword=下書きマーカー", "?status_2024=achieved"):
                body = client.get(f"/open-data/{table}.{kind}{query}").content.decode()
                assert MARKER not in body, (table, kind, query)
                assert "987654321" not in body, (table, kind, query)


def _write_package(client, folder, query: str = "") -> dict:
    package = json.loads(client.get("/open-data/datapackage.json").content)
    for resource in package["resources"]:
        content = client.get(f"/open-data/{resource['path']}{query}").content
        (folder / resource["path"]).write_bytes(content)
        if query:
            del resource["bytes"]  # the package describes the whole files
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False))
    return package


def test_the_data_package_describes_every_table_and_validates(client, tmp_path):
    response = client.get("/open-data/datapackage.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    package = _write_package(client, tmp_path)
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["sources"] and package["lastModified"]
    names = {r["name"] for r in package["resources"]}
    assert names == set(TABLES)
    indicator = next(r for r in package["resources"] if r["name"] == "indicator_years")
    assert indicator["schema"]["foreignKeys"][0]["reference"]["resource"] == "initiative_years"
    fields = {f["name"]: f for f in indicator["schema"]["fields"]}
    assert fields["実績値"]["type"] == "number"
    assert fields["目標の種類"]["constraints"]["enum"]
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    for resource in package["resources"]:  # every table alone, too
        alone = frictionless.validate(
            frictionless.Resource(
                path=resource["path"],
                basepath=str(tmp_path),
                schema=frictionless.Schema.from_descriptor(
                    {k: v for k, v in resource["schema"].items() if k != "foreignKeys"}
                ),
            )
        )
        assert alone.valid, alone.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_a_filtered_download_validates_against_the_same_schema(client, tmp_path):
    _write_package(client, tmp_path, "?status_2023=not_achieved&policy=1")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_the_open_data_page_lists_sizes_dates_and_a_catalogue_record(client):
    html = client.get("/open-data/").content.decode()
    for name in ("initiative_years.csv", "indicator_years.csv", "datapackage.json"):
        assert f'href="/open-data/{name}"' in html
        size = len(client.get(f"/open-data/{name}").content)
        assert f"（{size}バイト）" in html
    assert '<script type="application/ld+json">' in html
    record = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert record["@type"] == "dcat:Dataset"
    assert record["dct:publisher"]["dct:identifier"] == "172014"
    assert len(record["dcat:distribution"]) >= 7
    assert "全国地方公共団体コード 172014" in html
