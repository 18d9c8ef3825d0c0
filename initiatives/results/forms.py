"""Forms of the results entry and review screens (parsing only; the rules live in workflow)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from initiatives.models import Result
from initiatives.results.selectors import IndicatorRow

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
NUMBER_ERROR = "数値で入力してください（例: 113、1,234、98.3）。単位や文字は入れません。"


def parse_number(raw: str) -> Decimal | None:
    """A number as staff type it: full-width digits and thousands separators accepted."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace("，", ",")
    text = text.replace("−", "-").replace(" ", "")
    if not text:
        return None
    if "," in text:
        if not _GROUPED.match(text):
            raise ValidationError("桁区切りのカンマの位置が正しくありません（例: 1,234）。")
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise ValidationError(NUMBER_ERROR)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(NUMBER_ERROR) from exc
    if -value.as_tuple().exponent > 4:
        raise ValidationError("小数点以下は4桁までで入力してください。")
    if abs(value) >= Decimal("1e12"):
        raise ValidationError("数値が大きすぎます（12桁まで）。")
    return value


class NumberField(forms.CharField):
    """A text input that reads a decimal number the way staff type it."""

    def to_python(self, value):
        return parse_number(super().to_python(value))


class ResultEntryForm(forms.Form):
    """The department's entry of one result."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="達成状況",
        choices=[("", "（未選択）"), *Result.Status.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text="年度の実施計画に対して、達成・未達成・未確定のいずれかを選びます。",
    )
    text = forms.CharField(
        label="実施結果",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="この年度に実施したことと、その結果を書きます。箇条書きは「・」で始めます。",
    )
    note = forms.CharField(
        label="確定時期",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text=(
            "「未確定」のときは必ず、いつ確定するかを書きます（例: 令和7年9月の決算で確定）。"
        ),
    )

    def __init__(self, *args, indicators: list[IndicatorRow], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator_rows = indicators
        for row in indicators:
            unit = f"（{row.indicator.unit}）" if row.indicator.unit else ""
            self.fields[f"actual_{row.indicator.pk}"] = NumberField(
                label=f"実績値: {row.indicator.name}{unit}",
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 14}),
                help_text=(
                    "数字で入力します。全角数字や「1,234」のようなカンマも使えます。"
                    + (
                        "この年度は目標値があるので、提出には入力が必要です。"
                        if row.required
                        else ""
                    )
                ),
            )

    def actual_rows(self) -> list[tuple[IndicatorRow, forms.BoundField]]:
        return [(row, self[f"actual_{row.indicator.pk}"]) for row in self.indicator_rows]

    def actuals(self) -> dict[int, Decimal | None]:
        return {
            row.indicator.pk: self.cleaned_data.get(f"actual_{row.indicator.pk}")
            for row in self.indicator_rows
        }


class ReviewForm(forms.Form):
    """HQ's decision on a submitted result."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label="コメント",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="差戻しのときは必ず、何を直してほしいかを書きます（担当課にメールで届きます）。",
    )
