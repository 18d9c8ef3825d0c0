"""HQ's records and the departments' answers through real admin requests: meetings with
their PDF material, opinions with what they concern and whom they are assigned to, the
entry and review screen, publication, and who may see what."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from governance.models import Meeting, MeetingMaterial, Opinion, Response
from governance.services import committee
from initiatives.models import FiscalYear, Initiative, Measure, Policy
from initiatives.plan.selectors import get_plan
from tests.governance.helpers import (
    PDF_BYTES,
    answer,
    approve,
    change_url,
    department,
    login,
    make_meeting,
    make_opinion,
    pdf,
    people,
    response_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def who():
    return people()


def management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def meeting_form(**fields) -> dict:
    data = {
        "committee": str(committee.default_committee().pk),
        "plan": str(get_plan().pk),
        "fiscal_year": str(FiscalYear.objects.get(year=2023).pk),
        "number": "1",
        "title": "",
        "date": "2024-07-10",
        "venue": "金沢市役所 第1会議室",
        "agenda": "令和5年度の実施結果について\n今後の進め方について",
        "summary": "委員から3件の意見があった。",
        **management("materials"),
        **management("opinions"),
    }
    data.update(fields)
    return data


def opinion_form(meeting: Meeting, **fields) -> dict:
    data = {
        "meeting": str(meeting.pk),
        "order": "",
        "member": "",
        "text": "",
        "scope": "plan",
        "policy": "",
        "measure": "",
        **management("outcomes"),
    }
    data.update(fields)
    return data


def test_hq_records_a_meeting_with_a_pdf(who):
    client = login(who["hq"])
    add = client.get(reverse("admin:governance_meeting_add"))
    assert add.status_code == 200
    assert "金沢市行政経営プラン推進委員会" in add.text
    response = client.post(
        reverse("admin:governance_meeting_add"),
        {
            **meeting_form(),
            **management("materials", total=1),
            "materials-0-title": "資料1 進捗状況",
            "materials-0-order": "",
            "materials-0-file": pdf("資料1 進捗状況.pdf"),
        },
    )
    assert response.status_code == 302, response.text
    meeting = Meeting.objects.get()
    material = meeting.materials.get()
    assert (material.title, material.filename, material.size, material.order) == (
        "資料1 進捗状況",
        "資料1 進捗状況.pdf",
        len(PDF_BYTES),
        1,
    )
    assert material.file.name.startswith(f"committee/{meeting.pk}/")
    assert meeting.published_at is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("資料.docx", PDF_BYTES, "添付できるのは PDF ファイル（.pdf）だけです"),
        ("資料.pdf", b"PK\x03\x04 this is a zip", "中身が PDF ではありません"),
        ("資料.pdf", PDF_BYTES + b"x" * 2048, "ファイルが大きすぎます"),
    ],
)
def test_material_that_is_not_a_pdf_or_too_large_is_refused(who, settings, name, content, message):
    settings.GOVERNANCE_MATERIAL_MAX_BYTES = 1024
    meeting = make_meeting(who["hq"])
    response = login(who["hq"]).post(
        reverse("admin:governance_meeting_change", args=[meeting.pk]),
        {
            **meeting_form(),
            **management("materials", total=1),
            "materials-0-title": "資料",
            "materials-0-order": "",
            "materials-0-file": pdf(name, content),
        },
    )
    assert response.status_code == 200
    assert message in response.text
    assert not MeetingMaterial.objects.exists()


def test_the_size_limit_is_a_setting_and_1_kb_fits_1_kb(who, settings):
    settings.GOVERNANCE_MATERIAL_MAX_BYTES = len(PDF_BYTES)
    meeting = make_meeting(who["hq"])
    material = committee.add_material(meeting=meeting, title="資料", file=pdf(), user=who["hq"])
    assert material.size == len(PDF_BYTES)


def test_hq_records_opinions_on_the_plan_a_measure_and_an_initiative(who):
    hq = who["hq"]
    meeting = make_meeting(hq)
    client = login(hq)
    measure = Measure.objects.get(policy__number=1, number=1)
    no1 = Initiative.objects.get(code="1")
    digital = department("デジタル行政戦略課")
    posts = [
        opinion_form(meeting, text="プラン全体の進め方への意見", scope="plan"),
        opinion_form(meeting, text="施策(1)への意見", scope="measure", measure=str(measure.pk)),
        opinion_form(
            meeting,
            text="No.1への意見",
            scope="initiatives",
            initiatives=[str(no1.pk)],
            departments=[str(digital.pk)],
        ),
    ]
    for data in posts:
        response = client.post(reverse("admin:governance_opinion_add"), data)
        assert response.status_code == 302, response.text
    opinions = list(Opinion.objects.filter(meeting=meeting).order_by("order"))
    assert [(o.order, o.scope) for o in opinions] == [
        (1, "plan"),
        (2, "measure"),
        (3, "initiatives"),
    ]
    assert opinions[1].measure == measure
    assert list(opinions[2].initiatives.all()) == [no1]
    assert response_of(opinions[2], "デジタル行政戦略課").state == "not_started"
    page = client.get(reverse("admin:governance_meeting_change", args=[meeting.pk]))
    assert "No.1への意見" in page.text and "デジタル行政戦略課" in page.text


def test_saving_and_adding_another_keeps_the_meeting(who):
    meeting = make_meeting(who["hq"])
    response = login(who["hq"]).post(
        reverse("admin:governance_opinion_add"),
        {**opinion_form(meeting, text="意見"), "_addanother": "1"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/governance/opinion/add/?meeting={meeting.pk}")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"scope": "policy"}, "policy", "対象の方針を選んでください。"),
        ({"scope": "measure"}, "measure", "対象の施策を選んでください。"),
        ({"scope": "initiatives"}, "initiatives", "対象の取組を1つ以上選んでください。"),
        ({"scope": "plan", "policy": "POLICY"}, "policy", "対象が「方針」のときだけ"),
    ],
)
def test_an_opinion_whose_targets_do_not_fit_its_scope_is_refused(who, fields, field, message):
    meeting = make_meeting(who["hq"])
    if fields.get("policy") == "POLICY":
        fields["policy"] = str(Policy.objects.get(number=1).pk)
    response = login(who["hq"]).post(
        reverse("admin:governance_opinion_add"), opinion_form(meeting, text="意見", **fields)
    )
    assert response.status_code == 200
    assert message in response.text
    assert not Opinion.objects.exists()


@pytest.fixture
def assigned(who):
    hq = who["hq"]
    meeting = make_meeting(hq)
    opinion = make_opinion(
        meeting,
        hq,
        text="No.1のアプリ開発を市民と進めてほしい",
        scope="initiatives",
        codes=("1",),
        departments=("デジタル行政戦略課",),
    )
    tax_opinion = make_opinion(
        meeting,
        hq,
        text="収納率の向上に期待する",
        scope="initiatives",
        codes=("82",),
        departments=("税務課",),
    )
    return opinion, tax_opinion


def test_a_department_lists_and_opens_only_its_own_assignments(who, assigned):
    _no1, tax_opinion = assigned
    digital = login(who["digital"])
    listing = digital.get(reverse("admin:governance_response_changelist"))
    assert listing.status_code == 200
    assert "No.1のアプリ開発" in listing.text
    assert "収納率の向上" not in listing.text
    tax_response = response_of(tax_opinion, "税務課")
    assert digital.get(change_url(tax_response)).status_code == 404
    post = digital.post(
        change_url(tax_response),
        {"_action": "save", "version": "2", "status": "done", "text": "デジタルが書いた"},
    )
    assert post.status_code == 404
    steps = reverse("admin:governance_response_steps", args=[tax_response.pk])
    assert digital.get(steps).status_code == 404
    tax_response.refresh_from_db()
    assert tax_response.text == ""


def test_a_department_cannot_see_hqs_records(who, assigned):
    digital = login(who["digital"])
    for name in ("meeting", "opinion", "committee"):
        assert digital.get(reverse(f"admin:governance_{name}_changelist")).status_code == 403
    meeting = assigned[0].meeting
    publish = reverse("admin:governance_meeting_publish", args=[meeting.pk])
    assert digital.post(publish).status_code == 403
    meeting.refresh_from_db()
    assert meeting.published_at is None
    home = digital.get(reverse("admin:index"))
    assert "推進委員会の意見への対応" in home.text
    assert "会議（記録と公開）" not in home.text


def test_the_department_answers_hq_returns_approves_and_publishes(
    who, assigned, django_capture_on_commit_callbacks
):
    opinion, _tax = assigned
    response = response_of(opinion, "デジタル行政戦略課")
    digital, hq = login(who["digital"]), login(who["hq"])
    page = digital.get(change_url(response))
    assert page.status_code == 200 and "No.1のアプリ開発を市民と進めてほしい" in page.text
    refused = digital.post(
        change_url(response),
        {"_action": "submit", "version": response.version, "status": "not_adopted", "text": "x"},
    )
    assert refused.status_code == 200
    assert "理由（今後の見通し）を入力してください" in refused.text
    with django_capture_on_commit_callbacks(execute=True):
        submitted = digital.post(
            change_url(response),
            {
                "_action": "submit",
                "version": response.version,
                "status": "in_progress",
                "text": "令和7年度に市民参加の開発会を開きます。",
                "reason": "",
            },
        )
    assert submitted.status_code == 302
    assert mail.outbox[-1].to == ["honbu@example.com"]
    response.refresh_from_db()
    no_comment = hq.post(change_url(response), {"_action": "return", "version": response.version})
    assert "差戻しの理由（コメント）を入力してください" in no_comment.text
    assert (
        digital.post(
            change_url(response), {"_action": "approve", "version": response.version}
        ).status_code
        == 403
    )
    approved = hq.post(change_url(response), {"_action": "approve", "version": response.version})
    assert approved.status_code == 302
    confirm = hq.get(reverse("admin:governance_meeting_publish", args=[opinion.meeting_id]))
    assert "承認済の市の対応 <strong>1件</strong>" in confirm.text
    assert "税務課（未回答）" in confirm.text
    published = hq.post(reverse("admin:governance_meeting_publish", args=[opinion.meeting_id]))
    assert published.status_code == 302
    response.refresh_from_db()
    assert response.published_text == "令和7年度に市民参加の開発会を開きます。"
    history = hq.get(reverse("admin:governance_response_steps", args=[response.pk]))
    assert "提出時と承認時の対応方針は同じです" in history.text
    assert "公開" in history.text


def test_a_stale_form_is_refused_with_409(who, assigned):
    response = response_of(assigned[0], "デジタル行政戦略課")
    digital = login(who["digital"])
    old = response.version
    first = {"_action": "save", "version": old, "status": "done", "text": "先", "reason": ""}
    assert digital.post(change_url(response), first).status_code == 302
    second = digital.post(change_url(response), {**first, "text": "後"})
    assert second.status_code == 409
    assert "上書きを防ぐため保存していません" in second.text


def test_hq_links_an_opinion_to_the_revision_it_led_to(who):
    hq = who["hq"]
    meeting = make_meeting(hq, date=datetime.date(2024, 5, 20))
    opinion = make_opinion(meeting, hq, text="デジタル人材の育成を加えるべき")
    r6_1 = Initiative.objects.get(code="R6-1")
    revision = r6_1.added_in
    response = login(hq).post(
        reverse("admin:governance_opinion_change", args=[opinion.pk]),
        {
            **opinion_form(meeting, order="1", text=opinion.text),
            **management("outcomes", total=1),
            "outcomes-0-revision": str(revision.pk),
            "outcomes-0-initiatives": [str(r6_1.pk)],
            "outcomes-0-note": "提言を受けて取組を追加",
        },
    )
    assert response.status_code == 302, response.text
    outcome = opinion.outcomes.get()
    assert outcome.revision == revision
    assert list(outcome.initiatives.all()) == [r6_1]


def test_hq_cannot_delete_a_published_meeting(who, assigned):
    meeting = assigned[0].meeting
    committee.publish_meeting(meeting=meeting, user=who["hq"])
    delete = reverse("admin:governance_meeting_delete", args=[meeting.pk])
    assert login(who["hq"]).post(delete, {"post": "yes"}).status_code == 403
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_the_response_list_runs_a_fixed_number_of_queries(
    who, assigned, django_assert_max_num_queries
):
    hq = who["hq"]
    for n in range(10):
        make_opinion(assigned[0].meeting, hq, text=f"追加の意見{n}", departments=("税務課",))
    client = login(hq)
    with django_assert_max_num_queries(20):
        listing = client.get(reverse("admin:governance_response_changelist"))
    assert listing.text.count("追加の意見") == 10
    assert Response.objects.count() == 12
    approve(answer(response_of(assigned[0], "デジタル行政戦略課"), who["digital"], text="x"), hq)


def test_hq_opens_a_stored_material_under_its_uploaded_name(who):
    meeting = make_meeting(who["hq"])
    material = committee.add_material(
        meeting=meeting, title="資料1", file=pdf("資料1 進捗.pdf"), user=who["hq"]
    )
    url = reverse("admin:governance_meeting_material", args=[meeting.pk, material.pk])
    page = login(who["hq"]).get(reverse("admin:governance_meeting_change", args=[meeting.pk]))
    assert f'<a href="{url}">資料1 進捗.pdf</a>' in page.text
    download = login(who["hq"]).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert login(who["digital"]).get(url).status_code == 403
