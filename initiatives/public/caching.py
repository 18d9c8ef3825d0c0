"""Public pages and downloads served from the publication state, not rebuilt per request.

Everything public is a function of the plan's latest editions (architecture: "Editions"), so
the state key — the plan, the latest edition of each of its years, the template version — is
the cache key and the ETag. A request costs one query (the state) to find it; a revalidation
with a matching If-None-Match / If-Modified-Since gets 304 without rendering; a warm answer is
the stored bytes (also stored compressed, brotli and gzip). A new publication or correction
makes a new key, so nothing is ever invalidated by hand; old entries age out of the cache.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from initiatives.models import FiscalYear, Plan
from initiatives.publication.models import Edition
from ops.compression import ENCODERS, accepted_encoding, is_text
from ops.sql import column, table

# Bump when a public template or writer changes what the same data renders to.
TEMPLATE_VERSION = "public-2026-12-1"
CACHE_CONTROL = "public, max-age=300, must-revalidate"
# Headers a stored answer keeps (the rest are added again on the way out).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")
# Bodies smaller than this are not worth a stored compressed copy (GZipMiddleware's limit).
MIN_COMPRESSED = 200


@dataclass(frozen=True)
class PublicationState:
    """What the public may see of a plan right now, as a key."""

    plan_id: int
    plan_slug: str
    # When HQ closed the plan (its home page then shows the final summary), else None.
    closed_at: datetime.datetime | None
    # (fiscal year, latest edition's pk, its number, its time), one per published year.
    editions: tuple[tuple[int, int, int, datetime.datetime], ...]
    # Which of the plan's report files are ready (count and latest finish): pages linking
    # them change when the worker finishes one after a publication, without a new edition.
    report_files: str = ""
    # What the committee has published (its own schedule): pages showing opinions.
    committee: str = ""
    # The last edit of the structure outside a publication (plan.changes), else None.
    structure_changed_at: datetime.datetime | None = None

    @property
    def key(self) -> str:
        text = "|".join(
            [
                TEMPLATE_VERSION,
                str(self.plan_id),
                self.plan_slug,
                self.closed_at.isoformat() if self.closed_at else "",
                self.structure_changed_at.isoformat() if self.structure_changed_at else "",
                *(f"{y}:{pk}:{n}:{at.isoformat()}" for y, pk, n, at in self.editions),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def data_modified(self) -> datetime.datetime | None:
        """When the published data last changed (the latest edition): the open data's date."""
        return max((at for *_rest, at in self.editions), default=None)

    @property
    def last_modified(self) -> datetime.datetime | None:
        """When any public answer last changed: the data, the structure, or the closing."""
        times = [at for *_rest, at in self.editions]
        times += [at for at in (self.closed_at, self.structure_changed_at) if at is not None]
        return max(times, default=None)

    @property
    def edition_numbers(self) -> dict[int, int]:
        return {year: number for year, _pk, number, _at in self.editions}


def publication_state(*, plan: Plan) -> PublicationState:
    """The plan's state (one query)."""
    plan_id = plan.pk  # (a lazy plan that names no plan raises Http404 here, before reading)
    found = next((state for light, state in _read_states() if light.pk == plan_id), None)
    if found is None:  # created a moment ago: nothing of it is public yet
        return PublicationState(plan_id=plan_id, plan_slug=plan.slug, closed_at=None, editions=())
    return found


def state_for_slug(slug: str | None) -> PublicationState | None:
    """The state of the plan with this slug, or of the current plan (get_plan's rule);
    None when there is no such plan. One query and no Plan loaded: a warm public answer
    needs nothing else from the database."""
    from initiatives.plan.selectors import current_of

    states = _read_states()
    if slug is not None:
        return next((state for light, state in states if light.slug == slug), None)
    current = current_of([light for light, _state in states])
    return next((state for light, state in states if light is current), None)


def request_state(request: HttpRequest, plan: Plan) -> PublicationState:
    """The state, computed once per request (pages that embed several files ask again)."""
    cached = getattr(request, "_publication_state", None)
    if cached is None or cached.plan_id != plan.pk:
        cached = publication_state(plan=plan)
        request._publication_state = cached
    return cached


_PLAN_COLUMNS = (
    "id", "slug", "is_current", "start_year", "end_year", "closed_at", "structure_changed_at",
)  # fmt: skip


