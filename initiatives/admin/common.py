"""What the results screens share: the state badge, the page context of an extra screen,
and the base of the screens that only HQ reviewers open."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from initiatives.models import Plan, Result
from initiatives.results import transitions
from initiatives.roles import is_hq


def state_badge(state: str) -> str:
    return format_html(
        '<span class="state-badge" style="background:{}">{}</span>',
        transitions.colour(state),
        Result.State(state).label,
    )


class ScreenContext:
    """The admin's page context for a ModelAdmin's own extra screens."""

    def _context(self, request: HttpRequest, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            **extra,
        }


class HQOnlyAdmin(admin.ModelAdmin):
    """Screens for HQ reviewers only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_hq(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_hq(request.user)


class ReadOnlyHQAdmin(HQOnlyAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def several_plans(request: HttpRequest) -> bool:
    """More than one plan is held: lists then name each row's plan (in the spring after a
    plan's last year, a department works on two). Asked once per request."""
    if not hasattr(request, "_several_plans"):
        request._several_plans = Plan.objects.count() > 1
    return request._several_plans
