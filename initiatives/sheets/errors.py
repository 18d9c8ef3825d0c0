"""The error the spreadsheet readers raise for a file they cannot use, and the messages
they share (`io`, `archive`, `xmlscan`, `tables`). Every message is Japanese and says what
to do."""

from __future__ import annotations

from django.core.exceptions import ValidationError

ACCEPTED_FORMATS = "Excel ブック（.xlsx）、CSV（UTF-8 または Shift_JIS）"


class SpreadsheetError(ValidationError):
    """The uploaded file cannot be used; the message says why and what to do."""


def spreadsheet_error(message: str) -> SpreadsheetError:
    return SpreadsheetError(message, code="spreadsheet")


def not_spreadsheet() -> SpreadsheetError:
    return spreadsheet_error(
        "表計算のファイルとして読めません。壊れているか、別の種類のファイルです。"
        f"{ACCEPTED_FORMATS}を選んでください（書き出したファイルを Excel や LibreOffice で"
        "開いて編集し、同じ形式で保存したものを使います）。"
    )


def too_big(what: str) -> SpreadsheetError:
    """The contents exceed a limit (`what` says which, with the limit)."""
    return spreadsheet_error(
        f"ファイルの中身が大きすぎます（{what}）。このシステムから書き出したファイルに入力して"
        "使ってください。不要なシート・行・列・書式を削除するか、ファイルを分けてください。"
    )


def damaged_xlsx() -> SpreadsheetError:
    return spreadsheet_error(
        "Excel ファイル（.xlsx）が壊れているため読めません（途中までしか保存されていない、"
        "または転送中に欠けた可能性があります）。元のファイルを Excel や LibreOffice で"
        "開けるか確かめ、保存し直してから選んでください。"
    )
