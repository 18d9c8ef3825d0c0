"""What a typed text of the results workflow may hold: its length and its characters.

The limits are settings (RESULT_TEXT_MAX_CHARS, NOTE_MAX_CHARS, COMMENT_MAX_CHARS, see the
README's Settings); the entry and review forms, the services (and so the workbook import,
which saves through them) all check through `check_text`. The city's guidance for
実施結果 (RESULT_TEXT_GUIDE_CHARS, RESULT_TEXT_SOFT_CHARS: about 120 characters, a warning
past 200) lives here too (`guidance`), for the entry screen's live count. A line break counts as one
character, whether the browser sent CRLF or LF, as the screen's counter counts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Guidance:
    """How long a text should be: about `guide`, a warning past `soft`, never past `limit`."""

    guide: int
    soft: int
    limit: int

    def level(self, count: int) -> str:
        if count > self.limit:
            return "over-limit"
        if count > self.soft:
            return "over-soft"
        if count > self.guide:
            return "over-guide"
        return ""

    def message(self, count: int) -> str:
        """What the count beside the field says (the script says the same as one types)."""
        text = f"いま{count:,}字（目安 {self.guide:,}字程度・上限 {self.limit:,}字）"
        level = self.level(count)
        if level == "over-limit":
            return (
                f"{text}。上限を{count - self.limit:,}字超えています。短くしないと保存できません。"
            )
        if level == "over-soft":
            return (
                f"{text}。{self.soft:,}字を超えています。"
                "報告書の1ページに収まるよう短くしてください。"
            )
        return text


def guidance(field: str = "text") -> Guidance:
    """The guidance of `field`; only 実施結果 has a guide, the others only their limit."""
    limit = max_chars(field)
    if field != "text":
        return Guidance(guide=limit, soft=limit, limit=limit)
    soft = min(settings.RESULT_TEXT_SOFT_CHARS, limit)
    return Guidance(guide=min(settings.RESULT_TEXT_GUIDE_CHARS, soft), soft=soft, limit=limit)
