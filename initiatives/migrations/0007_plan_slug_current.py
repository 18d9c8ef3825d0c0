from __future__ import annotations

from django.db import migrations, models
from django.db.models import Q


def slug_from_period(apps, schema_editor) -> None:
    Plan = apps.get_model("initiatives", "Plan")
    for plan in Plan.objects.all():
        plan.slug = f"{plan.start_year}-{plan.end_year}"
        plan.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0006_edition")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="slug",
            # Not indexed yet: the unique constraint below brings the index (on PostgreSQL
            # a second `_like` index of the same name would collide).
            field=models.SlugField(
                db_index=False, default="", max_length=50, verbose_name="識別名"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(slug_from_period, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="plan",
            name="slug",
            field=models.SlugField(
                help_text="URL に使う変わらない名前。例: 2023-2026（/plans/2023-2026/）。",
                max_length=50,
                unique=True,
                verbose_name="識別名",
            ),
        ),
        migrations.AddField(
            model_name="plan",
            name="is_current",
            field=models.BooleanField(
                default=False,
                help_text="公開ページの URL（/plans/… のないもの）で表示するプラン。どれにも印がなければ、今日が推進期間に入るプランを表示します。",
                verbose_name="現行プランとして表示",
            ),
        ),
        migrations.AlterModelOptions(
            name="plan",
            options={
                "ordering": ["-start_year"],
                "verbose_name": "プラン",
                "verbose_name_plural": "プラン",
            },
        ),
        migrations.AddConstraint(
            model_name="plan",
            constraint=models.UniqueConstraint(
                condition=Q(is_current=True),
                fields=("is_current",),
                name="plan_one_current",
                violation_error_message="現行プランとして表示できるのは1つだけです。",
            ),
        ),
    ]
