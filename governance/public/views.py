"""Public pages of the committee: its meetings, one page per meeting with its material,
opinions and the city's responses, the opinions list and the open data downloads.

Every view reads through `governance.public.selectors`, which see published records only.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from governance.models import Meeting, MeetingMaterial
from governance.public import open_data
from governance.public.filters import OpinionFilterForm
from governance.public.selectors import (
    committee_page,
    public_material,
    public_meeting,
    public_opinions,
)
from initiatives.models import Plan
from initiatives.plan.selectors import get_plan


def _plan() -> Plan:
    try:
        return get_plan()
    except Plan.DoesNotExist as missing:
        raise Http404("プランが登録されていません。") from missing


@require_safe
def committee(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    committee, members, meetings = committee_page(plan=plan)
    return render(
        request,
        "governance/public/committee.html",
        {"plan": plan, "committee": committee, "members": members, "meetings": meetings},
    )


@require_safe
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    plan = _plan()
    try:
        page = public_meeting(plan=plan, meeting_id=meeting_id)
    except Meeting.DoesNotExist as missing:
        raise Http404("この会議は公開されていません。") from missing
    return render(
        request,
        "governance/public/meeting.html",
        {"plan": plan, "page": page, "meeting": page.meeting},
    )


@require_safe
def material(request: HttpRequest, meeting_id: int, material_id: int) -> FileResponse:
    try:
        item = public_material(meeting_id=meeting_id, material_id=material_id)
    except MeetingMaterial.DoesNotExist as missing:
        raise Http404("この資料は公開されていません。") from missing
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("資料のファイルが見つかりません。") from missing
    response = FileResponse(
        handle, content_type="application/pdf", filename=item.filename or f"{item.title}.pdf"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def opinion_list(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    form = OpinionFilterForm(request.GET or None, plan=plan)
    opinions = public_opinions(plan=plan, filters=form.filters())
    return render(
        request,
        "governance/public/opinion_list.html",
        {
            "plan": plan,
            "form": form,
            "opinions": opinions,
            "count": len(opinions),
            "query": request.GET.urlencode(),
            "open_data_url": reverse("public:open_data") + "#committee-opinions",
        },
    )


def _download(request: HttpRequest, kind: str) -> HttpResponse:
    plan = _plan()
    filters = OpinionFilterForm(request.GET or None, plan=plan).filters()
    writers = {
        "csv": (open_data.csv_bytes, "text/csv; charset=utf-8"),
        "json": (open_data.json_bytes, "application/json; charset=utf-8"),
    }
    write, content_type = writers[kind]
    response = HttpResponse(write(plan=plan, filters=filters), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="committee-opinions.{kind}"'
    return response


@require_safe
def download_csv(request: HttpRequest) -> HttpResponse:
    return _download(request, "csv")


@require_safe
def download_json(request: HttpRequest) -> HttpResponse:
    return _download(request, "json")
