"""Screens made for their users: the admin home of HQ and of a department, the entry
screen's guidance, errors and accessibility hooks, and the link to the next result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from initiatives.models import Result
from initiatives.results import limits
from tests.initiatives.workflow_helpers import (
    actual_field,
    change_url,
    entry_data,
    make_user,
    open_year,
    result_of,
)

pytestmark = pytest.mark.django_db

STRUCTURE = ["本文セクション", "担当課の割当", "方針", "施策", "指標", "実績値"]


@pytest.fixture
def hq():
    user = make_user("honbu", hq=True)
    open_year(2024, hq=user, days=10)
    return user


@pytest.fixture
def digital(hq):
    return make_user("sato", "デジタル行政戦略課")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hq_home_shows_the_years_work_and_folds_the_plans_structure(hq) -> None:
    html = login(hq).get(reverse("admin:index")).text
    work, _sep, folded = html.partition('<details class="plan-structure"')
    assert folded, "the structural tables are in a folded section"
    assert "プランの構成" in folded
    for name in STRUCTURE:
        assert f">{name}</a>" in folded, name
        assert f">{name}</a>" not in work, name
    # The year's work: the queue (or the list of 提出済), overview, publication, drafts,
    # reports and entry periods.
    changelist = reverse("admin:initiatives_result_changelist")
    assert re.search(r"(review[^\"]*\?year=2024|state__exact=submitted)", work)
    assert f"{reverse('admin:initiatives_result_overview')}?year=2024" in work
    assert reverse("admin:initiatives_result_publish", args=[2024]) in work
    assert "state__exact=draft" in work and changelist in work
    assert reverse("admin:initiatives_evaluationperiod_changelist") in work
    assert "報告書" in work
    assert "利用不可" not in html and "最近行った操作" not in html


def test_department_home_lists_only_its_initiatives_and_the_deadline(digital) -> None:
    html = login(digital).get(reverse("admin:index")).text
    mine = Result.objects.filter(
        fiscal_year__year=2024, initiative__owners__department__name="デジタル行政戦略課"
    )
    assert "提出期限" in html and "締切まであと10日" in html
    assert f"まだ提出していない取組 <strong>{mine.count()}件</strong>" in html
    for result in mine:
        assert change_url(result) in html
    other = Result.objects.filter(fiscal_year__year=2024).exclude(pk__in=mine).first()
    assert change_url(other) not in html
    assert "プランの構成" not in html and "利用不可" not in html
    assert "Excelに書き出す" in html


def test_the_entry_screen_links_every_description_to_an_element_that_exists(digital) -> None:
    html = login(digital).get(change_url(result_of("1", 2024))).text
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described
    for value in described:
        for target in value.split():
            assert target in ids, target
    fieldset = re.search(r"<fieldset[^>]*wf-choices[^>]*>\s*<legend>達成状況</legend>", html)
    assert fieldset, "達成状況 is a fieldset with a legend"
    assert "版 " not in html, "no internal version counter"
    assert '<ol class="breadcrumbs">' in html
    # The count, with the city's guidance, rendered without the script as well.
    guide = limits.guidance("text")
    assert f"目安 {guide.guide}字程度・上限 {guide.limit}字" in html
    assert f'data-limit="{guide.limit}"' in html
    assert re.search(r'<script src="/static/js/entry\.[0-9a-f]+\.js" defer>', html)


def test_a_too_long_result_is_refused_with_the_errors_listed_first(digital) -> None:
    no1 = result_of("1", 2024)
    before = (no1.version, no1.text)
    response = login(digital).post(
        change_url(no1), entry_data(no1, _action="save", text="あ" * 10_000)
    )
    assert response.status_code == 200
    html = response.text
    assert re.search(r"<title>エラー: ", html)
    summary = html.index('id="error-summary"')
    assert summary < html.index('id="entry-form"')
    assert '<a href="#id_text">実施結果：実施結果は400字以内で入力してください' in html
    assert "いま10,000字" in html and "over-limit" in html
    no1.refresh_from_db()
    assert (no1.version, no1.text) == before, "nothing saved"


def test_a_long_result_gets_a_warning_but_is_saved(digital) -> None:
    no1 = result_of("1", 2024)
    client = login(digital)
    assert (
        client.post(change_url(no1), entry_data(no1, _action="save", text="あ" * 250)).status_code
        == 302
    )
    html = client.get(change_url(no1)).text
    assert "200字を超えています" in html and "over-soft" in html


def test_submitting_links_to_the_next_result_to_enter(digital) -> None:
    no1 = result_of("1", 2024)
    client = login(digital)
    data = entry_data(no1, _action="submit", status="achieved", text="実施しました。")
    data[actual_field(no1)] = "130"
    response = client.post(change_url(no1), data, follow=True)
    assert response.status_code == 200
    no1.refresh_from_db()
    assert no1.state == Result.State.SUBMITTED
    following = (
        Result.objects.filter(
            fiscal_year__year=2024,
            initiative__owners__department__name="デジタル行政戦略課",
            initiative__order__gt=no1.initiative.order,
        )
        .order_by("initiative__order")
        .first()
    )
    assert f'<a href="{change_url(following)}" id="next-result">' in response.text


def test_labels_are_not_upper_cased_and_the_script_is_served_from_the_site() -> None:
    css = (Path(settings.BASE_DIR) / "static" / "css" / "admin.css").read_text()
    assert ".object-tools a" in css and "text-transform: none" in css
    script = (Path(settings.BASE_DIR) / "static" / "js" / "entry.js").read_text()
    assert "http" not in script, "no remote code"
