"""Scale across plans: the public list of one plan and HQ's overview run the same queries
whether the installation holds one plan or several (benchmarks/plans.py measures 5)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Plan
from initiatives.plan.loader import import_plan
from tests.conftest import next_plan_document
from tests.initiatives.publication_helpers import publish_years
from tests.initiatives.workflow_helpers import make_staff

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    # The log keeps at most 9,000 queries; a full one would count every request as 0.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    assert len(queries) > 0
    return len(queries)


def test_one_plans_list_and_the_overview_cost_the_same_with_a_second_plan(
    client, plan_document, django_assert_num_queries
):
    client.force_login(make_staff("honbu", hq=True))
    overview = reverse("admin:initiatives_result_overview")
    urls = [
        "/plans/2023-2026/initiatives/",
        "/initiatives/",
        "/plans/2023-2026/initiatives/?policy=1",
        f"{overview}?year=2023",
    ]
    for url in urls:
        client.get(url)  # the first request of a session fills per-process caches
    with_one = {url: _queries(client, url) for url in urls}

    import_plan(data=next_plan_document(plan_document))
    publish_years(Plan.objects.get(slug="2027-2030"), [2027, 2028, 2029, 2030])
    for url in urls:
        # A loaded plan is a structure change: the first answer of the new state is built.
        client.get(url)
        connection.queries_log.clear()
        with django_assert_num_queries(with_one[url]):
            assert client.get(url).status_code == 200
