"""Checks of the committee's attached material: PDF files only, and not too large.

The extension and the first bytes are both checked: a renamed Word file or an image saved
as .pdf is refused before anything is stored, so the public pages link real PDFs only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

PDF_SIGNATURE = b"%PDF-"


def max_material_bytes() -> int:
    return settings.GOVERNANCE_MATERIAL_MAX_BYTES


def size_label(size: int) -> str:
    """10485760 → 10 MB; 512000 → 500 KB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(1, round(size / 1024))} KB"


def validate_material(file) -> None:
    """Refuse anything but a PDF within the size limit, with messages staff understand."""
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".pdf"):
        raise ValidationError(
            "添付できるのは PDF ファイル（.pdf）だけです。"
            "Word や Excel の資料は PDF に変換してから添付してください。",
            code="not_pdf",
        )
    size = file.size
    limit = max_material_bytes()
    if size > limit:
        raise ValidationError(
            f"ファイルが大きすぎます（{size_label(size)}）。"
            f"{size_label(limit)} までのファイルを添付してください。",
            code="too_large",
        )
    if size == 0:
        raise ValidationError("ファイルが空です。", code="empty")
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(len(PDF_SIGNATURE))
    file.seek(position)
    if head != PDF_SIGNATURE:
        raise ValidationError(
            "PDF ファイルとして読めません（名前は .pdf ですが中身が PDF ではありません）。"
            "PDF として保存し直してから添付してください。",
            code="not_pdf_content",
        )
