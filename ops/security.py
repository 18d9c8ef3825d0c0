"""Login throttling (django-axes) glue."""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lock-out check for every login that comes with a request.

    A login without a request (the test client's `login()`, a shell) cannot be a remote
    guess; it goes on to the next backend instead of raising as axes' own backend does.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the one TRUSTED_PROXY_COUNT proxies saw.

    Only an address is taken from X-Forwarded-For: anything else there (the header is text
    a client can send) falls back to REMOTE_ADDR, as django-axes stores the value in an
    address column."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies and _is_address(hops[-proxies]):
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username django-axes records for a login: at most 150 characters (the longest a
    user name can be), as its columns hold 255 and a longer posted name failed the insert."""
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:150] if isinstance(username, str) else username
