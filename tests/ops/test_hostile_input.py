"""Hostile input never answers 500: every URL pattern of the project, every argument replaced
by each hostile value, as the public, a department user and HQ; hostile query strings, form
fields, cookies and headers.

The patterns come from the URLconf itself, so a new screen is walked without editing this
test. The expected answers are the 400/403/404 pages, redirects (to the login page, the
admin's "does not exist" message) or the page itself; anything but a 500.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tests.initiatives.workflow_helpers import make_user, open_year, result_of

pytestmark = pytest.mark.django_db

# As they appear in a URL (already percent-encoded where a browser would encode them).
HOSTILE = [
    "%00",  # NUL: PostgreSQL refuses it in any query
    "9" * 30,  # more than any integer column holds
    "-1",
    "x" * 3000,  # overlong
    "..",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",  # an encoded path traversal
    "%ff%fe",  # not UTF-8
    "%ef%bf%bf%e2%80%ae",  # a non-character and a right-to-left override
    quote("１２"),  # full-width digits
    "%0d%0aSet-Cookie:%20x=1",  # control characters (header injection)
]
# Query strings for screens without path arguments: huge numbers, overlong and odd text.
HOSTILE_QUERIES = [
    "year="
    + "9" * 30
    + "&p="
    + "9" * 20
    + "&o="
    + "9" * 20
    + "&fiscal_year__id__exact="
    + "9" * 30,
    "q=" + "x" * 3000 + "&keyword=%ff%fe&policy=%ef%bf%bf&department=-1&status_2023=..&e=1",
    "_changelist_filters=" + quote("fiscal_year__id__exact=" + "9" * 30) + "&next=%2F%2Fevil",
]


def _patterns() -> list[tuple[str, tuple[str, ...]]]:
    """(format string, argument names) of every URL pattern, e.g. ("/policies/%(number)s/",)."""
    found: set[tuple[str, tuple[str, ...]]] = set()

    def walk(resolver: URLResolver, prefix: str) -> None:
        for _key, entries in resolver.reverse_dict.lists():
            for possibilities, _pattern, _defaults, _converters in entries:
                for fmt, params in possibilities:
                    found.add((prefix + fmt, tuple(params)))
        for _namespace, (sub_prefix, sub) in resolver.namespace_dict.items():
            walk(sub, prefix + sub_prefix)

    walk(get_resolver(), "/")
    return sorted(found)


def _urls() -> list[str]:
    urls = []
    for fmt, params in _patterns():
        if not params:
            urls.extend(fmt.replace("%%", "%") + "?" + query for query in HOSTILE_QUERIES)
            continue
        for hostile_param in params:
            for value in HOSTILE:
                values = {name: "1" for name in params} | {hostile_param: value}
                urls.append(fmt % values)
    return urls


@pytest.fixture
def people():
    hq = make_user("honbu", hq=True)
    open_year(2024, hq=hq)
    department = make_user("sato", "デジタル行政戦略課")
    superuser = get_user_model().objects.create_superuser("kanri", "k@example.com", "x" * 16)
    return {"anonymous": None, "department": department, "hq": hq, "superuser": superuser}


@pytest.mark.parametrize("role", ["anonymous", "department", "hq", "superuser"])
def test_no_url_answers_500_to_hostile_path_segments_or_queries(people, role) -> None:
    client = Client(raise_request_exception=False)
    if people[role] is not None:
        client.force_login(people[role])
    failures = []
    for url in _urls():
        status = client.get(url).status_code
        if status >= 500:
            failures.append(f"{status} GET {url[:160]}")
    assert not failures, "\n".join(failures)


def test_it_walks_every_pattern_with_every_value() -> None:
    patterns = _patterns()
    assert ("/initiatives/%(code)s/", ("code",)) in patterns
    assert any(fmt.endswith("/initiatives/result/%(object_id)s/change/") for fmt, _ in patterns)
    assert any("%(year)s.pdf" in fmt for fmt, _ in patterns)
    assert len(_urls()) > 1000


@pytest.mark.parametrize(
    "path", ["/initiatives/%00/", "/initiatives/1/?keyword=a%00b", "/policies/1%0a/"]
)
def test_it_answers_the_japanese_400_page_to_control_characters(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "リクエストを処理できません" in response.text


def test_it_refuses_nul_in_form_fields_and_headers(client) -> None:
    assert client.post("/admin/login/", {"username": "a\x00", "password": "x"}).status_code == 400
    assert client.get("/", HTTP_USER_AGENT="bot\x00").status_code == 400


def test_it_ignores_a_cookie_with_control_characters(client) -> None:
    client.cookies["sessionid"] = "abc\x00defghijklmnop"
    assert client.get("/admin/").status_code == 302  # to the login page, as without a cookie
    client.cookies["sessionid"] = '"\\000abcdefghijk"'
    assert client.get("/initiatives/").status_code == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"username": "u" * 5000, "password": "p" * 5000},
        {"username": "%ef%bf%bf\u202e", "password": "x"},
        {"username": ["a", "b"], "password": ""},
    ],
)
def test_a_hostile_login_is_refused_without_500(fields) -> None:
    client = Client(raise_request_exception=False)
    response = client.post("/admin/login/", fields, HTTP_X_FORWARDED_FOR="not-an-address")
    assert response.status_code in (200, 400, 429)


def test_a_hostile_forwarded_address_is_not_taken_for_the_client(client, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for forwarded in ("not-an-address", "999.1.1.1", "x" * 300, ", ,"):
        response = client.post(
            "/admin/login/",
            {"username": "nobody", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        assert response.status_code == 200


@pytest.mark.parametrize("value", ["9" * 30, "-1", "x" * 3000, "１", "1.5", "", "%ff", "\u202e1"])
def test_hostile_form_values_on_every_step_answer_400_404_or_409(people, value) -> None:
    no1 = result_of("1", 2024)
    url = reverse("admin:initiatives_result_change", args=[no1.pk])
    fields = {"status": value, "text": value, "note": value, "comment": value, "version": value}
    for user, actions in (
        (people["department"], ["save", "submit", value]),
        (people["hq"], ["approve", "return", "reopen", value]),
    ):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for action in actions:
            response = client.post(url, {**fields, "_action": action})
            assert response.status_code in (200, 302, 400, 403, 409), (action, value)
        changelist = reverse("admin:initiatives_result_changelist")
        for action in ("submit_selected", "approve_selected", value):
            response = client.post(
                changelist, {"action": action, "_selected_action": [value, no1.pk]}
            )
            assert response.status_code < 500, (action, value)
        publish = reverse("admin:initiatives_result_publish", args=[2024])
        assert client.post(publish, {"seen": value}).status_code < 500
        review = reverse("admin:initiatives_result_review")
        assert client.get(review, {"id": value, "order": value}).status_code < 500
        for action in ("approve", "return", value):
            response = client.post(
                review, {**fields, "id": value, "order": value, "_action": action}
            )
            assert response.status_code < 500, (action, value)
            response = client.post(review, {**fields, "id": no1.pk, "_action": action})
            assert response.status_code < 500, (action, value)
        confirm = {"action": "approve_selected", "_selected_action": [no1.pk], "confirm": "yes"}
        assert client.post(changelist, {**confirm, "seen": value}).status_code < 500
