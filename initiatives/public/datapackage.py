"""The open-data files of a plan, described for machines.

`FILES` lists every download once (name, format, writer). `datapackage.json` is a Frictionless
Data Package (a Table Schema per CSV table: types, constraints, primary and foreign keys,
licence CC BY 4.0, sources, last modification); the catalogue record is DCAT (JSON-LD) for
the open-data page. Files are made from the public selectors only, once per publication state
(initiatives.public.caching), so their sizes on the page cost nothing after the first reader.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from initiatives.models import Plan
from initiatives.plan.selectors import fiscal_years_of
from initiatives.public import open_data, tidy
from initiatives.public.caching import PublicationState, publication_state
from initiatives.public.selectors import PublicFilter
from initiatives.vocabulary import era_label

LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
}
CSV = "text/csv; charset=utf-8"
JSON = "application/json; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class OpenDataFile:
    """One download of the open-data page."""

    name: str
    title: str
    format: str
    content_type: str
    # None for datapackage.json: it describes the other files (their sizes and the
    # publication state), so `package_bytes` makes it.
    write: Callable[..., bytes] | None
    filterable: bool = True

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[1]


def _tidy_writer(table: str, kind: str) -> Callable[..., bytes]:
    write = tidy.csv_bytes if kind == "csv" else tidy.json_bytes

    def writer(*, plan: Plan, filters: PublicFilter) -> bytes:
        return write(table=table, data=tidy.tidy_data(plan=plan, filters=filters))

    return writer


FILES = {
    f.name: f
    for f in (
        OpenDataFile(
            "initiative_years.csv",
            tidy.INITIATIVE_YEARS.title,
            "csv",
            CSV,
            _tidy_writer("initiative_years", "csv"),
        ),
        OpenDataFile(
            "indicator_years.csv",
            tidy.INDICATOR_YEARS.title,
            "csv",
            CSV,
            _tidy_writer("indicator_years", "csv"),
        ),
        OpenDataFile(
            "initiative_years.json",
            tidy.INITIATIVE_YEARS.title,
            "json",
            JSON,
            _tidy_writer("initiative_years", "json"),
        ),
        OpenDataFile(
            "indicator_years.json",
            tidy.INDICATOR_YEARS.title,
            "json",
            JSON,
            _tidy_writer("indicator_years", "json"),
        ),
        OpenDataFile(
            "initiatives.csv", "取組事項一覧（横長の表）", "csv", CSV, open_data.csv_bytes
        ),
        OpenDataFile(
            "initiatives.xlsx", "取組事項一覧（Excel）", "xlsx", XLSX, open_data.xlsx_bytes
        ),
        OpenDataFile(
            "initiatives.json", "プランの交換形式（JSON）", "json", JSON, open_data.json_bytes
        ),
        OpenDataFile(
            "datapackage.json",
            "データパッケージ（Frictionless Data Package）",
            "json",
            JSON,
            None,
            filterable=False,
        ),
    )
}
TABLE_FILES = ("initiative_years.csv", "indicator_years.csv")


def _cache():
    return caches[settings.PUBLIC_CACHE_ALIAS]


def _file_key(state: PublicationState, name: str) -> str:
    return f"public-file:{state.key}:{name}"


def prepare_files(*, plan: Plan) -> list[str]:
    """Make and keep every unfiltered file of the plan's current publication state (the
    worker, after a publication): no visitor then waits for a file to be built, nor the
    open-data page, which lists their sizes. Returns the names made now."""
    state = publication_state(plan=plan)
    made = []
    for name in FILES:  # datapackage.json last: it describes the others
        if _cache().get(_file_key(state, name)) is None:
            file_bytes(plan=plan, name=name, state=state)
            made.append(name)
    return made


def file_bytes(*, plan: Plan, name: str, state: PublicationState) -> bytes:
    """The unfiltered file of the current publication state, made once and then kept."""
    key = _file_key(state, name)
    content = _cache().get(key)
    if content is None:
        if name == "datapackage.json":
            content = package_bytes(plan=plan, state=state)
        else:
            content = FILES[name].write(plan=plan, filters=PublicFilter())
        _cache().set(key, content)
    return content


def table_schema(table: tidy.Table) -> dict:
    fields = []
    for field in table.fields:
        entry = {"name": field.name, "type": field.type, "description": field.description}
        if field.type == "date":
            entry["format"] = "default"
        if field.constraints:
            entry["constraints"] = dict(field.constraints)
        entry.update(field.extra)
        fields.append(entry)
    schema = {
        "fields": fields,
        "primaryKey": list(table.primary_key),
        "missingValues": [""],
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [dict(fk) for fk in table.foreign_keys]
    return schema


def _plan_source(plan: Plan) -> dict:
    return {
        "title": f"{plan.author}「{plan.title}」",
        "path": f"{settings.SITE_URL.rstrip('/')}/plans/{plan.slug}/",
    }


def package(*, plan: Plan, state: PublicationState, sizes: dict[str, int]) -> dict:
    """The Frictionless Data Package of the plan's tables (paths relative to it)."""
    modified = state.data_modified or timezone.now()
    resources = []
    for name in TABLE_FILES:
        table = tidy.TABLES[FILES[name].stem]
        resources.append(
            {
                "profile": "tabular-data-resource",
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": name,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": sizes[name],
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": table_schema(table),
                "licenses": [LICENCE],
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": f"kanazawa-gyosei-keiei-plan-{plan.slug}",
        "title": f"{plan.title} 実施結果（{tidy.LOCAL_GOVERNMENT_NAME}）",
        "description": (
            f"{plan.author}「{plan.title}」（推進期間 {era_label(plan.start_year)}〜"
            f"{era_label(plan.end_year)}）の取組の年度別の実施計画・公表された実施結果と、"
            "数値目標の目標値・実績値。"
        ),
        "version": ".".join(f"{year}-{number}" for year, number in state.edition_numbers.items())
        or "0",
        "created": timezone.localtime(modified).isoformat(timespec="seconds"),
        "lastModified": timezone.localtime(modified).isoformat(timespec="seconds"),
        "keywords": ["行政経営プラン", "実施結果", tidy.LOCAL_GOVERNMENT_NAME],
        "licenses": [LICENCE],
        "sources": [_plan_source(plan)],
        "contributors": [{"title": plan.author, "role": "publisher"}],
        "spatial": {
            "全国地方公共団体コード": tidy.LOCAL_GOVERNMENT_CODE,
            "地方公共団体名": tidy.LOCAL_GOVERNMENT_NAME,
        },
        "resources": resources,
    }


def package_bytes(*, plan: Plan, state: PublicationState) -> bytes:
    sizes = {name: len(file_bytes(plan=plan, name=name, state=state)) for name in TABLE_FILES}
    document = package(plan=plan, state=state, sizes=sizes)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


@dataclass
class Listed:
    """A file as the open-data page lists it: link, size and update date."""

    file: OpenDataFile
    url: str
    size: int
    modified: object


def listed_files(*, plan: Plan, state: PublicationState, url: Callable[[str], str]) -> list:
    modified = state.data_modified
    return [
        Listed(
            file=f,
            url=url(f.name),
            size=len(file_bytes(plan=plan, name=f.name, state=state)),
            modified=modified,
        )
        for f in FILES.values()
    ]


def catalogue_record(*, plan: Plan, state: PublicationState, files: list[Listed]) -> dict:
    """The DCAT (JSON-LD) record of the data set, embedded on the open-data page."""
    site = settings.SITE_URL.rstrip("/")
    modified = state.data_modified or timezone.now()
    years = fiscal_years_of(plan)
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@type": "dcat:Dataset",
        "@id": f"{site}/plans/{plan.slug}/open-data/",
        "dct:identifier": f"{tidy.LOCAL_GOVERNMENT_CODE}:{plan.slug}",
        "dct:title": {"@value": f"{plan.title} 実施結果", "@language": "ja"},
        "dct:description": {
            "@value": f"{plan.author}「{plan.title}」の取組と公表された実施結果",
            "@language": "ja",
        },
        "dct:publisher": {
            "@type": "foaf:Organization",
            "foaf:name": tidy.LOCAL_GOVERNMENT_NAME,
            "dct:identifier": tidy.LOCAL_GOVERNMENT_CODE,
        },
        "dct:license": {"@id": LICENCE["path"]},
        "dct:language": "ja",
        "dct:modified": {
            "@value": timezone.localtime(modified).isoformat(timespec="seconds"),
            "@type": "xsd:dateTime",
        },
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": f"{years[0].year}-04-01" if years else None,
            "dcat:endDate": f"{years[-1].year + 1}-03-31" if years else None,
        },
        "dcat:keyword": ["行政経営プラン", "実施結果", tidy.LOCAL_GOVERNMENT_NAME],
        "dcat:landingPage": {"@id": f"{site}/plans/{plan.slug}/"},
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dct:title": listed.file.title,
                "dcat:accessURL": {"@id": f"{site}{listed.url}"},
                "dcat:downloadURL": {"@id": f"{site}{listed.url}"},
                "dcat:mediaType": listed.file.content_type.split(";")[0],
                "dcat:byteSize": {"@value": str(listed.size), "@type": "xsd:nonNegativeInteger"},
                "dct:license": {"@id": LICENCE["path"]},
            }
            for listed in files
        ],
    }


def catalogue_script(record: dict) -> str:
    """The record as the text of a <script type="application/ld+json"> (no `</script>`)."""
    text = json.dumps(record, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
