"""An edit of the plan's structure reaches the public pages at once (they are kept per
publication state, and a structure edit is not a publication: plan.changes)."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from initiatives.models import Plan, Policy

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would submit from the page's main form."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value") or "")

    def handle_endtag(self, tag) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def change_form(client, url: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(client.get(url).text)
    return parser.data


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("alice", "", "pw-for-tests-123")
    client.force_login(user)
    return client


def test_renaming_a_policy_in_the_admin_shows_on_the_warm_public_page(superuser_client):
    from django.test import Client

    public = Client()
    policy = Policy.objects.get(number=1)
    page = public.get("/policies/1/")
    assert policy.title in page.text
    assert public.get("/policies/1/").content == page.content  # kept (warm)
    url = reverse("admin:initiatives_policy_change", args=[policy.pk])
    data = change_form(superuser_client, url)
    data["title"] = ["職員の力を伸ばす（改称の確認）"]
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    after = public.get("/policies/1/", headers={"if-none-match": page["ETag"]})
    assert after.status_code == 200
    assert "職員の力を伸ばす（改称の確認）" in after.text
    assert Plan.objects.get().structure_changed_at is not None


def test_deleting_a_glossary_term_shows_on_the_warm_open_data(superuser_client):
    from django.test import Client

    from initiatives.models import GlossaryTerm

    public = Client()
    before = public.get("/open-data/initiatives.json")
    term = GlossaryTerm.objects.order_by("order").first()
    assert term.term in glossary(before)
    url = reverse("admin:initiatives_glossaryterm_delete", args=[term.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    after = public.get("/open-data/initiatives.json")
    assert after["ETag"] != before["ETag"]
    assert term.term not in glossary(after)
    assert len(glossary(after)) == len(glossary(before)) - 1


def glossary(response) -> list[str]:
    return [entry["term"] for entry in json.loads(response.content)["glossary"]]
