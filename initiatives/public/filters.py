"""The filter form of the public achievement table and downloads (read from the query string)."""

from __future__ import annotations

from django import forms

from initiatives.models import Department, FiscalYear, Measure, Plan, PlanRevision, Policy
from initiatives.plan.selectors import fiscal_years_of
from initiatives.public.selectors import (
    PublicFilter,
)
from initiatives.vocabulary import RESOURCE_FIELDS, STATUS_ORDER, era_label, status_label


class PublicFilterForm(forms.Form):
    """方針, 施策, 担当課, status per fiscal year, 数値目標, 新規, 行政資源 and a keyword."""

    keyword = forms.CharField(
        label="キーワード",
        required=False,
        max_length=100,
        help_text="取組事項名・概要・担当課・公開された実施結果から探します。「No.15」「R6-5」で取組を指定できます。",
    )
    policy = forms.TypedChoiceField(label="方針", required=False, coerce=int, empty_value=None)
    measure = forms.TypedChoiceField(label="施策", required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(
        label="担当課", required=False, coerce=int, empty_value=None
    )
    numeric_target = forms.BooleanField(label="数値目標のある取組のみ", required=False)
    added_in = forms.ChoiceField(label="改訂で追加", required=False)
    resource = forms.ChoiceField(label="確保する行政資源", required=False)

    def __init__(self, data: dict | None = None, *, plan: Plan) -> None:
        super().__init__(data)
        policies = list(Policy.objects.filter(plan=plan).order_by("number"))
        self.fields["policy"].choices = [("", "すべて")] + [
            (p.number, f"方針{p.number} {p.title}") for p in policies
        ]
        self.fields["measure"].choices = [("", "すべて")] + [
            (m.pk, f"方針{m.policy.number}（{m.number}）{m.title}")
            for m in Measure.objects.filter(policy__plan=plan)
            .select_related("policy")
            .order_by("policy__number", "number")
        ]
        self.fields["department"].choices = [("", "すべて")] + [
            (d.pk, d.name)
            for d in Department.objects.filter(initiatives__plan=plan).distinct().order_by("name")
        ]
        self.fields["added_in"].choices = [("", "すべて")] + [
            (r.code, f"{r.badge}（{r.label}）")
            for r in PlanRevision.objects.filter(
                plan=plan, kind=PlanRevision.Kind.REVISION
            ).order_by("date")
        ]
        self.fields["resource"].choices = [("", "すべて")] + [(r, r) for r in RESOURCE_FIELDS]
        self.years: list[FiscalYear] = fiscal_years_of(plan)
        status_choices = [("", "すべて")] + [
            (status.value, status_label(status)) for status in STATUS_ORDER
        ]
        for fiscal_year in self.years:
            self.fields[self.status_field(fiscal_year.year)] = forms.ChoiceField(
                label=f"{fiscal_year.label}の達成状況",
                required=False,
                choices=status_choices,
            )

    @staticmethod
    def status_field(year: int) -> str:
        return f"status_{year}"

    @property
    def status_fields(self) -> list[forms.BoundField]:
        return [self[self.status_field(fy.year)] for fy in self.years]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("keyword", "policy", "measure", "department")]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("added_in", "resource")]

    def label_parts(self, filters: PublicFilter) -> list[str]:
        """The filters in words, for a download's file name: 令和5年度_未達成, 方針1, …"""
        choices = {name: dict(self.fields[name].choices) for name in ("policy", "measure")}
        departments = dict(self.fields["department"].choices)
        parts = []
        if filters.policy is not None:
            parts.append(f"方針{filters.policy}")
        if filters.measure is not None:
            parts.append(choices["measure"].get(filters.measure, "施策").split("）")[0] + "）")
        if filters.department is not None:
            parts.append(departments.get(filters.department, "担当課"))
        for year, status in filters.statuses:
            parts.append(f"{era_label(year)}_{status_label(status)}")
        if filters.numeric_target:
            parts.append("数値目標あり")
        if filters.added_in:
            parts.append(f"{filters.added_in}追加")
        if filters.resource:
            parts.append(filters.resource)
        if filters.keyword:
            parts.append(f"キーワード「{filters.keyword[:20]}」")
        return parts

    def filters(self) -> PublicFilter:
        """The valid filters; an invalid value (a stale link) is ignored, not an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        statuses = tuple(
            (fy.year, data[self.status_field(fy.year)])
            for fy in self.years
            if data.get(self.status_field(fy.year))
        )
        return PublicFilter(
            policy=data.get("policy"),
            measure=data.get("measure"),
            department=data.get("department"),
            statuses=statuses,
            numeric_target=bool(data.get("numeric_target")),
            added_in=data.get("added_in") or "",
            resource=data.get("resource") or "",
            keyword=(data.get("keyword") or "").strip(),
        )
