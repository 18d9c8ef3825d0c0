from __future__ import annotations

import re

import pytest

from initiatives.models import Initiative, Plan
from initiatives.public.api import PAGE_SIZE, openapi_document
from tests.initiatives.public_helpers import MARKER, add_draft_data, add_initiatives

pytestmark = pytest.mark.django_db


def slug() -> str:
    return Plan.objects.get().slug


def test_the_openapi_description_parses_and_every_path_answers(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document == openapi_document()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "/api/v1"}]
    code = Initiative.objects.order_by("order").first().code
    values = {"slug": slug(), "code": code}
    for path, operations in document["paths"].items():
        assert set(operations) == {"get"}, path
        url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: values[m[1]], path)
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer["Content-Type"] == "application/json", url
        assert answer["Access-Control-Allow-Origin"] == "*", url
        answer.json()
    # Every $ref points at a component that exists.
    text = response.content.decode()
    for ref in re.findall(r'"\$ref": ?"#/components/(\w+)/(\w+)"', text):
        assert ref[1] in document["components"][ref[0]], ref


def test_the_plan_answer_lists_initiatives_with_published_statuses(client):
    data = client.get(f"/api/v1/plans/{slug()}/").json()
    assert data["apiVersion"] == "v1"
    assert data["localGovernment"] == {"code": "172014", "name": "金沢市"}
    assert data["plan"]["id"] == slug()
    assert data["pagination"]["count"] == Initiative.objects.count()
    first = data["initiatives"][0]
    assert first["id"] == f"{slug()}:{first['code']}"
    assert first["statuses"]["2023"] in {"achieved", "not_achieved", "undetermined"}
    assert "2025" not in first["statuses"]
    assert data["publication"][0]["fiscal_year"] == 2023


def test_the_initiative_answer_has_years_and_indicator_figures(client):
    initiative = Initiative.objects.filter(numeric_target=True).order_by("order").first()
    data = client.get(f"/api/v1/plans/{slug()}/initiatives/{initiative.code}").json()
    assert data["initiative"]["code"] == initiative.code
    assert data["years"][0]["年度"] == 2023
    assert data["years"][0]["全国地方公共団体コード"] == "172014"
    assert data["indicators"]
    assert all(row["取組ID"] == data["initiative"]["id"] for row in data["indicators"])


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/plans/no-such-plan/",
        "/api/v1/plans/{slug}/initiatives/no-such-code",
        "/api/v1/plans/{slug}/?page=99",
        "/api/v1/plans/{slug}/?page=abc",
    ],
)
def test_unknown_things_are_404(client, url):
    assert client.get(url.format(slug=slug())).status_code == 404


def test_the_api_is_read_only(client):
    assert client.post(f"/api/v1/plans/{slug()}/").status_code == 405
    assert client.delete("/api/v1/plans/").status_code == 405


def test_a_large_plan_is_paged(client):
    add_initiatives(PAGE_SIZE - Initiative.objects.count() + 1)
    first = client.get(f"/api/v1/plans/{slug()}/").json()
    assert len(first["initiatives"]) == PAGE_SIZE
    assert first["pagination"]["pages"] == 2
    second = client.get(first["pagination"]["next"]).json()
    assert len(second["initiatives"]) == 1
    assert second["pagination"]["previous"]


def test_the_api_never_answers_with_draft_data(client):
    touched = add_draft_data()
    urls = [f"/api/v1/plans/{slug()}/", "/api/v1/plans/"]
    urls += [f"/api/v1/plans/{slug()}/initiatives/{i.code}" for i in touched]
    for url in urls:
        body = client.get(url).content.decode()
        assert MARKER not in body, url
        assert "987654321" not in body, url
