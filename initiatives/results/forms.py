"""Forms of the results entry and review screens: parsing only; the rules live in the
services and the transition table."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from initiatives.models import Result
from initiatives.results import limits
from initiatives.results.selectors import IndicatorRow
from initiatives.vocabulary import NUMBER_HELP, parse_number


class NumberField(forms.CharField):
    """A text input that reads a decimal number the way staff type it."""

    def __init__(self, *, units: tuple[str, ...] = (), **kwargs) -> None:
        self.units = units
        super().__init__(**kwargs)

    def to_python(self, value):
        return parse_number(super().to_python(value), units=self.units)


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

    expected_decision_month = forms.DateField(
        label="確定予定月",
        required=False,
        input_formats=["%Y-%m", "%Y-%m-%d", "%Y/%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=(
            "「未確定」のとき、確定する見込みの月。空なら確定時期の文（例: 令和7年9月）から"
            "読み取ります。その月になると担当課にお知らせが届きます。"
        ),
    )
    consistency_reason = forms.CharField(
        label="確認事項を承知で提出する理由（一行）",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "size": 80,
                "aria-describedby": "consistency-findings id_consistency_reason_helptext",
            }
        ),
        help_text="200字以内・改行なし。推進本部が確認し、公開時に達成状況の横に表示されます。",
    )

    def __init__(self, *args, indicators: list[IndicatorRow], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "text", "note")
        # The live count (static/js/entry.js) reads the city's guidance from the field; the
        # count's line is rendered by the server too, so it is there without the script.
        guide = limits.guidance("text")
        self.fields["text"].widget.attrs.update(
            {
                "data-guide": guide.guide,
                "data-soft": guide.soft,
                "data-limit": guide.limit,
                "aria-describedby": "id_text_helptext id_text_count",
            }
        )
        self.indicator_rows = indicators
        for row in indicators:
            unit = f"（{row.indicator.unit}）" if row.indicator.unit else ""
            self.fields[f"actual_{row.indicator.pk}"] = NumberField(
                label=f"実績値: {row.indicator.name}{unit}",
                required=False,
                units=(row.indicator.unit,),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 14}),
                help_text=(
                    NUMBER_HELP
                    + (
                        "この年度は目標値があるので、提出には入力が必要です。"
                        if row.required
                        else ""
                    )
                ),
            )

    def clean_text(self) -> str:
        return _checked(self, "text")

    def text_count(self) -> str:
        """The count line under 実施結果, for the text as it is now on the screen."""
        value = self.data.get("text", "") if self.is_bound else self.initial.get("text") or ""
        return limits.guidance("text").message(limits.length(value))

    def text_level(self) -> str:
        value = self.data.get("text", "") if self.is_bound else self.initial.get("text") or ""
        return limits.guidance("text").level(limits.length(value))

    def clean_note(self) -> str:
        return _checked(self, "note")

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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "comment")

    def clean_comment(self) -> str:
        return _checked(self, "comment")


def _limit(form: forms.Form, *names: str) -> None:
    """Each field's limit in its help line. No maxlength attribute: a browser cuts a longer
    pasted text there without a word, and the cut-off part is lost; the server's error keeps
    the whole text on the screen instead."""
    for name in names:
        field = form.fields[name]
        field.help_text = f"{field.help_text}（{limits.max_chars(name):,}字まで）"


def _checked(form: forms.Form, name: str) -> str:
    value = form.cleaned_data.get(name, "")
    errors = limits.text_errors(name, value)
    if errors:
        raise forms.ValidationError(errors)
    return value
