from __future__ import annotations

import re
from html import unescape

import pytest

from initiatives.models import Initiative, Plan, Policy
from initiatives.public.views import LIST_PAGE_SIZE
from tests.initiatives.public_helpers import add_initiatives

pytestmark = pytest.mark.django_db


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "User-agent: *" in text
    assert "Disallow: /admin/" in text
    assert re.search(r"^Sitemap: https?://[^/]+/sitemap\.xml$", text, re.M)


def test_the_sitemap_lists_every_public_page_of_every_plan(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = set(re.findall(r"<loc>([^<]+)</loc>", response.content.decode()))
    paths = {re.sub(r"^https?://[^/]+", "", loc) for loc in locations}
    slug = Plan.objects.get().slug
    prefix = f"/plans/{slug}"
    assert {f"{prefix}/", f"{prefix}/initiatives/", f"{prefix}/open-data/"} <= paths
    for number in Policy.objects.values_list("number", flat=True):
        assert f"{prefix}/policies/{number}/" in paths
    for code in Initiative.objects.values_list("code", flat=True):
        assert f"{prefix}/initiatives/{code}/" in paths
    assert "<lastmod>" in response.content.decode()
    for path in list(paths)[:5]:  # and they answer
        assert client.get(path).status_code == 200, path


def meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert match, name
    return unescape(match[1])


def test_every_public_page_has_a_description_and_opengraph(client):
    initiative = Initiative.objects.order_by("order").first()
    pages = [
        "/",
        "/initiatives/",
        "/open-data/",
        "/policies/1/",
        f"/initiatives/{initiative.code}/",
    ]
    descriptions = set()
    for url in pages:
        html = client.get(url).content.decode()
        description = meta(html, "name", "description")
        assert 20 < len(description) <= 160, url
        assert meta(html, "property", "og:description") == description
        assert meta(html, "property", "og:title")
        assert meta(html, "property", "og:url").endswith(url)
        assert meta(html, "property", "og:locale") == "ja_JP"
        descriptions.add(description)
    assert len(descriptions) == len(pages)  # each page says what it is
    detail = client.get(f"/initiatives/{initiative.code}/").content.decode()
    assert initiative.name in meta(detail, "property", "og:title")


def test_a_list_longer_than_a_page_is_paged(client):
    add_initiatives(LIST_PAGE_SIZE - Initiative.objects.count() + 1)
    html = client.get("/initiatives/").content.decode()
    assert f"{LIST_PAGE_SIZE + 1}件のうち 1〜{LIST_PAGE_SIZE}件目" in html
    assert 'href="?page=2" rel="next"' in html
    second = client.get("/initiatives/?page=2").content.decode()
    assert f"{LIST_PAGE_SIZE + 1}件のうち {LIST_PAGE_SIZE + 1}〜{LIST_PAGE_SIZE + 1}件目" in second
    assert client.get("/initiatives/?page=3").status_code == 404
