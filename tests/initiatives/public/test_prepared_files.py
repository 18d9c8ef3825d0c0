"""Open-data files made after a publication (the worker) are what visitors then get."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import Plan
from initiatives.public import datapackage
from initiatives.public.datapackage import FILES, prepare_files

pytestmark = pytest.mark.django_db


def test_prepared_files_are_served_without_building_them(client, monkeypatch):
    plan = Plan.objects.get()
    assert prepare_files(plan=plan) == list(FILES)  # datapackage.json last
    assert prepare_files(plan=plan) == []  # kept: nothing made twice

    def no_build(*args, **kwargs):
        raise AssertionError("a prepared file must not be built again")

    for name, file in list(FILES.items()):
        if file.write is not None:
            monkeypatch.setitem(FILES, name, dataclasses.replace(file, write=no_build))
    monkeypatch.setattr(datapackage, "package_bytes", no_build)
    page = client.get("/open-data/")
    assert page.status_code == 200
    for name in FILES:
        response = client.get(f"/open-data/{name}")
        assert response.status_code == 200, name
        assert response.content, name


def test_the_command_prepares_each_plan_or_the_one_named(capsys):
    plan = Plan.objects.get()
    call_command("prepare_open_data", "--plan", plan.slug)
    out = capsys.readouterr()
    assert f"{plan.slug}: {len(FILES)}件を作成しました。" in out.out
    # The suite's cache is the process's own memory: the command says it reaches no server.
    assert "PUBLIC_CACHE_DIR が設定されていない" in out.err
    call_command("prepare_open_data")
    assert f"{plan.slug}: 0件を作成しました。" in capsys.readouterr().out
    with pytest.raises(CommandError, match="プラン「nope」はありません。"):
        call_command("prepare_open_data", "--plan", "nope")
