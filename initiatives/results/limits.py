"""What a typed text of the results workflow may hold: its length and its characters.

The limits are settings (RESULT_TEXT_MAX_CHARS, NOTE_MAX_CHARS, COMMENT_MAX_CHARS, see the
README's Settings); the entry and review forms, the services (and so the workbook import,
which saves through them) all check through `check_text`. A line break counts as one
character, whether the browser sent CRLF or LF, as the screen's counter counts it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError

# C0 control characters other than tab, line feed and carriage return, and DEL: invisible,
# never typed, refused by PostgreSQL (NUL) and by the Excel format (the others).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

LABELS = {"text": "実施結果", "note": "確定時期", "comment": "コメント"}


def max_chars(field: str) -> int:
    """The setting that limits `field` (text, note or comment)."""
    return {
        "text": settings.RESULT_TEXT_MAX_CHARS,
        "note": settings.NOTE_MAX_CHARS,
        "comment": settings.COMMENT_MAX_CHARS,
    }[field]


def length(value: str) -> int:
    """Characters as staff count them: CRLF is one line break."""
    return len(value) - value.count("\r\n")


def text_errors(field: str, value: str) -> list[str]:
    """Why `value` cannot be stored as `field` (empty when it can)."""
    errors = []
    limit, label = max_chars(field), LABELS[field]
    if length(value) > limit:
        errors.append(
            f"{label}は{limit:,}字以内で入力してください（いま{length(value):,}字です）。"
            "入力した内容は消していません。短くしてから、もう一度保存してください。"
        )
    if _CONTROL.search(value):
        errors.append(
            f"{label}に表示できない制御文字が含まれています（他のソフトから貼り付けると入ることが"
            "あります）。その部分を入力し直してから保存してください。"
        )
    return errors


def check_text(**fields: str) -> None:
    """Raise a ValidationError keyed by field for every value that cannot be stored."""
    errors = {name: text_errors(name, value) for name, value in fields.items()}
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)
