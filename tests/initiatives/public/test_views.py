from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.models import Initiative, Plan, PublicCorrection, Result
from tests.initiatives.public_helpers import MARKER, add_draft_data, add_initiatives
from tests.reports.conftest import make_edition_files

pytestmark = pytest.mark.django_db


def rows_of(html: str) -> list[str]:
    """The initiative codes of the non-relisted rows of the achievement table."""
    return re.findall(r'<td class="col-no">([^<-][^<]*)</td>', html)


def test_it_shows_the_plan_at_a_glance_with_a_chart_and_a_table(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert "<title>概要 | " in html
    assert '<a class="skip-link" href="#main">本文へ移動</a>' in html
    # The collected file's hashed name, as production serves it.
    assert f'href="{static("css/print.css")}" media="print"' in html
    assert "基本理念" in html and "推進期間" in html and "取組姿勢" in html
    for number in (1, 2, 3):
        assert f'href="/policies/{number}/"' in html
    assert "令和5年度（2023年度）の達成状況" in html
    assert '<svg class="bar__svg"' in html and 'role="img"' in html
    assert "<caption>令和5年度の方針別の達成状況（件数と割合）</caption>" in html
    assert "令和6年度の達成状況" not in html


@pytest.mark.parametrize("url", ["/", "/open-data/"])
def test_it_links_the_reports_of_published_years_only(client, url, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    html = client.get(url).content.decode()
    # The files of 令和5年度's edition are made; until then the row says so, without a link.
    assert "全体版：作成中（しばらくしてから再度ご覧ください）" in html
    assert 'href="/reports/2023.pdf"' not in html
    make_edition_files("summary", "xlsx")
    html = client.get(url).content.decode()
    assert "全体版：作成中（しばらくしてから再度ご覧ください）" in html
    assert '<a href="/reports/2023-summary.pdf" download>' in html
    assert '<a href="/reports/2023.xlsx" download>' in html
    assert "公表日 2025年3月" in html and "（第1版）" in html
    assert "令和5年度（2023年度）" in html
    # 令和6年度 has no published result yet: no report link for it.
    assert "/reports/2024" not in html


def test_it_shows_the_whole_achievement_table(client):
    response = client.get("/initiatives/")
    html = response.content.decode()
    total = Initiative.objects.count()
    assert response.status_code == 200
    assert f"<strong>{total}件</strong>" in html
    assert len(rows_of(html)) == total
    assert "【再掲】" in html
    assert "【数値目標】" in html and "【R6新規】" in html
    for number in (5, 6, 7, 8):
        assert f'<abbr title="令和{number}年度">R{number}</abbr>' in html
    assert "この年度はプランにありません" in html


def test_it_filters_to_the_not_achieved_of_reiwa_5(client):
    response = client.get("/initiatives/", {"status_2023": "not_achieved"})
    html = response.content.decode()
    expected = Result.objects.filter(
        fiscal_year__year=2023, published_at__isnull=False, published_status="not_achieved"
    ).count()
    assert expected == 8
    assert f"<strong>{expected}件</strong>" in html
    assert len(rows_of(html)) == expected
    assert "status_2023=not_achieved" in html
    assert 'href="/open-data/initiatives.csv?status_2023=not_achieved"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"policy": "2"},
        {"numeric_target": "on"},
        {"added_in": "R6"},
        {"resource": "情報"},
    ],
)
def test_it_filters_by_each_attribute(client, params):
    html = client.get("/initiatives/", params).content.decode()
    codes = rows_of(html)
    assert 0 < len(codes) < Initiative.objects.count()
    initiatives = Initiative.objects.filter(code__in=codes)
    if "policy" in params:
        assert all(i.direction.measure.policy.number == 2 for i in initiatives)
    if "numeric_target" in params:
        assert all(i.numeric_target for i in initiatives)
    if "added_in" in params:
        assert all(i.added_in and i.added_in.code == "R6" for i in initiatives)
    if "resource" in params:
        assert all(i.secures_information for i in initiatives)


