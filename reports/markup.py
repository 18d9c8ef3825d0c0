"""The plan sections' light Markdown ("## ", "### ", "・" bullets, |-tables) as HTML."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def light_markdown(text: str) -> SafeString:
    """Paragraphs split by blank lines; headings, ・ lists and |-tables become HTML."""
    out: list[str] = []
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
                tag = "h4" if line.startswith("### ") else "h3"
                out.append(f"<{tag}>{escape(line.split(' ', 1)[1])}</{tag}>")
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
