"""Search boxes, once: how a typed query becomes words and which rows a word matches.

The public initiative list and the admin's search boxes both ask here, so 「ＤＸ」 finds
what 「DX」 finds and 「No.15」, 「15」 and 「R6-5」 find the initiative of that number
everywhere. The words come from `vocabulary.normalise_search_text` (NFKC) and
`vocabulary.initiative_code`; matching is case-insensitive (`icontains`). A query keeps
its first few words and each word a bounded length, so that a hostile query cannot
multiply joins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from initiatives.vocabulary import initiative_code, normalise_search_text

MAX_WORDS = 8
MAX_WORD_CHARS = 100
# 「No. 15」: the number typed apart from its 「No.」 is still one word.
_NUMBER_APART = re.compile(r"(?i)\bno\.?\s+(?=(?:R\d+-)?\d)")


@dataclass(frozen=True)
class Word:
    """One word of a query: its normalised text, the initiative code it may name, and the
    word as typed (stored texts keep full-width brackets and digits: 「（累計）」)."""

    text: str
    code: str | None
    typed: str = ""


def search_words(query: str | None) -> list[Word]:
    """The words of `query` (split on any space, full-width included)."""
    typed = (query or "").split()
    text = _NUMBER_APART.sub("No.", normalise_search_text(query or ""))
    words = text.split()[:MAX_WORDS]
    # The typed word is kept where the folded query splits the same way (no 「No. 15」 join).
    kept = typed if len(typed) == len(text.split()) else words
    return [
        Word(text=w[:MAX_WORD_CHARS], code=initiative_code(w), typed=t[:MAX_WORD_CHARS])
        for w, t in zip(words, kept, strict=False)
    ]


def word_q(word: Word, *, texts: Iterable[str], codes: Iterable[str] = ()) -> Q:
    """Rows where `word` appears in one of the `texts` lookups (icontains) or is the code
    of one of the `codes` lookups (exact).

    A word written as an initiative's number (「No.15」, 「15」, 「R6-5」) means that
    initiative: it matches codes only, not every text where 15 appears (「15件」)."""
    q = Q(pk__in=[])  # matches nothing; the alternatives are OR-ed onto it
    if word.code is None:
        for path in texts:
            q |= Q(**{f"{path}__icontains": word.text})
            if word.typed and word.typed != word.text:
                q |= Q(**{f"{path}__icontains": word.typed})
    for path in codes:
        q |= Q(**{f"{path}__iexact": word.code or word.text})
    return q
