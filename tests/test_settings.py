from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from kanazawa_plan import settings as plan_settings


def test_it_reads_booleans_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "yes")
    assert plan_settings.env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "0")
    assert plan_settings.env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        plan_settings.env_bool("FLAG", False)


def test_it_reads_a_choice_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    choices = ("daily", "hourly", "off")
    monkeypatch.delenv("SUBMISSION_DIGEST_X", raising=False)
    assert plan_settings.env_choice("SUBMISSION_DIGEST_X", "daily", choices) == "daily"
    monkeypatch.setenv("SUBMISSION_DIGEST_X", " Hourly ")
    assert plan_settings.env_choice("SUBMISSION_DIGEST_X", "daily", choices) == "hourly"
    monkeypatch.setenv("SUBMISSION_DIGEST_X", "weekly")
    with pytest.raises(ImproperlyConfigured, match="daily / hourly / off"):
        plan_settings.env_choice("SUBMISSION_DIGEST_X", "daily", choices)


def test_it_refuses_a_non_integer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBER", "eight")
    with pytest.raises(ImproperlyConfigured, match="NUMBER"):
        plan_settings.env_int("NUMBER", 8)


def test_it_requires_a_value_without_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISSING_VALUE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MISSING_VALUE"):
        plan_settings.env_str("MISSING_VALUE")


def test_it_splits_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", " a.example.jp , b.example.jp ,")
    assert plan_settings.env_list("HOSTS", []) == ["a.example.jp", "b.example.jp"]


def test_it_reads_database_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB", "postgres://postgres@127.0.0.1:5432/plan")
    config = plan_settings.env_database("DB", "sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "plan"
    monkeypatch.setenv("DB", "mysql://root@127.0.0.1/plan")
    with pytest.raises(ImproperlyConfigured, match="DB"):
        plan_settings.env_database("DB", "sqlite:///x.sqlite3")
    monkeypatch.setenv("DB", "nonsense")
    with pytest.raises(ImproperlyConfigured, match="DB"):
        plan_settings.env_database("DB", "sqlite:///x.sqlite3")
