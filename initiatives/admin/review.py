"""HQ's review screens in the results admin: the queue that walks the submitted results one
by one (承認 / 差戻し move on to the next), and the bulk steps with their confirmation page.

Mixins of ResultAdmin, so that the URLs stay under /admin/initiatives/result/. Reads come
from `results.review`, every step goes through `results.services`, and who may do what is
asked of `results.permissions`.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from initiatives.admin.common import state_badge
from initiatives.models import Result
from initiatives.results import services
from initiatives.results.forms import ReviewForm
from initiatives.results.permissions import Action, check, restrict
from initiatives.results.review import (
    QueueOrder,
    after_decision,
    bulk_preview,
    position,
    review_item,
    review_queue,
)
from initiatives.results.transitions import Step

_DONE = {
    "approve": "No.{code} を承認しました。担当課に通知しました。",
    "return": "No.{code} を差し戻しました。担当課に通知しました。",
}


class ReviewScreens:
    """The review queue of ResultAdmin (HQ only)."""

    def review_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [path("review/", wrap(self.review_view), name="initiatives_result_review")]

    def _review_url(self, order: str, pk: int | None) -> str:
        query = {"order": order, **({"id": pk} if pk else {})}
        return f"{reverse('admin:initiatives_result_review')}?{urlencode(query)}"

    def review_view(self, request: HttpRequest) -> HttpResponse:
        """実施結果の確認: one submitted result at a time, with 前へ / 次へ, 承認 and 差戻し."""
        check(request.user, None, Action.REVIEW)
        source = request.POST if request.method == "POST" else request.GET
        order = source.get("order", "")
        order = order if order in QueueOrder.values else QueueOrder.POLICY
        raw = source.get("id", "")
        # A database key has at most 18 digits; a longer "id" is no result at all.
        current = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
        queue = review_queue(user=request.user, order=order)
        status, form = 200, None
        if request.method == "POST":
            action = request.POST.get("_action", "")
            if action not in _DONE or current is None:
                return HttpResponse("不明な操作です。", status=400)
            result = get_object_or_404(
                restrict(Result.objects.all(), request.user, Action.VIEW), pk=current
            )
            form = ReviewForm(request.POST)
            status = self._decide(request, result, form, action)
            if status == 302:
                return HttpResponseRedirect(self._review_url(order, after_decision(queue, current)))
        here = position(queue, current)
        if request.method == "GET" and here.current is not None and here.index == 0:
            # Decided meanwhile, or an old or foreign link: go to the head of the queue.
            gone = (
                restrict(Result.objects.all(), request.user, Action.VIEW)
                .select_related("initiative")
                .filter(pk=here.current)
                .first()
            )
            if gone is not None:
                self.message_user(
                    request,
                    f"No.{gone.initiative.code} はもう提出済ではありません"
                    f"（{gone.get_state_display()}）。確認待ちの先頭を表示します。",
                    messages.INFO,
                )
            return HttpResponseRedirect(self._review_url(order, here.next))
        result = None
        if here.current is not None:
            result = (
                restrict(Result.objects.all(), request.user, Action.VIEW)
                .select_related("initiative", "fiscal_year", "updated_by")
                .filter(pk=here.current)
                .first()
            )
        if form is None and result is not None:
            form = ReviewForm(initial={"version": result.version})
        return TemplateResponse(
            request,
            "admin/initiatives/result/review.html",
            self._context(
                request,
                title="実施結果の確認",
                order=order,
                orders=[
                    (value, label, self._review_url(value, None))
                    for value, label in QueueOrder.choices
                ],
                here=here,
                previous_url=self._review_url(order, here.previous) if here.previous else "",
                next_url=self._review_url(order, here.next) if here.next else "",
                item=review_item(result=result) if result is not None else None,
                state_badge=state_badge(result.state) if result is not None else "",
                review_form=form,
                conflict=status == 409,
                list_url=reverse("admin:initiatives_result_changelist")
                + "?state__exact="
                + Result.State.SUBMITTED,
            ),
            status=status,
        )

    def _decide(self, request: HttpRequest, result: Result, form: ReviewForm, action: str) -> int:
        """Apply 承認 or 差戻し through the services: 302 done, 200 refused, 409 stale."""
        if not form.is_valid():
            return 200
        step = services.approve_result if action == "approve" else services.return_result
        try:
            step(
                result=result,
                user=request.user,
                version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except services.StaleResultError as error:
            form.add_error(None, str(error))
            return 409
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
            return 200
        self.message_user(
            request, _DONE[action].format(code=result.initiative.code), messages.SUCCESS
        )
        return 302


class BulkSteps:
    """The results list's bulk actions: a confirmation page first, then one transaction."""

    @admin.action(description=_("選択した実施結果を提出する"), permissions=["edit"])
    def submit_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._bulk(request, queryset, Step.SUBMIT, "提出")

    @admin.action(description=_("選択した提出済の実施結果を承認する"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._bulk(request, queryset, Step.APPROVE, "承認")

    def _bulk(
        self, request: HttpRequest, queryset: QuerySet, step: Step, verb: str
    ) -> HttpResponse | None:
        """Show what the step will do to each selected result; on 「確定」, take it on the
        listed ones in one transaction. Every count is of the listed rows, never a
        difference of counts taken at different times."""
        rows = bulk_preview(selected=queryset, user=request.user, step=step)
        applying = [row.result for row in rows if row.applies]
        if request.POST.get("confirm") != "yes":
            return self._bulk_page(request, rows, step, verb)
        seen = services.parse_seen_versions(request.POST.get("seen"))
        try:
            outcome = services.take_step_in_bulk(
                step=step, user=request.user, results=applying, seen=seen
            )
        except services.StaleResultError as error:
            return self._bulk_page(request, rows, step, verb, conflict=str(error))
        if outcome.done:
            self.message_user(request, f"{len(outcome.done)}件を{verb}しました。", messages.SUCCESS)
        for result, reason in outcome.refused:
            self.message_user(
                request,
                f"{verb}できませんでした — No.{result.initiative.code}: {reason}",
                messages.ERROR,
            )
        skipped = [row for row in rows if not row.applies]
        if skipped:
            why = Counter(row.skip_reason for row in skipped)
            detail = "、".join(f"{reason} {n}件" for reason, n in why.items())
            self.message_user(
                request, f"{len(skipped)}件は何もしていません（{detail}）。", messages.WARNING
            )
        unseen = len(applying) - len(seen or {})
        if unseen > 0:
            self.message_user(
                request,
                f"確認画面の後に対象になった{unseen}件は{verb}していません。",
                messages.WARNING,
            )
        return None

    def _bulk_page(
        self, request: HttpRequest, rows: list, step: Step, verb: str, conflict: str = ""
    ) -> TemplateResponse:
        applying = [row for row in rows if row.applies]
        return TemplateResponse(
            request,
            "admin/initiatives/result/bulk_confirm.html",
            self._context(
                request,
                title=f"{verb}の確認（{len(applying)}件を{verb}します）",
                verb=verb,
                rows=rows,
                applying=applying,
                skipped=[row for row in rows if not row.applies],
                flagged=sum(1 for row in applying if row.findings),
                seen=services.seen_versions([row.result for row in applying]),
                selected=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                action=request.POST.get("action", ""),
                select_across=request.POST.get("select_across", "0"),
                conflict=conflict,
                back_url=request.get_full_path(),
            ),
            status=409 if conflict else 200,
        )