@functools.cache
def _state_sql(vendor: str) -> str:
    """Every plan with, per fiscal year of its period, the newest edition and the finished
    report files, and the committee's stamp: a few rows per plan, read with one statement
    prepared once (compiling ORM queries cost more than running them on every warm hit)."""
    from governance.public.selectors import publication_stamp_tables
    from reports.models import RenderedReport

    col = column
    done = RenderedReport.State.DONE.value
    plan_columns = ", ".join(col("p", Plan, name) for name in _PLAN_COLUMNS)
    year_id = col("y", FiscalYear, "id")
    committee = publication_stamp_tables()
    committee_columns = ", ".join(f"c{n}.n, c{n}.last" for n in range(len(committee)))
    committee_joins = " ".join(f"CROSS JOIN ({sql}) c{n}" for n, sql in enumerate(committee))
    # No outer GROUP BY: grouped derived tables joined to the plan's years keep PostgreSQL's
    # cost estimate small (a large one switches on JIT compilation, ~50 ms per query).
    return f"""
        SELECT {plan_columns}, {col("y", FiscalYear, "year")},
            ed.number, ed.last, ed.at, rf.n, rf.finished, {committee_columns}
        FROM {table(Plan)} p
        LEFT JOIN {table(FiscalYear)} y ON {col("y", FiscalYear, "year")}
            BETWEEN {col("p", Plan, "start_year")} AND {col("p", Plan, "end_year")}
        LEFT JOIN (
            SELECT {col("e", Edition, "fiscal_year")} AS year_id,
                MAX({col("e", Edition, "number")}) AS number,
                MAX({col("e", Edition, "id")}) AS last,
                MAX({col("e", Edition, "published_at")}) AS at
            FROM {table(Edition)} e GROUP BY {col("e", Edition, "fiscal_year")}
        ) ed ON ed.year_id = {year_id}
        LEFT JOIN (
            SELECT {col("r", RenderedReport, "fiscal_year")} AS year_id, COUNT(*) AS n,
                MAX({col("r", RenderedReport, "finished_at")}) AS finished
            FROM {table(RenderedReport)} r
            WHERE {col("r", RenderedReport, "state")} = '{done}'
                AND {col("r", RenderedReport, "edition")} IS NOT NULL
            GROUP BY {col("r", RenderedReport, "fiscal_year")}
        ) rf ON rf.year_id = {year_id}
        {committee_joins}
        ORDER BY {col("p", Plan, "start_year")} DESC, {col("y", FiscalYear, "year")}
    """


def _read_states() -> list[tuple[Plan, PublicationState]]:
    """Every plan (unsaved light instances of the `_PLAN_COLUMNS`) with its state, the
    latest period first. One query."""
    rows = _state_rows()
    by_plan: dict[int, tuple] = {}
    for pk, slug, is_current, start, end, closed, changed, year, number, last, at, *stamps in rows:
        if pk not in by_plan:
            light = Plan(
                pk=pk,
                slug=slug,
                is_current=bool(is_current),
                start_year=start,
                end_year=end,
                closed_at=_datetime(closed),
                structure_changed_at=_datetime(changed),
            )
            by_plan[pk] = (light, [], [0, None], stamps[2:])
        _light, editions, files, _committee = by_plan[pk]
        if number is not None:
            editions.append((year, last, number, _datetime(at)))
        files[0] += stamps[0] or 0
        finished = _datetime(stamps[1])
        if finished is not None and (files[1] is None or finished > files[1]):
            files[1] = finished
    return [
        (
            light,
            PublicationState(
                plan_id=light.pk,
                plan_slug=light.slug,
                closed_at=light.closed_at,
                structure_changed_at=light.structure_changed_at,
                editions=tuple(editions),
                report_files=f"{files[0]}:{files[1].isoformat() if files[1] else ''}",
                committee="|".join(str(value) for value in committee),
            ),
        )
        for light, editions, files, committee in by_plan.values()
    ]


# PostgreSQL connections (raw psycopg ones) holding the state statement, prepared.
_PREPARED: weakref.WeakSet = weakref.WeakSet()
_STATEMENT = "kanazawa_public_state"


def _state_rows() -> list[tuple]:
    """The state query's rows. On PostgreSQL planning it costs ~5× running it, on every warm
    hit, so each connection prepares it once (a session-level statement: it survives a
    rolled-back transaction and is replanned by PostgreSQL when a table changes); SQLite
    keeps its own cache of compiled statements."""
    sql = _state_sql(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql)
            return cursor.fetchall()
        raw = connection.connection
        if raw not in _PREPARED:
            # Set-up of the connection, not a read: not counted among the request's queries.
            raw.execute(f"PREPARE {_STATEMENT} AS {sql}")
            _PREPARED.add(raw)
        cursor.execute(f"EXECUTE {_STATEMENT}")
        return cursor.fetchall()


def _datetime(value: datetime.datetime | str | None) -> datetime.datetime | None:
    """A timestamp read by raw SQL: PostgreSQL gives it aware; SQLite gives UTC, naive (a
    column) or as text (an aggregate)."""
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else value
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)


