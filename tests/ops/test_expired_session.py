"""Sessions last from the last request, and a form posted after one expired keeps its input."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from initiatives.models import Result
from tests.initiatives.workflow_helpers import (
    PASSWORD,
    actual_field,
    change_url,
    entry_data,
    make_user,
    open_year,
    result_of,
)

pytestmark = pytest.mark.django_db

RESTORED = (
    "ログインの有効期限が切れたため保存していません。入力内容を復元しました。"
    "確認して保存してください。"
)


@pytest.fixture
def hq():
    user = make_user("honbu", hq=True)
    open_year(2024, hq=user)
    return user


@pytest.fixture
def digital(hq):
    return make_user("sato", "デジタル行政戦略課")


def logged_in(user) -> Client:
    client = Client()
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def expire(client: Client) -> None:
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_each_request_extends_the_session(digital) -> None:
    client = logged_in(digital)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert client.get("/admin/").status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_a_save_after_the_session_expired_keeps_the_typed_text_until_login(digital) -> None:
    no1 = result_of("1", 2024)
    client = logged_in(digital)
    typed = entry_data(no1, _action="save", status="achieved", text="8時間かけて書いた実施結果")
    typed[actual_field(no1)] = "１２５"
    assert client.get(change_url(no1)).status_code == 200
    expire(client)

    response = client.post(change_url(no1), typed)
    assert response.status_code == 302
    login_url = urlsplit(response["Location"])
    assert login_url.path == "/admin/login/"
    back = parse_qs(login_url.query)["next"][0]
    assert back.startswith(change_url(no1) + "?kept=")
    assert result_of("1", 2024).text == ""  # nothing saved without a login
    login_page = client.get(response["Location"])
    assert "入力内容は預かっています" in login_page.text

    again = client.post(
        response["Location"],
        {"username": "sato", "password": PASSWORD, "next": back},
    )
    assert again.status_code == 302 and again["Location"] == back
    page = client.get(back)
    assert page.status_code == 200
    assert RESTORED in page.text
    assert "8時間かけて書いた実施結果" in page.text and 'value="１２５"' in page.text
    assert result_of("1", 2024).text == ""  # shown, never saved by itself

    saved = client.post(change_url(no1), typed)
    assert saved.status_code == 302
    assert result_of("1", 2024).text == "8時間かけて書いた実施結果"
    # The kept input is given back once only.
    assert RESTORED not in client.get(back).text


def test_hq_gets_the_typed_comment_back(hq, digital) -> None:
    no1 = result_of("1", 2024)
    data = entry_data(
        no1, _action="submit", status="achieved", text="提出", **{actual_field(no1): "125"}
    )
    assert logged_in(digital).post(change_url(no1), data).status_code == 302
    no1.refresh_from_db()
    client = logged_in(hq)
    expire(client)
    response = client.post(
        change_url(no1), {"version": no1.version, "_action": "return", "comment": "内訳を足して"}
    )
    back = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    client.post("/admin/login/", {"username": "honbu", "password": PASSWORD, "next": back})
    page = client.get(back)
    assert RESTORED in page.text and "内訳を足して" in page.text
    assert result_of("1", 2024).state == Result.State.SUBMITTED


def test_kept_input_is_given_only_to_its_own_screen(digital) -> None:
    no1, no2 = result_of("1", 2024), result_of("2", 2024)
    client = logged_in(digital)
    expire(client)
    response = client.post(change_url(no1), entry_data(no1, _action="save", text="No.1の文"))
    token = parse_qs(urlsplit(parse_qs(urlsplit(response["Location"]).query)["next"][0]).query)[
        "kept"
    ][0]
    client.post("/admin/login/", {"username": "sato", "password": PASSWORD})
    assert "No.1の文" not in client.get(f"{change_url(no2)}?kept={token}").text
    assert "No.1の文" not in client.get(f"{change_url(no1)}?kept=wrong-token").text


def test_a_post_from_another_site_is_not_kept(digital) -> None:
    no1 = result_of("1", 2024)
    client = Client(enforce_csrf_checks=True)
    response = client.post(change_url(no1), {"_action": "save", "text": "よそのサイトから"})
    assert response.status_code == 403
    assert "kept" not in client.session.get("kept_forms", {})
    assert not client.session.get("kept_forms")


def test_passwords_are_never_kept(digital) -> None:
    client = logged_in(digital)
    expire(client)
    client.post(
        "/admin/password_change/",
        {"old_password": "old-secret", "new_password1": "n" * 12, "new_password2": "n" * 12},
    )
    kept = client.session.get("kept_forms", {})
    assert kept and all(
        "password" not in name for entry in kept.values() for name in entry["fields"]
    )
