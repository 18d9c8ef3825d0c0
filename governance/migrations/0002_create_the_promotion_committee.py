from __future__ import annotations

from django.db import migrations

# The same words as governance.services.committee (a migration must not import app code).
NAME = "金沢市行政経営プラン推進委員会"
DESCRIPTION = (
    "有識者等で構成し、市民や民間の視点から行政経営プランの進捗状況を検証して、"
    "意見・提言を行います。"
)


def create_committee(apps, schema_editor) -> None:
    apps.get_model("governance", "Committee").objects.get_or_create(
        name=NAME, defaults={"description": DESCRIPTION}
    )


def remove_committee(apps, schema_editor) -> None:
    apps.get_model("governance", "Committee").objects.filter(name=NAME, meetings=None).delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_committee_opinions_responses")]

    operations = [migrations.RunPython(create_committee, remove_committee)]
