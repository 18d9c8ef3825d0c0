"""The character difference between two texts, in bounded time.

difflib's SequenceMatcher is quadratic to cubic on long or repetitive text: two versions of
20,000 characters took 30 s, "a"×400 against "ab"×200 takes seconds. This is Myers'
O((N+M)·D) algorithm (the one git uses) with a budget of steps: the common start and end
are cut off first, and when the rest would need more than MAX_WORK steps the difference is
given up and the caller shows both texts whole with TOO_LARGE. A character difference reads
well for Japanese text, where words are not separated by spaces.
"""

from __future__ import annotations

from dataclasses import dataclass

# Steps (diagonal moves and edits) one difference may take: about 0.1 s in CPython. Two
# results of the longest allowed length (RESULT_TEXT_MAX_CHARS, 400 by default) with any
# realistic edit fit easily; only texts rewritten almost entirely run out.
MAX_WORK = 200_000
TOO_LARGE = "差分が大きすぎるため表示できません。提出時と承認時の全文を並べて表示します。"


@dataclass
class TextDiff:
    """The difference between two texts, as (kind, text) pieces: equal, delete, insert.

    `too_large` is set (and `pieces` empty) when the difference was not worked out within
    MAX_WORK steps; `work` is the number of steps taken."""

    before: str
    after: str
    pieces: list[tuple[str, str]]
    too_large: bool = False
    work: int = 0

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def too_large_message(self) -> str:
        return TOO_LARGE if self.too_large else ""


def text_diff(before: str, after: str, *, max_work: int = MAX_WORK) -> TextDiff:
    """Character-level difference of `before` and `after`, or `too_large` past `max_work`."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    a = before[start : len(before) - end]
    b = after[start : len(after) - end]
    edits, work = _myers(a, b, max_work)
    if edits is None:
        return TextDiff(before=before, after=after, pieces=[], too_large=True, work=work)
    pieces: list[tuple[str, str]] = []
    if start:
        pieces.append(("equal", before[:start]))
    pieces.extend(_pieces(edits, a, b))
    if end:
        pieces.append(("equal", before[len(before) - end :]))
    return TextDiff(before=before, after=after, pieces=_merged(pieces), work=work)


def _myers(a: str, b: str, max_work: int) -> tuple[list[str] | None, int]:
    """The shortest edit script from a to b as one letter per step: '=' keep, '-' delete a
    character of a, '+' insert one of b. None when it needs more than `max_work` steps."""
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return ["-"] * n + ["+"] * m, n + m
    offset = n + m + 1
    v = [0] * (2 * offset + 1)
    trace: list[list[int]] = []
    work = 0
    for d in range(n + m + 1):
        # V before this round, for the path back (only the diagonals -d-1 … d+1 matter).
        trace.append(v[offset - d - 1 : offset + d + 2])
        work += 2 * d + 3
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1]):
                x = v[offset + k + 1]
            else:
                x = v[offset + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
                work += 1
            v[offset + k] = x
            work += 1
            if x >= n and y >= m:
                return _backtrack(trace, n, m), work
        if work > max_work:
            return None, work
    raise AssertionError("unreachable: d = n + m always reaches the end")


def _backtrack(trace: list[list[int]], n: int, m: int) -> list[str]:
    """Walk the saved rounds back from (n, m) to (0, 0), collecting the script."""
    x, y = n, m
    script: list[str] = []
    for d in range(len(trace) - 1, -1, -1):
        saved = trace[d]  # saved[k + d + 1] is V[k] for k in -d-1 … d+1
        k = x - y
        down = k == -d or (k != d and saved[k - 1 + d + 1] < saved[k + 1 + d + 1])
        previous_k = k + 1 if down else k - 1
        previous_x = saved[previous_k + d + 1] if d else 0
        previous_y = previous_x - previous_k if d else 0
        while x > previous_x and y > previous_y:
            script.append("=")
            x, y = x - 1, y - 1
        if d:
            script.append("+" if x == previous_x else "-")
        x, y = previous_x, previous_y
    script.reverse()
    return script


def _pieces(script: list[str], a: str, b: str) -> list[tuple[str, str]]:
    """The script as pieces; within a change, the deleted text comes before the inserted."""
    pieces: list[tuple[str, str]] = []
    i = j = 0
    deleted: list[str] = []
    inserted: list[str] = []
    for step in script:
        if step == "=":
            if deleted or inserted:
                pieces += [("delete", "".join(deleted))] if deleted else []
                pieces += [("insert", "".join(inserted))] if inserted else []
                deleted, inserted = [], []
            pieces.append(("equal", a[i]))
            i, j = i + 1, j + 1
        elif step == "-":
            deleted.append(a[i])
            i += 1
        else:
            inserted.append(b[j])
            j += 1
    pieces += [("delete", "".join(deleted))] if deleted else []
    pieces += [("insert", "".join(inserted))] if inserted else []
    return pieces


def _merged(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for kind, text in pieces:
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, merged[-1][1] + text)
        elif text:
            merged.append((kind, text))
    return merged
