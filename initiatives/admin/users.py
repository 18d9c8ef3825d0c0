"""Users and their roles: the departments a user enters results for (所属する担当課);
HQ reviewers are members of the group 推進本部 (`initiatives.roles`)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from initiatives.models import DepartmentMembership


class DepartmentMembershipInline(admin.TabularInline):
    model = DepartmentMembership
    extra = 1
    autocomplete_fields = ["department"]
    verbose_name = _("所属する担当課")
    verbose_name_plural = _("所属する担当課（実施結果を入力する課）")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users with the departments they enter results for (推進本部 is a group)."""

    inlines = [DepartmentMembershipInline]
    list_display = ["username", "last_name", "first_name", "email", "is_staff", "departments"]

    @admin.display(description=_("担当課"))
    def departments(self, obj) -> str:
        return "、".join(m.department.name for m in obj.department_memberships.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("department_memberships__department")
