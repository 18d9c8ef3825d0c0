"""The filter form of the public opinions list and downloads (read from the query string)."""

from __future__ import annotations

from django import forms

from governance.public.selectors import OpinionFilter
from governance.vocabulary import ResponseStatus
from initiatives.models import Plan, Policy
from initiatives.plan.selectors import fiscal_years_of


class OpinionFilterForm(forms.Form):
    """対応区分, 方針 and the fiscal year the meeting reviewed."""

    status = forms.ChoiceField(
        label="市の対応区分",
        required=False,
        help_text="公開された市の対応がこの区分の意見を表示します。",
    )
    policy = forms.TypedChoiceField(label="方針", required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(
        label="審議した年度", required=False, coerce=int, empty_value=None
    )

    def __init__(self, data: dict | None = None, *, plan: Plan) -> None:
        super().__init__(data)
        self.fields["status"].choices = [("", "すべて"), *ResponseStatus.choices]
        self.fields["policy"].choices = [("", "すべて")] + [
            (p.number, f"方針{p.number} {p.title}")
            for p in Policy.objects.filter(plan=plan).order_by("number")
        ]
        self.fields["year"].choices = [("", "すべて")] + [
            (fy.year, fy.label) for fy in fiscal_years_of(plan)
        ]

    def filters(self) -> OpinionFilter:
        """The valid filters; an invalid value (a stale link) is ignored, not an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return OpinionFilter(
            status=data.get("status") or "",
            policy=data.get("policy"),
            year=data.get("year"),
        )
