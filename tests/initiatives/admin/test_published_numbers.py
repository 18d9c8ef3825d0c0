"""Entered and published results change only through the workflow (入力 → 提出 → 承認 → 公開,
and 修正のため再開 for a correction): no other admin screen writes them, not even for a
superuser, since a direct edit would skip the version check, the history of steps and the
public list of corrections."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from initiatives.models import Actual, Initiative, PublicCorrection, Result, WorkflowEvent
from tests.initiatives.workflow_helpers import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return make_staff("alice", is_superuser=True)


@pytest.fixture
def hq():
    return make_staff("honbu", hq=True)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def no1_actual() -> Actual:
    """No.1's published 令和5年度 actual: 開発アプリ数 113."""
    return Actual.objects.select_related("result").get(
        result__initiative__code="1", result__fiscal_year__year=2023
    )


def published_state(actual: Actual) -> tuple:
    actual = Actual.objects.get(pk=actual.pk)
    result = Result.objects.get(pk=actual.result_id)
    return (
        actual.value,
        actual.published_value,
        actual.indicator_id,
        actual.result_id,
        result.version,
        result.text,
        result.published_text,
        result.published_status,
        Actual.history.filter(id=actual.pk).count(),
        WorkflowEvent.objects.count(),
        PublicCorrection.objects.count(),
    )


def test_it_shows_an_actual_to_a_superuser_without_a_form_to_change_it(superuser) -> None:
    actual = no1_actual()
    page = login(superuser).get(reverse("admin:initiatives_actual_change", args=[actual.pk]))
    assert page.status_code == 200
    assert "113" in page.text
    assert 'name="value"' not in page.text
    assert 'name="published_value"' not in page.text


@pytest.mark.parametrize("person", ["superuser", "hq"])
def test_it_refuses_a_direct_change_of_an_actual(request, person) -> None:
    client = login(request.getfixturevalue(person))
    actual = no1_actual()
    before = published_state(actual)
    response = client.post(
        reverse("admin:initiatives_actual_change", args=[actual.pk]),
        {
            "result": actual.result_id,
            "indicator": actual.indicator_id,
            "value": "999",
            "published_value": "999",
        },
    )
    assert response.status_code == 403
    assert published_state(actual) == before


def test_it_refuses_to_add_or_delete_an_actual_directly(superuser) -> None:
    client = login(superuser)
    actual = no1_actual()
    before = published_state(actual)
    count = Actual.objects.count()
    added = client.post(
        reverse("admin:initiatives_actual_add"),
        {"result": actual.result_id, "indicator": actual.indicator_id, "value": "5"},
    )
    assert added.status_code == 403
    deleted = client.post(
        reverse("admin:initiatives_actual_delete", args=[actual.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    bulk = client.post(
        reverse("admin:initiatives_actual_changelist"),
        {"action": "delete_selected", "_selected_action": [actual.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Actual.objects.count() == count
    assert published_state(actual) == before


@pytest.mark.parametrize("person", ["superuser", "hq"])
def test_it_refuses_to_revert_an_actual_to_an_earlier_version(request, person) -> None:
    actual = no1_actual()
    first = Actual.history.filter(id=actual.pk).earliest("history_date")
    # A later version, as a correction through the workflow would leave it.
    actual.value = actual.published_value = Decimal(120)
    actual.save()
    before = published_state(actual)
    client = login(request.getfixturevalue(person))
    revert = reverse("admin:initiatives_actual_simple_history", args=[actual.pk, first.pk])
    assert client.get(revert).status_code == 200
    response = client.post(revert, {"value": "113", "published_value": "113"})
    assert response.status_code == 403
    assert published_state(actual) == before
    assert Actual.objects.get(pk=actual.pk).published_value == 120


def _posted(bound) -> str | list[str] | None:
    """A form field's value as the browser sends it back."""
    value = bound.field.prepare_value(bound.value())
    if isinstance(bound.field, forms.BooleanField):
        return "on" if value else None
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def _form_data(response) -> dict:
    """The change form as a browser would post it back unchanged (with its inlines)."""
    forms_on_page = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms_on_page += [formset.management_form, *formset.forms]
    for form in forms_on_page:
        for name in form.fields:
            value = _posted(form[name])
            if value is not None:
                data[form.add_prefix(name)] = value
    return data


def test_it_ignores_result_fields_posted_with_the_initiative_form(superuser) -> None:
    initiative = Initiative.objects.get(code="1")
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    client = login(superuser)
    page = client.get(url)
    assert page.status_code == 200
    data = _form_data(page)
    result = Result.objects.get(initiative=initiative, fiscal_year__year=2023)
    result_prefix = next(
        inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is Result
    )
    data.update(
        {
            f"{result_prefix}-0-id": result.pk,
            f"{result_prefix}-0-initiative": initiative.pk,
            f"{result_prefix}-0-text": "管理画面で書き換えた",
            f"{result_prefix}-0-status": "not_achieved",
            f"{result_prefix}-0-published_text": "管理画面で書き換えた",
            f"{result_prefix}-0-state": "draft",
        }
    )
    before = (result.text, result.status, result.published_text, result.state, result.version)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    result.refresh_from_db()
    assert (
        result.text,
        result.status,
        result.published_text,
        result.state,
        result.version,
    ) == before


def test_it_refuses_a_superuser_every_direct_write_of_a_result(superuser) -> None:
    client = login(superuser)
    result = Result.objects.get(initiative__code="1", fiscal_year__year=2023)
    actual = no1_actual()
    before = published_state(actual)
    change = reverse("admin:initiatives_result_change", args=[result.pk])
    fields = {
        "version": result.version,
        "status": "not_achieved",
        "text": "管理画面で書き換えた",
        "published_text": "管理画面で書き換えた",
        "published_status": "not_achieved",
        f"actual_{actual.indicator_id}": "999",
    }
    assert client.post(change, {**fields, "_action": "save"}).status_code == 403
    assert client.post(change, {**fields, "_action": "submit"}).status_code == 403
    assert client.post(change, fields).status_code == 400
    assert client.post(reverse("admin:initiatives_result_add"), fields).status_code == 403
    delete = reverse("admin:initiatives_result_delete", args=[result.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert published_state(actual) == before


@pytest.mark.parametrize("model", [WorkflowEvent, PublicCorrection])
def test_it_keeps_the_workflow_records_read_only_for_a_superuser(superuser, model) -> None:
    result = Result.objects.get(initiative__code="1", fiscal_year__year=2023)
    if model is WorkflowEvent:
        record = WorkflowEvent.objects.create(
            result=result, action="publish", from_state="approved", to_state="published"
        )
        posted = {"result": result.pk, "action": "publish", "comment": "書き換え"}
    else:
        record = PublicCorrection.objects.create(
            result=result, corrected_at=result.published_at, field="実施結果", before="前"
        )
        posted = {"result": result.pk, "field": "実施結果", "before": "書き換え"}
    name = model._meta.model_name
    count = model.objects.count()
    client = login(superuser)
    change = reverse(f"admin:initiatives_{name}_change", args=[record.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, posted).status_code == 403
    assert client.post(reverse(f"admin:initiatives_{name}_add"), posted).status_code == 403
    delete = reverse(f"admin:initiatives_{name}_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    fresh = model.objects.get(pk=record.pk)
    assert (fresh.comment if model is WorkflowEvent else fresh.before) != "書き換え"
    assert model.objects.count() == count
