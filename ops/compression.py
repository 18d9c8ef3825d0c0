"""Compression of text answers, leaving the admin alone."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware


class PublicGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (text types only, ≥ 200 bytes, Vary: Accept-Encoding), except
    under the admin: its pages mix a CSRF token and staff data with what a visitor may type,
    the setting in which BREACH reads secrets out of compressed sizes."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path.startswith(f"/{settings.ADMIN_URL}"):
            return response
        if not is_text(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)


# PDF, Excel and images are already compressed; gzipping them costs time and saves nothing.
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/ld+json",
    "application/xml",
    "application/javascript",
)


def is_text(content_type: str) -> bool:
    """Whether an answer of this type is worth compressing."""
    return content_type.startswith(_TEXT_TYPES)
