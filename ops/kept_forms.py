"""Typed input kept across an expired session.

A form posted to the admin after the session expired cannot be saved (nobody is logged
in), but its fields must not be lost: `ExpiredSessionMiddleware` keeps them in the new
(anonymous) session under a random token and sends the user to the login page with
`?kept=<token>` in the return address. Logging in keeps the session's data, and the screen
the form came from puts the fields back with `take` (the entry screen of a result does) —
never saving them by itself.
"""

from __future__ import annotations

import json
import secrets

from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "kept_forms"
PARAMETER = "kept"
MAX_KEPT = 3  # forms kept per session (the latest ones)
MAX_BYTES = 256 * 1024  # a bigger post is not kept
KEEP_SECONDS = 24 * 60 * 60
_SKIPPED = {"csrfmiddlewaretoken"}


def keep(request: HttpRequest) -> str | None:
    """Keep the posted fields of `request` (not files); the token, or None if too big."""
    fields = {name: values for name, values in request.POST.lists() if name not in _SKIPPED}
    if len(json.dumps(fields, ensure_ascii=False).encode()) > MAX_BYTES:
        return None
    token = secrets.token_urlsafe(16)
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept[token] = {"path": request.path, "fields": fields, "at": timezone.now().timestamp()}
    newest = sorted(kept.items(), key=lambda item: item[1]["at"])[-MAX_KEPT:]
    request.session[SESSION_KEY] = dict(newest)
    return token


def take(request: HttpRequest) -> dict[str, list[str]] | None:
    """The fields kept for this screen under the request's `?kept=` token, removed from the
    session; None when there are none (unknown token, another screen's, too old)."""
    token = request.GET.get(PARAMETER, "")
    kept = dict(request.session.get(SESSION_KEY, {}))
    entry = kept.pop(token, None)
    if entry is None:
        return None
    request.session[SESSION_KEY] = kept
    fresh = timezone.now().timestamp() - entry["at"] <= KEEP_SECONDS
    return entry["fields"] if fresh and entry["path"] == request.path else None


def last(fields: dict[str, list[str]], name: str, default: str = "") -> str:
    values = fields.get(name) or [default]
    return values[-1]