def test_it_filters_by_measure_and_department(client):
    initiative = Initiative.objects.order_by("order").first()
    department = initiative.owners.first().department
    measure = initiative.direction.measure
    html = client.get(
        "/initiatives/", {"measure": measure.pk, "department": department.pk}
    ).content.decode()
    codes = rows_of(html)
    assert initiative.code in codes
    for other in Initiative.objects.filter(code__in=codes):
        assert other.direction.measure_id == measure.pk
        assert department.pk in {o.department_id for o in other.owners.all()}


def test_it_searches_names_summaries_and_published_result_text(client):
    initiative = Initiative.objects.order_by("order").first()
    assert initiative.code in rows_of(
        client.get("/initiatives/", {"keyword": initiative.name}).content.decode()
    )
    initiative.summary = "概要だけにある検索語YYQ"
    initiative.save()
    html = client.get("/initiatives/", {"keyword": "概要だけにある検索語YYQ"}).content.decode()
    assert rows_of(html) == [initiative.code]
    result = Result.objects.filter(published_at__isnull=False).exclude(published_text="").first()
    result.published_text = "公開済み検索語ZZQ"
    result.save()
    html = client.get("/initiatives/", {"keyword": "公開済み検索語ZZQ"}).content.decode()
    assert rows_of(html) == [result.initiative.code]


def test_it_ignores_an_invalid_filter_value(client):
    response = client.get("/initiatives/", {"policy": "99", "status_2023": "nonsense"})
    assert response.status_code == 200
    assert len(rows_of(response.content.decode())) == Initiative.objects.count()


def test_it_says_when_nothing_matches(client):
    html = client.get("/initiatives/", {"keyword": "該当しない語句ZZZ"}).content.decode()
    assert "<strong>0件</strong>" in html
    assert "条件に合う取組はありません" in html


