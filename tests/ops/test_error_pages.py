from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ops.errors_urls")]


@pytest.fixture
def browser() -> Client:
    return Client(raise_request_exception=False)


def _page(response) -> str:
    return response.content.decode()


def test_it_shows_a_japanese_404_page(browser: Client) -> None:
    response = browser.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in _page(response)
    assert "Traceback" not in _page(response)
    assert "urlpatterns" not in _page(response)


def test_it_shows_a_japanese_500_page_without_details(browser: Client) -> None:
    response = browser.get("/test-errors/broken/")
    assert response.status_code == 500
    assert "システムでエラーが起きました" in _page(response)
    assert "secret-internal-detail" not in _page(response)
    assert "Traceback" not in _page(response)


@pytest.mark.parametrize("path", ["/test-errors/database-gone/", "/test-errors/connection-closed/"])
def test_it_answers_503_when_the_database_connection_is_lost(browser: Client, path: str) -> None:
    response = browser.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "ただいま一時的に利用できません" in _page(response)
    assert "secret-internal-detail" not in _page(response)


def test_it_shows_a_japanese_400_page(browser: Client) -> None:
    response = browser.get("/test-errors/suspicious/")
    assert response.status_code == 400
    assert "リクエストを処理できません" in _page(response)
    assert "secret-internal-detail" not in _page(response)


def test_it_shows_a_japanese_403_page(browser: Client) -> None:
    response = browser.get("/test-errors/forbidden/")
    assert response.status_code == 403
    assert "（403）" in _page(response) or "エラー 403" in _page(response)


def test_it_shows_a_japanese_page_for_a_refused_csrf_token() -> None:
    response = Client(enforce_csrf_checks=True).post("/healthz")
    assert response.status_code == 403
    assert "送信を受け付けられません" in _page(response)
    assert "CSRF" not in _page(response)


def test_it_refuses_a_request_body_over_the_limit(browser: Client, settings) -> None:
    settings.MAX_REQUEST_SIZE = 1024
    response = browser.post("/healthz", data=b"x" * 2048, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "送信データが大きすぎます" in _page(response)


def test_it_lets_a_request_body_under_the_limit_through(browser: Client, settings) -> None:
    settings.MAX_REQUEST_SIZE = 4096
    response = browser.post("/healthz", data=b"x" * 2048, content_type="application/octet-stream")
    assert response.status_code == 405
