"""The plan import form: the uploaded file (refused by size before it is read) and the
revision the import is recorded as (表示名, 年月日, 改訂コード), checked against the plan's
revisions with messages saying what to change."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from initiatives.models import Plan, PlanRevision
from initiatives.sheets.io import MAX_UPLOAD_LABEL, SpreadsheetError, read_upload_bytes
from initiatives.sheets.plan_workbook.columns import nfkc
from initiatives.vocabulary import era_short

_REVISION_CODE = re.compile(r"^[0-9A-Z][0-9A-Z-]*$")
_REVISION_CODE_LENGTH = 20


@dataclass
class RevisionSpec:
    """The revision an import is recorded as: an existing one, or one to create."""

    code: str
    label: str
    date: datetime.date
    existing: PlanRevision | None = None


def resolve_revision(*, plan: Plan, code: str, label: str, date: datetime.date) -> RevisionSpec:
    """Check the revision fields of the import form; raise ValidationError in Japanese."""
    code = nfkc(code).upper() or era_short(date.year)
    label = label.strip()
    if not _REVISION_CODE.match(code) or len(code) > _REVISION_CODE_LENGTH:
        raise ValidationError(
            {"revision_code": "改訂コードは半角英数字とハイフンで、20文字以内にしてください。"}
        )
    existing = plan.revisions.filter(code=code).first()
    if existing is not None:
        _check_same_revision(existing, label=label, date=date)
    return RevisionSpec(code=code, label=label, date=date, existing=existing)


def _check_same_revision(existing: PlanRevision, *, label: str, date: datetime.date) -> None:
    """An import may add to an existing revision only when it names it the same way."""
    code = existing.code
    if existing.kind != PlanRevision.Kind.REVISION:
        message = (
            f"改訂コード {code} は「{existing.label}」（実施結果の更新）です。"
            "別のコードにしてください。"
        )
    elif existing.label != label or existing.date != date:
        message = (
            f"改訂コード {code} は既にあります（「{existing.label}」、"
            f"{existing.date:%Y年%m月%d日}）。同じ改訂に追加するときは表示名と"
            "年月も同じにし、別の改訂にするときは別のコードにしてください。"
        )
    else:
        return
    raise ValidationError({"revision_code": message})


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label="ファイル",
        help_text=(
            f"このシステムから書き出したブック（.xlsx）を編集したもの。CSV は取組シートだけです。"
            f"{MAX_UPLOAD_LABEL} まで。"
        ),
    )
    revision_label = forms.CharField(
        label="改訂の表示名",
        max_length=PlanRevision._meta.get_field("label").max_length,
        help_text="例: 令和7年4月 改訂版",
    )
    revision_date = forms.DateField(
        label="改訂の年月日",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="例: 2025-04-01",
    )
    revision_code = forms.CharField(
        label="改訂コード",
        max_length=_REVISION_CODE_LENGTH,
        required=False,
        help_text=(
            "新しい取組に【コード新規】と表示されます（例: R7）。空欄なら年月から決めます。"
            "既にある改訂のコードを書くと、その改訂に追加します。"
        ),
    )

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.content: bytes | None = None
        self.revision: RevisionSpec | None = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            self.content = read_upload_bytes(uploaded)
        except SpreadsheetError as error:
            raise ValidationError(error.messages) from None
        return uploaded

    def clean(self) -> dict:
        data = super().clean()
        if data.get("revision_label") and data.get("revision_date"):
            try:
                self.revision = resolve_revision(
                    plan=self.plan,
                    code=data.get("revision_code", ""),
                    label=data["revision_label"],
                    date=data["revision_date"],
                )
            except ValidationError as error:
                for name, errors in error.error_dict.items():
                    self.add_error(name, errors)
        return data
