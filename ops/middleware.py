"""Request guards: oversized bodies, input no screen can mean, forms posted after the
session expired."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import loader
from django.urls import reverse

from ops import kept_forms


class RequestSizeLimitMiddleware:
    """Refuses a request whose body is larger than MAX_REQUEST_SIZE with a 413 page.

    Django limits form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams uploaded files to
    disk whatever their size; this caps the whole body, uploads included, before it is read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_SIZE:
            return HttpResponse(loader.render_to_string("413.html"), status=413)
        return self.get_response(request)


# C0 control characters and DEL. A path, a query string, a cookie or a header has no use for
# any of them; PostgreSQL cannot store NUL at all (a query with one fails), so NUL is also
# refused in form fields. Tab, line feed and carriage return are normal in typed text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NUL = "\x00"


def _has_control(values: Iterable[str]) -> bool:
    return any(_CONTROL.search(value) for value in values)


class HostileInputMiddleware:
    """Answers the Japanese 400 page for input no screen can mean, before any view runs.

    Control characters in the path or the query string, NUL in form fields or headers: such
    input cannot name a page or a record, and would otherwise reach the database (PostgreSQL
    refuses NUL with an error, i.e. a 500). A cookie holding control characters cannot be one
    this site set: it is dropped, so the request goes on as if it had not been sent.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._refused(request):
            return HttpResponse(loader.render_to_string("400.html"), status=400)
        for name in [k for k, v in request.COOKIES.items() if _has_control((k, v))]:
            del request.COOKIES[name]
        return self.get_response(request)

    def _refused(self, request: HttpRequest) -> bool:
        if _has_control((request.path, request.path_info)):
            return True
        if any(_NUL in value for name, value in request.META.items() if name.startswith("HTTP_")):
            return True
        query = request.GET
        if _has_control(query.keys()) or any(_has_control(v) for _k, v in query.lists()):
            return True
        if request.method == "POST" and request.content_type in _FORM_TYPES:
            fields = request.POST
            if any(_NUL in key for key in fields) or any(
                _NUL in value for _key, values in fields.lists() for value in values
            ):
                return True
        return False


_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class ExpiredSessionMiddleware:
    """A form posted to the admin without a valid login keeps its fields (ops.kept_forms).

    Without this the admin answered with the login page and the typed text was gone. Runs
    after the CSRF check (as process_view), so only a form from this site's own pages is
    kept, and never for the login and logout forms themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method != "POST"
            or match is None
            or match.namespace != "admin"
            or match.url_name in ("login", "logout")
            or (request.user.is_active and request.user.is_staff)
        ):
            return None
        token = kept_forms.keep(request)
        if token is None:
            messages.warning(
                request,
                "ログインの有効期限が切れたため保存していません。送信された内容が大きすぎて"
                "預かれませんでした。ログインし直して、もう一度入力してください。",
            )
            target = request.path
        else:
            messages.warning(
                request,
                "ログインの有効期限が切れたため保存していません。入力内容は預かっています。"
                "ログインし直すと、入力した画面に戻して表示します。",
            )
            target = f"{request.path}?{urlencode({kept_forms.PARAMETER: token})}"
        login = reverse("admin:login")
        return HttpResponseRedirect(f"{login}?{urlencode({REDIRECT_FIELD_NAME: target})}")
