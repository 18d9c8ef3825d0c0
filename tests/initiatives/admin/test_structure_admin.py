from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("alice", "", "pw-for-tests-123")
    client.force_login(user)
    return client


def test_it_lists_all_initiatives_in_the_admin(superuser_client) -> None:
    response = superuser_client.get(reverse("admin:initiatives_initiative_changelist"))
    assert response.status_code == 200
    assert "124 取組" in response.text or "124件" in response.text or "124 " in response.text


def test_it_searches_initiatives_by_code_and_name(superuser_client) -> None:
    url = reverse("admin:initiatives_initiative_changelist")
    response = superuser_client.get(url, {"q": "ドローン"})
    assert "ドローンを活用した危険箇所の点検等の実施" in response.text
    assert "電子申請の拡大" not in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"direction__measure__policy__id__exact": "1"},
        {"numeric_target__exact": "1"},
        {"results__status": "not_achieved"},
    ],
)
def test_it_filters_initiatives(superuser_client, query: dict) -> None:
    response = superuser_client.get(reverse("admin:initiatives_initiative_changelist"), query)
    assert response.status_code == 200


def test_it_shows_an_initiative_with_its_years_and_results(superuser_client) -> None:
    from initiatives.models import Initiative

    initiative = Initiative.objects.get(code="86")
    response = superuser_client.get(
        reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    )
    assert response.status_code == 200
    assert "各種財政指標" in response.text
    assert "実質公債費比率" in response.text


def test_it_refuses_the_admin_to_anonymous_users(client) -> None:
    response = client.get(reverse("admin:initiatives_initiative_changelist"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_speaks_japanese_in_the_action_menu(superuser_client) -> None:
    # Django 6's blank choice label is missing from its own Japanese catalogue.
    response = superuser_client.get(reverse("admin:initiatives_result_changelist"), follow=True)
    assert response.status_code == 200
    assert "（選択してください）" in response.text
    assert "Select an option" not in response.text
