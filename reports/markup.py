"""The plan sections' light Markdown ("## ", "### ", "・" bullets, |-tables) as HTML.

"## " headings are a section's parts ((1), (2) …): they get ids (`<anchor>-1`, …) so the
contents list can point at them, and `section_parts` lists them for it."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def section_parts(text: str) -> list[str]:
    """The "## " headings of a section body, in order."""
    return [
        line.strip()[3:].strip()
        for line in text.replace("\r\n", "\n").split("\n")
        if line.strip().startswith("## ")
    ]


def light_markdown(text: str, anchor: str = "") -> SafeString:
    """Paragraphs split by blank lines; headings, ・ lists and |-tables become HTML.

    With `anchor`, the n-th "## " heading gets the id `<anchor>-<n>`. "## " is an h3 and
    "### " an h4 beneath it; in a body without "## " parts, "### " is the h3 (headings never
    skip a level, as PDF/UA asks)."""
    out: list[str] = []
    parts = 0
    minor = "h4" if section_parts(text) else "h3"
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        paragraph: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            if line.startswith("### ") or line.startswith("## "):
                _flush(paragraph, out)
                is_part = line.startswith("## ")
                tag = "h3" if is_part else minor
                attrs = ""
                if is_part:
                    parts += 1
                    attrs = f' id="{escape(anchor)}-{parts}"' if anchor else ""
                out.append(f"<{tag}{attrs}>{escape(line.split(' ', 1)[1].strip())}</{tag}>")
            elif line.startswith("・"):
                _flush(paragraph, out)
                items = []
                while i < len(lines) and lines[i].strip().startswith("・"):
                    items.append(f"<li>{escape(lines[i].strip()[1:])}</li>")
                    i += 1
                out.append(f'<ul class="dots">{"".join(items)}</ul>')
                continue
            elif line.startswith("|"):
                _flush(paragraph, out)
                rows = []
                while i < len(lines) and lines[i].strip().startswith("|"):
                    cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                    if not all(set(c) <= set("-: ") for c in cells):
                        rows.append(cells)
                    i += 1
                out.append(_table(rows))
                continue
            else:
                paragraph.append(escape(line))
            i += 1
        _flush(paragraph, out)
    return mark_safe("\n".join(out))


def _flush(paragraph: list[str], out: list[str]) -> None:
    if paragraph:
        out.append(f"<p>{'<br>'.join(paragraph)}</p>")
        paragraph.clear()


def _table(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    cols = "".join(f'<col style="width:{100 / width:.2f}%">' for _ in range(width))
    head = "".join(f"<th>{escape(c)}</th>" for c in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows[1:]
    )
    return (
        f'<table class="grid"><colgroup>{cols}</colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
