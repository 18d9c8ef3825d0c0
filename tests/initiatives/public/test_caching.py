from __future__ import annotations

import gzip

import brotli
import pytest
from django.db import connection, transaction
from django.utils import timezone

from initiatives.models import Edition, FiscalYear, Initiative, Plan
from initiatives.public import caching
from initiatives.public.caching import CACHE_CONTROL

pytestmark = pytest.mark.django_db


PAGES = [
    "/",
    "/initiatives/",
    "/initiatives/?status_2023=not_achieved",
    "/initiatives/{first}/",
    "/policies/1/",
    "/open-data/",
    "/open-data/initiatives.csv",
    "/open-data/initiatives.xlsx",
    "/open-data/initiatives.json",
    "/open-data/initiative_years.csv",
    "/open-data/indicator_years.json",
    "/open-data/datapackage.json",
    "/api/v1/plans/{slug}/",
    "/api/v1/plans/{slug}/initiatives/{first}",
]


def resolved(url: str) -> str:
    """The URL with the first initiative's code and the plan's slug filled in."""
    code = Initiative.objects.order_by("order").values_list("code", flat=True).first()
    return url.format(first=code, slug=Plan.objects.get().slug)


def new_edition(year: int = 2023) -> Edition:
    """A correction of the year: what a publication does to the public state."""
    fiscal_year = FiscalYear.objects.get(year=year)
    last = Edition.objects.filter(fiscal_year=fiscal_year).order_by("-number").first()
    return Edition.objects.create(
        fiscal_year=fiscal_year,
        number=(last.number if last else 0) + 1,
        kind=Edition.Kind.CORRECTION,
        published_at=timezone.now(),
        published_count=last.published_count if last else 0,
        total_count=last.total_count if last else 0,
    )


@pytest.mark.parametrize("url", PAGES)
def test_it_answers_a_revalidation_with_304_until_the_next_edition(client, url):
    url = resolved(url)
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert first["Cache-Control"] == CACHE_CONTROL
    assert "Accept-Encoding" in first["Vary"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    since = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    assert client.get(url, headers={"if-none-match": '"other"'}).status_code == 200
    new_edition()
    after = client.get(url, headers={"if-none-match": etag})
    assert after.status_code == 200
    assert after["ETag"] != etag


def test_a_warm_answer_is_the_same_bytes_without_rebuilding(client, django_assert_num_queries):
    for url in map(resolved, PAGES):
        for address in (url, canonical(url)):
            cold = client.get(address)
            # Warm: one query (the plans, their editions, report files and the committee's
            # stamp together); no Plan is loaded and nothing is rendered.
            with django_assert_num_queries(1):
                warm = client.get(address)
            assert warm.content == cold.content, address
            assert warm["Content-Type"] == cold["Content-Type"], address


def canonical(url: str) -> str:
    """The page under /plans/<slug>/ (the API has no unprefixed form)."""
    return url if url.startswith("/api/") else f"/plans/{Plan.objects.get().slug}{url}"


def test_the_sitemap_is_kept_like_a_page_until_the_next_edition(client, django_assert_num_queries):
    cold = client.get("/sitemap.xml", headers={"accept-encoding": "br"})
    with django_assert_num_queries(1):
        warm = client.get("/sitemap.xml", headers={"accept-encoding": "br"})
    assert warm["Content-Encoding"] == "br"
    assert warm.content == cold.content
    assert client.get("/sitemap.xml", headers={"if-none-match": warm["ETag"]}).status_code == 304
    new_edition()
    after = client.get("/sitemap.xml", headers={"if-none-match": warm["ETag"]})
    assert after.status_code == 200 and after["ETag"] != warm["ETag"]


def test_an_unknown_plan_is_a_404_even_when_another_plan_is_warm(client):
    assert client.get("/initiatives/").status_code == 200
    assert client.get("/plans/nope/initiatives/").status_code == 404
    assert client.get("/plans/nope/open-data/initiatives.csv").status_code == 404


def test_the_state_statement_survives_a_rollback_and_a_new_connection(client):
    """On PostgreSQL each connection prepares the state query once; a rolled-back
    transaction or a reconnection (a restarted database) must not break warm answers."""
    first = client.get("/initiatives/")
    forget_prepared_statements()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert client.get("/initiatives/").status_code == 200  # prepared in the transaction
        raise RuntimeError("rolled back")
    assert client.get("/initiatives/")["ETag"] == first["ETag"]
    forget_prepared_statements()  # as on a new connection
    assert client.get("/initiatives/")["ETag"] == first["ETag"]


def forget_prepared_statements() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        caching._PREPARED.clear()


def test_another_query_string_is_another_answer(client):
    all_rows = client.get("/initiatives/")
    some = client.get("/initiatives/?status_2023=not_achieved")
    assert all_rows["ETag"] != some["ETag"]
    assert all_rows.content != some.content


@pytest.mark.parametrize("url", ["/initiatives/", "/open-data/initiative_years.csv", "/"])
def test_it_compresses_text_with_brotli_else_gzip(client, url):
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    packed = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert packed["Content-Encoding"] == "br"
    assert brotli.decompress(packed.content) == plain.content
    zipped = client.get(url, headers={"accept-encoding": "gzip, deflate"})
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(packed.content) < len(zipped.content) < len(plain.content) / 3
    for refused in ("br;q=0, gzip", "gzip;q=1.0, br;q=0"):
        answer = client.get(url, headers={"accept-encoding": refused})
        assert answer["Content-Encoding"] == "gzip", refused
    for nothing in ("identity", "br;q=0, gzip;q=0", "*;q=0"):
        answer = client.get(url, headers={"accept-encoding": nothing})
        assert "Content-Encoding" not in answer, nothing
        assert answer.content == plain.content


def test_it_compresses_other_text_answers_too(client):
    response = client.get("/robots.txt", headers={"accept-encoding": "gzip"})
    # Too short to be worth it: GZipMiddleware leaves answers under 200 bytes alone.
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    committee = client.get("/committee/", headers={"accept-encoding": "gzip"})
    assert committee.status_code == 200
    assert committee["Content-Encoding"] == "gzip"


def test_it_never_compresses_the_admin(admin_client):
    response = admin_client.get("/admin/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_it_does_not_compress_excel_files(client):
    response = client.get("/open-data/initiatives.xlsx", headers={"accept-encoding": "gzip, br"})
    assert "Content-Encoding" not in response


@pytest.mark.parametrize(
    "url",
    [
        "/open-data/initiatives.csv",
        "/open-data/initiatives.json",
        "/open-data/initiatives.xlsx",
        "/open-data/initiative_years.csv",
        "/open-data/indicator_years.csv",
        "/open-data/datapackage.json",
    ],
)
def test_open_data_files_may_be_read_by_any_site(client, url):
    response = client.get(url, headers={"origin": "https://example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"
    revalidated = client.get(url, headers={"if-none-match": response["ETag"]})
    assert revalidated["Access-Control-Allow-Origin"] == "*"


def test_pages_are_not_opened_to_other_sites(client):
    assert "Access-Control-Allow-Origin" not in client.get("/initiatives/")
