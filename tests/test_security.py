"""Security properties over every URL the project serves."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from initiatives.models import Initiative, Plan

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
ADMIN = f"/{settings.ADMIN_URL}"
LOGIN = f"{ADMIN}login/"


def _sample_value(name: str) -> str:
    if name == "app_label":
        return "initiatives"
    if name == "code":
        return Initiative.objects.order_by("pk").values_list("code", flat=True).first() or "1"
    if name in {"plan_slug", "slug"}:
        return Plan.objects.order_by("pk").values_list("slug", flat=True).first() or "1"
    if name == "name":  # an open-data file (initiatives/public/urls.py)
        return "initiative_years.csv"
    return "1"


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: _sample_value(m[1]), str(pattern))
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _sample_value(m[1]), str(pattern))
    text = re.sub(r"\([^)]*\)", "1", text)
    return text.removeprefix("^").removesuffix("$").replace("\\", "")


def _paths(patterns: Iterable, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for pattern in patterns:
        piece = prefix + _sample(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths |= _paths(pattern.url_patterns, piece)
        else:
            paths.add("/" + piece)
    return paths


def every_path() -> list[str]:
    """One concrete path for every URL pattern of the project, admin included."""
    return sorted(_paths(get_resolver().url_patterns))


class _InlineScriptFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        # JSON and JSON-LD blocks are data, never run (CSP does not apply to them).
        data = names.get("type") in {"application/json", "application/ld+json"}
        if tag == "script" and "src" not in names and not data:
            self.found.append(f"<script> {self.getpos()}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}= {self.getpos()}")
            if name in {"href", "src", "action"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{tag} {name}=javascript: {self.getpos()}")


def inline_scripts(html: str) -> list[str]:
    finder = _InlineScriptFinder()
    finder.feed(html)
    return finder.found


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root-test", "root@example.jp", PASSWORD)


@pytest.fixture
def staff_user():
    return get_user_model().objects.create_user("staff-test", password=PASSWORD, is_staff=True)


def _login(client: Client, username: str, password: str, **extra) -> object:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_it_walks_the_admin_and_the_probes() -> None:
    paths = every_path()
    assert LOGIN in paths
    assert f"{ADMIN}initiatives/initiative/1/change/" in paths
    assert f"{ADMIN}axes/accessattempt/" in paths
    assert {"/healthz", "/readyz"} <= set(paths)


def test_it_locks_a_user_out_after_repeated_failed_logins(staff_user) -> None:
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert _login(client, "staff-test", "wrong password").status_code == 200

    locked = _login(client, "staff-test", "wrong password")
    assert locked.status_code == 429
    assert "ログインを一時的に停止しています" in locked.content.decode()
    assert f"パスワードを{limit}回続けて間違えた" in locked.content.decode()

    # Even the right password is refused while locked out, and no session is opened.
    again = _login(client, "staff-test", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session

    # The lock is for this user from this address: the same user elsewhere is not blocked.
    elsewhere = _login(Client(), "staff-test", PASSWORD, REMOTE_ADDR="192.0.2.10")
    assert elsewhere.status_code == 302
    assert AccessAttempt.objects.get(username="staff-test").failures_since_start >= limit


def test_it_records_logins_and_failed_logins(staff_user) -> None:
    assert _login(Client(), "staff-test", "wrong password").status_code == 200
    assert _login(Client(), "staff-test", PASSWORD).status_code == 302

    assert AccessFailureLog.objects.filter(username="staff-test").count() == 1
    log = AccessLog.objects.get(username="staff-test")
    assert log.ip_address == "127.0.0.1"


def test_it_shows_the_login_records_to_superusers_only(superuser, staff_user) -> None:
    pages = [
        f"{ADMIN}axes/{model}/" for model in ("accessattempt", "accesslog", "accessfailurelog")
    ]
    admin_client = Client()
    admin_client.force_login(superuser)
    staff_client = Client()
    staff_client.force_login(staff_user)
    for page in pages:
        assert admin_client.get(page).status_code == 200, page
        assert staff_client.get(page).status_code == 403, page


def test_it_keeps_every_admin_page_behind_the_login() -> None:
    client = Client()
    admin_paths = [path for path in every_path() if path.startswith(ADMIN) and path != LOGIN]
    assert len(admin_paths) > 50
    for path in admin_paths:
        response = client.get(path, follow=True)
        assert response.redirect_chain, path
        assert response.request["PATH_INFO"] == LOGIN, path
        assert response.status_code == 200, path
        assert 'name="password"' in response.content.decode(), path


def test_it_sends_a_content_security_policy_without_inline_scripts_on_every_page(
    superuser,
) -> None:
    anonymous = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(superuser)
    pages_seen = 0
    for client in (anonymous, signed_in):
        for path in every_path():
            response = client.get(path)
            policy = response.get("Content-Security-Policy", "")
            script_src = re.search(r"script-src ([^;]*)", policy)
            assert script_src, f"{path}: no script-src in {policy!r}"
            assert script_src[1].split() == ["'self'"], path
            assert "frame-ancestors 'none'" in policy, path
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                pages_seen += 1
                assert inline_scripts(response.content.decode()) == [], path
    assert pages_seen > 50


def test_it_refuses_every_post_without_a_csrf_token(superuser) -> None:
    anonymous = Client(enforce_csrf_checks=True)
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(superuser)
    for client in (anonymous, signed_in):
        for path in every_path():
            response = client.post(path, {"username": "root-test", "password": PASSWORD})
            assert response.status_code == 403, path
            assert "送信を受け付けられません" in response.content.decode(), path


def test_it_accepts_the_login_form_with_its_csrf_token(superuser) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = client.post(
        LOGIN, {"username": "root-test", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(superuser.pk)


@pytest.mark.parametrize("password", ["short", "kanazawa", "12345678901234", "root-test-pass"])
def test_it_refuses_weak_passwords(password: str) -> None:
    user = get_user_model()(username="root-test")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_it_accepts_a_long_passphrase() -> None:
    validate_password("兼六園の雪吊り 2026 kanazawa", get_user_model()(username="hq"))
