"""Forms of the response entry and review screens: parsing only; the rules live in the
services and the transition table."""

from __future__ import annotations

from django import forms

from governance.vocabulary import ResponseStatus


class ResponseEntryForm(forms.Form):
    """The department's draft of the city's response to one opinion."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="対応区分",
        choices=[("", "（未選択）"), *ResponseStatus.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text="対応済・対応中・今後検討・対応しない のいずれかを選びます。",
    )
    text = forms.CharField(
        label="対応方針",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="意見・提言を受けて市が何をするか（したか）を、市民が読んで分かるように書きます。",
    )
    reason = forms.CharField(
        label="理由・今後の見通し",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="「対応しない」ときはその理由、「今後検討」のときは検討の見通しを必ず書きます。",
    )


class ReviewForm(forms.Form):
    """HQ's decision on a submitted response."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label="コメント",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="差戻しのときは必ず、何を直してほしいかを書きます（担当課にメールで届きます）。",
    )