def test_it_shows_a_detail_sheet(client):
    initiative = Initiative.objects.filter(numeric_target=True).order_by("order").first()
    response = client.get(f"/initiatives/{initiative.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"No.{initiative.code}" in html
    for heading in ("概要", "めざす姿", "関連計画", "確保する行政資源", "令和5年度", "令和8年度"):
        assert heading in html
    assert "数値目標の目標値と実績値" in html
    assert 'class="indicator-chart"' in html
    assert 'rel="next"' in html
    assert "<title>No." in html


def test_it_shows_a_revision_initiative_with_previous_and_next(client):
    initiative = Initiative.objects.filter(added_in__code="R6").order_by("order").first()
    html = client.get(reverse("public:initiative_detail", args=[initiative.code])).content.decode()
    assert "【R6新規】" in html
    assert "この年度はプランにありません。" in html
    assert 'rel="prev"' in html


def test_it_links_a_relisted_initiative_to_where_it_is_relisted(client):
    initiative = Initiative.objects.filter(relistings__isnull=False).first()
    html = client.get(f"/initiatives/{initiative.code}/").content.decode()
    assert "再掲されている箇所" in html


def test_it_lists_corrections_after_publication(client):
    result = Result.objects.filter(published_at__isnull=False).select_related("initiative").first()
    PublicCorrection.objects.create(
        result=result,
        corrected_at=result.published_at,
        field="実施結果",
        before="訂正前の文ABC",
        after="訂正後の文DEF",
    )
    html = client.get(f"/initiatives/{result.initiative.code}/").content.decode()
    assert "公開後の訂正" in html
    assert "訂正前の文ABC" in html and "訂正後の文DEF" in html


def test_it_answers_404_for_an_unknown_initiative_or_policy(client):
    assert client.get("/initiatives/NOPE-1/").status_code == 404
    assert client.get("/policies/9/").status_code == 404


def test_it_shows_a_policy_page(client):
    response = client.get("/policies/1/")
    html = response.content.decode()
    assert response.status_code == 200
    codes = rows_of(html)
    assert codes
    assert all(
        i.direction.measure.policy.number == 1 for i in Initiative.objects.filter(code__in=codes)
    )
    assert "方針1の取組事項一覧（計画達成状況）" in html
    assert "令和5年度（2023年度）の達成状況" in html


def public_urls() -> list[str]:
    urls = ["/", "/initiatives/", "/open-data/"]
    urls += [f"/policies/{n}/" for n in (1, 2, 3)]
    urls += [f"/initiatives/{code}/" for code in Initiative.objects.values_list("code", flat=True)]
    # The searches use part of the marker, so a match would show rows, not an echo of the query.
    for query in ("", "?keyword=下書きマーカー", "?status_2024=achieved", "?keyword=修正中"):
        urls += [f"/initiatives/{query}"]
        urls += [f"/open-data/initiatives.{kind}{query}" for kind in ("csv", "json")]
        urls += [
            f"/open-data/{table}.{kind}{query}"
            for table in ("initiative_years", "indicator_years")
            for kind in ("csv", "json")
        ]
    # The data package, the API (every initiative), the sitemap.
    slug = Plan.objects.get().slug
    urls += ["/open-data/datapackage.json", "/sitemap.xml", "/api/v1/plans/"]
    urls += [f"/api/v1/plans/{slug}/", f"/api/v1/plans/{slug}/?page=1"]
    urls += [
        f"/api/v1/plans/{slug}/initiatives/{code}"
        for code in Initiative.objects.values_list("code", flat=True)
    ]
    return urls


def test_it_never_shows_draft_data_anywhere(client):
    add_draft_data()
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        assert MARKER not in body, url
        assert "987654321" not in body, url
    for params in ({"status_2024": "achieved"}, {"keyword": "下書きマーカー"}):
        html = client.get("/initiatives/", params).content.decode()
        assert "<strong>0件</strong>" in html
    assert "令和6年度の達成状況" not in client.get("/").content.decode()


def test_it_never_puts_draft_data_in_the_excel_file(client):
    add_draft_data()
    response = client.get("/open-data/initiatives.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert MARKER not in str(value or "")
                assert "987654321" not in str(value or "")


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        # Every page adds 3 for the publication status (years, latest editions, counts);
        # the home and open-data pages 2 more for the download table's files; the downloads
        # 1 for the links to other plans' initiatives (継続・統合・分割). The publication
        # cache adds 1 (the editions; 2 with the report files) to a cold answer; the
        # open-data page makes each of its files once (their sizes; see the warm answers in
        # test_caching.py: at most 3 queries).
        ("/", 20),
        ("/initiatives/", 20),
        ("/initiatives/?keyword=市&status_2023=achieved&numeric_target=on", 20),
        ("/policies/1/", 25),
        ("/open-data/", 160),
        ("/open-data/initiatives.csv", 26),
        # The JSON is the interchange document: 2 more for its organisation (departments)
        # and 1 for its links to other plans' initiatives.
        ("/open-data/initiatives.json", 29),
        ("/open-data/initiatives.xlsx", 26),
    ],
)
def test_it_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, url, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_it_runs_a_fixed_number_of_queries_for_every_detail_sheet(
    client, django_assert_max_num_queries
):
    # 16 for the sheet, 2 for the committee's opinions and revision links (governance),
    # 3 for the publication status every public page shows, 1 for the links to other
    # plans' initiatives (継続・統合・分割), 2 for the publication cache (the editions, the
    # committee's publication stamp).
    for code in Initiative.objects.values_list("code", flat=True):
        with django_assert_max_num_queries(24):
            assert client.get(f"/initiatives/{code}/").status_code == 200


GROWTH_URLS = (
    "/",
    "/initiatives/",
    "/initiatives/?keyword=市&status_2023=achieved",
    "/policies/1/",
    "/policies/2/",
    "/initiatives/X-1/",
    "/open-data/initiatives.csv",
    "/open-data/initiatives.json",
    "/open-data/initiatives.xlsx",
)


def count_queries(client, url: str) -> int:
    """Queries of building the answer (a cold publication cache: the helper adds
    initiatives without a publication, so the state key would not change)."""
    caches[settings.PUBLIC_CACHE_ALIAS].clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200, url
    return len(context)


def test_it_runs_as_many_queries_for_thirty_more_initiatives(client):
    add_initiatives(1)
    before = {url: count_queries(client, url) for url in GROWTH_URLS}
    total = Initiative.objects.count()
    add_initiatives(30)
    assert Initiative.objects.count() == total + 30
    after = {url: count_queries(client, url) for url in GROWTH_URLS}
    assert after == before
