from __future__ import annotations

from django.db import migrations

HQ_GROUP = "推進本部"


def create_group(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.get_or_create(name=HQ_GROUP)


def remove_group(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name=HQ_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("initiatives", "0002_workflow_roles_periods"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