def _cache():
    return caches[settings.PUBLIC_CACHE_ALIAS]


def _etag(state_key: str, request: HttpRequest, extra: str = "") -> str:
    text = f"{state_key}|{extra}|{request.get_full_path()}"
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def served_site_wide(request: HttpRequest, build: Callable[[], HttpResponse]) -> HttpResponse:
    """An answer about every plan (the sitemap), kept like a plan's pages: its key is the
    state of every plan and the host the URLs are written for."""
    states = [state for _light, state in _read_states()]
    key = "|".join([request.get_host(), *(state.key for state in states)])
    last_modified = max(
        (state.last_modified for state in states if state.last_modified), default=None
    )
    return _answer(
        request,
        etag=_etag(key, request),
        last_modified=last_modified,
        cors=False,
        build=lambda: (build(), True),
    )


def _finish(
    response: HttpResponse, *, etag: str, last_modified: datetime.datetime | None, cors: bool
) -> None:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ["Accept-Encoding"])
    if cors:
        response["Access-Control-Allow-Origin"] = "*"


def _answer(
    request: HttpRequest,
    *,
    etag: str,
    last_modified: datetime.datetime | None,
    cors: bool,
    build: Callable[[], tuple[HttpResponse, bool]],
) -> HttpResponse:
    """304 on a matching conditional request; else the answer stored under the ETag, in
    the encoding the client accepts; else `build()`'s (answer, storable), stored when it is
    a whole 200 answer that may be kept."""
    since = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=since)
    if not_modified is not None:
        _finish(not_modified, etag=etag, last_modified=last_modified, cors=cors)
        return not_modified
    key = f"public:{etag.strip(chr(34))}"
    encoding = accepted_encoding(request.headers.get("Accept-Encoding", ""))
    found = _cache().get_many([f"{key}:headers", f"{key}:{encoding or 'body'}"])
    if f"{key}:headers" in found and len(found) < 2:
        encoding = None  # a binary file (or a short one): kept only as it is
        found.update(_cache().get_many([f"{key}:body"]))
    if len(found) < 2:
        answer, storable = build()
        if not storable or answer.status_code != 200 or answer.streaming:
            return answer
        found = _store(key, answer)
        if f"{key}:{encoding}" not in found:
            encoding = None
    response = _replay(
        found[f"{key}:headers"], found[f"{key}:{encoding or 'body'}"], encoding=encoding
    )
    _finish(response, etag=etag, last_modified=last_modified, cors=cors)
    return response


def _replay(headers: dict, body: bytes, *, encoding: str | None) -> HttpResponse:
    """The stored answer (GZipMiddleware leaves an already encoded one alone)."""
    response = HttpResponse(body)
    for name, value in headers.items():
        response[name] = value
    if encoding is not None:
        response["Content-Encoding"] = encoding
    return response


def _store(key: str, response: HttpResponse) -> dict[str, object]:
    """Keep the answer's headers, body and (text) compressed bodies under keys of their own:
    a shared file cache then reads only the variant a request needs."""
    body = response.content
    entries: dict[str, object] = {
        f"{key}:headers": {h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
        f"{key}:body": body,
    }
    if len(body) >= MIN_COMPRESSED and is_text(response.get("Content-Type", "")):
        for encoding, encode in ENCODERS.items():
            entries[f"{key}:{encoding}"] = encode(body)
    _cache().set_many(entries)
    return entries


def served_from_edition(
    *, cors: bool = False, report_files: bool = False, committee: bool = False
) -> Callable:
    """Decorate a public view taking `plan`: 304 on a matching conditional request, the
    stored answer when warm, else the view's answer stored under the publication state.

    `report_files`: the page links the report files, so their readiness is in the key too.
    `committee`: the page shows the committee's published opinions and responses, which
    the committee publishes on its own schedule, so their state is in the key too.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, plan: Plan, **kwargs) -> HttpResponse:
            state = state_for_slug(getattr(request, "plan_slug", None))
            if state is None:
                # No such plan (Http404 from the lazy plan), or one made a moment ago.
                state = publication_state(plan=plan)
            request._publication_state = state
            extra = state.report_files if report_files else ""
            if committee:
                extra += f"|{state.committee}"
            etag = _etag(state.key, request, extra)

            def build() -> tuple[HttpResponse, bool]:
                answer = view(request, *args, plan=plan, **kwargs)
                # Not kept if HQ made another plan current between the two reads.
                return answer, plan.pk == state.plan_id

            return _answer(
                request, etag=etag, last_modified=state.last_modified, cors=cors, build=build
            )

        wrapper.reads_plan_lazily = True
        return wrapper

    return decorator
