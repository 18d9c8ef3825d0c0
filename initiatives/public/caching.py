"""Public pages and downloads served from the publication state, not rebuilt per request.

Everything public is a function of the plan's latest editions (architecture: "Editions"), so
the state key — the plan, the latest edition of each of its years, the template version — is
the cache key and the ETag. A request costs one query (the editions) to find it; a revalidation
with a matching If-None-Match / If-Modified-Since gets 304 without rendering; a warm answer is
the stored bytes (also stored gzipped). A new publication or correction makes a new key, so
nothing is ever invalidated by hand; old entries age out of the cache.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from initiatives.models import Plan
from initiatives.publication.models import Edition
from ops.compression import is_text

# Bump when a public template or writer changes what the same data renders to.
TEMPLATE_VERSION = "public-2026-12-1"
CACHE_CONTROL = "public, max-age=300, must-revalidate"
# Headers a stored answer keeps (the rest are added again on the way out).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")
_GZIP = re.compile(r"\bgzip\b")
# Bodies smaller than this are not worth a stored gzipped copy (GZipMiddleware's own limit).
MIN_GZIP = 200


@dataclass(frozen=True)
class PublicationState:
    """What the public may see of a plan right now, as a key."""

    plan_id: int
    plan_slug: str
    # When HQ closed the plan (its home page then shows the final summary), else None.
    closed_at: datetime.datetime | None
    # (fiscal year, latest edition's pk, its number, its time), one per published year.
    editions: tuple[tuple[int, int, int, datetime.datetime], ...]

    @property
    def key(self) -> str:
        text = "|".join(
            [
                TEMPLATE_VERSION,
                str(self.plan_id),
                self.plan_slug,
                self.closed_at.isoformat() if self.closed_at else "",
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
        """When any public answer last changed: the data, or the plan's closing."""
        times = [at for *_rest, at in self.editions]
        if self.closed_at is not None:
            times.append(self.closed_at)
        return max(times, default=None)

    @property
    def edition_numbers(self) -> dict[int, int]:
        return {year: number for year, _pk, number, _at in self.editions}


def publication_state(*, plan: Plan) -> PublicationState:
    """The plan's state in one query: per year of the plan, its newest edition."""
    rows = (
        Edition.objects.filter(fiscal_year__year__range=(plan.start_year, plan.end_year))
        .values("fiscal_year__year")
        .annotate(number=Max("number"), last=Max("id"), at=Max("published_at"))
        .order_by("fiscal_year__year")
    )
    return PublicationState(
        plan_id=plan.pk,
        plan_slug=plan.slug,
        closed_at=plan.closed_at,
        editions=tuple((r["fiscal_year__year"], r["last"], r["number"], r["at"]) for r in rows),
    )


def request_state(request: HttpRequest, plan: Plan) -> PublicationState:
    """The state, computed once per request (pages that embed several files ask again)."""
    cached = getattr(request, "_publication_state", None)
    if cached is None or cached.plan_id != plan.pk:
        cached = publication_state(plan=plan)
        request._publication_state = cached
    return cached


def _cache():
    return caches[settings.PUBLIC_CACHE_ALIAS]


def report_files_stamp(*, plan: Plan) -> str:
    """Which of the plan's report files are ready: pages linking them change when the worker
    finishes one after a publication, without a new edition."""
    from reports.models import RenderedReport

    stamp = RenderedReport.objects.filter(
        fiscal_year__year__range=(plan.start_year, plan.end_year),
        state=RenderedReport.State.DONE,
        edition__isnull=False,
    ).aggregate(n=Count("pk"), last=Max("finished_at"))
    return f"{stamp['n']}:{stamp['last'].isoformat() if stamp['last'] else ''}"


def _etag(state: PublicationState, request: HttpRequest, extra: str = "") -> str:
    text = f"{state.key}|{extra}|{request.get_full_path()}"
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def _finish(response: HttpResponse, *, etag: str, state: PublicationState, cors: bool) -> None:
    response["ETag"] = etag
    if state.last_modified is not None:
        response["Last-Modified"] = http_date(state.last_modified.timestamp())
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ["Accept-Encoding"])
    if cors:
        response["Access-Control-Allow-Origin"] = "*"


def _accepts_gzip(request: HttpRequest) -> bool:
    return bool(_GZIP.search(request.headers.get("Accept-Encoding", "")))


def _replay(headers: dict, body: bytes, *, gzipped: bool) -> HttpResponse:
    """The stored answer (GZipMiddleware leaves an already gzipped one alone)."""
    response = HttpResponse(body)
    for name, value in headers.items():
        response[name] = value
    if gzipped:
        response["Content-Encoding"] = "gzip"
    return response


def _store(key: str, response: HttpResponse) -> dict[str, object]:
    """Keep the answer's headers, body and (text) gzipped body under keys of their own: a
    shared file cache then reads only the variant a request needs."""
    body = response.content
    entries: dict[str, object] = {
        f"{key}:headers": {h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
        f"{key}:body": body,
    }
    if len(body) >= MIN_GZIP and is_text(response.get("Content-Type", "")):
        entries[f"{key}:gzip"] = gzip.compress(body, compresslevel=6, mtime=0)
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
            state = request_state(request, plan)
            extra = report_files_stamp(plan=plan) if report_files else ""
            if committee:
                from governance.public.selectors import publication_stamp

                extra += f"|{publication_stamp()}"
            etag = _etag(state, request, extra)
            not_modified = get_conditional_response(
                request, etag=etag, last_modified=_timestamp(state)
            )
            if not_modified is not None:
                _finish(not_modified, etag=etag, state=state, cors=cors)
                return not_modified
            key = f"public:{etag.strip(chr(34))}"
            variant = f"{key}:gzip" if _accepts_gzip(request) else f"{key}:body"
            found = _cache().get_many([f"{key}:headers", variant])
            if len(found) < 2 and variant.endswith(":gzip") and f"{key}:headers" in found:
                variant = f"{key}:body"  # a binary file: no gzipped copy
                found.update(_cache().get_many([variant]))
            if len(found) < 2:
                answer = view(request, *args, plan=plan, **kwargs)
                if answer.status_code != 200 or answer.streaming:
                    return answer
                found = _store(key, answer)
                if variant not in found:
                    variant = f"{key}:body"
            response = _replay(
                found[f"{key}:headers"], found[variant], gzipped=variant.endswith(":gzip")
            )
            _finish(response, etag=etag, state=state, cors=cors)
            return response

        return wrapper

    return decorator


def _timestamp(state: PublicationState) -> int | None:
    return int(state.last_modified.timestamp()) if state.last_modified else None
