"""「メール送信の状況」: HQ's screen of the notification mails, with 再送 for failed ones."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives.roles import is_hq
from outbox import services
from outbox.models import OutgoingMail

_COLOURS = {
    OutgoingMail.State.PENDING: "#7a4f00",
    OutgoingMail.State.SENT: "#2e7d32",
    OutgoingMail.State.FAILED: "#b3261e",
}


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """Read-only for HQ; the one action sends the chosen mails again."""

    list_display = [
        "created_at",
        "purpose",
        "subject",
        "recipients_display",
        "state_display",
        "attempts",
        "next_attempt_display",
        "error_display",
        "sent_at",
    ]
    list_filter = ["state", "purpose"]
    search_fields = ["subject", "body"]
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]
    actions = ["retry_selected"]
    list_per_page = 50

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_hq(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_hq(request.user)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return is_hq(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("宛先"))
    def recipients_display(self, obj: OutgoingMail) -> str:
        return ", ".join(obj.recipients)

    @admin.display(description=_("状態"), ordering="state")
    def state_display(self, obj: OutgoingMail) -> str:
        return format_html(
            '<span class="state-badge" style="background:{};color:#fff;padding:0 6px">{}</span>',
            _COLOURS[obj.state],
            obj.get_state_display(),
        )

    @admin.display(description=_("次に送る日時"), ordering="next_attempt_at")
    def next_attempt_display(self, obj: OutgoingMail) -> str:
        if obj.state != OutgoingMail.State.PENDING or obj.next_attempt_at is None:
            return "—"
        return timezone.localtime(obj.next_attempt_at).strftime("%m月%d日 %H:%M")

    @admin.display(description=_("最後のエラー"))
    def error_display(self, obj: OutgoingMail) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("選択したメールを再送する"), permissions=["retry"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.retry(
            mail_ids=list(queryset.values_list("pk", flat=True)), user=request.user
        )
        if count:
            self.message_user(
                request,
                f"{count}通を再送の順番待ちに入れました。結果はこの画面で確かめられます。",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "送信済みのメールは再送しません。", messages.WARNING)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        return super().changelist_view(
            request, extra_context={"title": "メール送信の状況", **(extra_context or {})}
        )
