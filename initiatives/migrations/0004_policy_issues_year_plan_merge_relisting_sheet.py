"""基本方針's 課題 belong to a 方針 (not a 施策); a year's 実施計画 cell can be merged with the
previous year's; a 再掲 sheet keeps the document's own wording and marks."""

from __future__ import annotations

from django.db import migrations, models


def issues_to_policies(apps, schema_editor) -> None:
    """Each 方針's 課題: its measures' 課題 in order (the diagram's order in the document)."""
    Policy = apps.get_model("initiatives", "Policy")
    for policy in Policy.objects.all():
        issues: list[str] = []
        for measure in policy.measures.order_by("number"):
            issues += [issue for issue in measure.issues if issue not in issues]
        policy.issues = issues
        policy.save(update_fields=["issues"])


def issues_to_measures(apps, schema_editor) -> None:
    """Backwards: the 方針's 課題 on its first 施策 (the document assigns none to a 施策)."""
    Policy = apps.get_model("initiatives", "Policy")
    for policy in Policy.objects.all():
        first = policy.measures.order_by("number").first()
        if first is not None:
            first.issues = policy.issues
            first.save(update_fields=["issues"])


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0003_create_hq_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="policy",
            name="issues",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="基本方針の図でこの方針に至る課題（図の順）。",
                verbose_name="課題",
            ),
        ),
        migrations.RunPython(issues_to_policies, issues_to_measures),
        migrations.RemoveField(model_name="measure", name="issues"),
        migrations.AddField(
            model_name="yearplan",
            name="merged_with_previous",
            field=models.BooleanField(
                default=False,
                help_text="文書がこの年度の実施計画を前年度と一つのセルで印刷している（同じ文）。",
                verbose_name="前年度と結合",
            ),
        ),
        migrations.AddField(
            model_name="relisting",
            name="summary",
            field=models.TextField(blank=True, verbose_name="概要（再掲シート）"),
        ),
        migrations.AddField(
            model_name="relisting",
            name="target_state",
            field=models.TextField(blank=True, verbose_name="めざす姿（再掲シート）"),
        ),
        migrations.AddField(
            model_name="relisting",
            name="related_plans",
            field=models.JSONField(blank=True, null=True, verbose_name="関連計画（再掲シート）"),
        ),
        migrations.AddField(
            model_name="relisting",
            name="resources",
            field=models.JSONField(
                blank=True,
                help_text="ヒト・カネ・モノ・情報 の一覧。空なら取組のシートと同じ。",
                null=True,
                verbose_name="確保する行政資源（再掲シート）",
            ),
        ),
        migrations.AddField(
            model_name="relisting",
            name="result_texts",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="年度（西暦）→ 再掲シートに印刷された実施結果の文。",
                verbose_name="実施結果（再掲シート）",
            ),
        ),
    ]
