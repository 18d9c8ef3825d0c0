"""Shared set-up for the committee tests: named people, a meeting with opinions, a PDF."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from governance.models import Meeting, Opinion, Response
from governance.services import committee, responses
from initiatives.models import Department, FiscalYear, Initiative, Measure, Policy
from initiatives.plan.selectors import get_plan
from tests.initiatives.workflow_helpers import make_user

# A tiny but real PDF header: the check reads only the first bytes.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UNPUBLISHED = "未公開マーカー9K2W"


def people() -> dict:
    return {
        "hq": make_user("honbu", hq=True),
        "digital": make_user("sato", "デジタル行政戦略課"),
        "tax": make_user("suzuki", "税務課"),
    }


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf(name: str = "資料1.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def department(name: str) -> Department:
    return Department.objects.get(name=name)


def make_meeting(hq, *, number: int = 1, year: int = 2023, **fields) -> Meeting:
    meeting = Meeting(
        committee=committee.default_committee(),
        plan=get_plan(),
        fiscal_year=FiscalYear.objects.get(year=year),
        number=number,
        date=fields.pop("date", datetime.date(year + 1, 7, 10)),
        agenda=fields.pop("agenda", "令和5年度の実施結果について\n今後の進め方について"),
        **fields,
    )
    return committee.save_meeting(meeting=meeting, user=hq)


def make_opinion(
    meeting: Meeting,
    hq,
    *,
    text: str,
    scope: str = Opinion.Scope.PLAN,
    policy: int | None = None,
    measure: tuple[int, int] | None = None,
    codes: tuple[str, ...] = (),
    departments: tuple[str, ...] = (),
) -> Opinion:
    opinion = Opinion(meeting=meeting, text=text, scope=scope)
    if policy is not None:
        opinion.policy = Policy.objects.get(plan=meeting.plan, number=policy)
    if measure is not None:
        opinion.measure = Measure.objects.get(policy__number=measure[0], number=measure[1])
    initiatives = Initiative.objects.filter(code__in=codes)
    committee.save_opinion(opinion=opinion, initiatives=initiatives, user=hq)
    if departments:
        committee.set_assignments(
            opinion=opinion, departments=[department(d) for d in departments], user=hq
        )
    return opinion


def response_of(opinion: Opinion, department_name: str) -> Response:
    return Response.objects.select_related("assignment").get(
        assignment__opinion=opinion, assignment__department__name=department_name
    )


def answer(response: Response, user, *, text: str, status: str = "done", reason: str = ""):
    response.refresh_from_db()
    return responses.save_and_submit(
        response=response,
        user=user,
        version=response.version,
        status=status,
        text=text,
        reason=reason,
    )


def approve(response: Response, hq) -> Response:
    response.refresh_from_db()
    return responses.approve_response(response=response, user=hq, version=response.version)


def change_url(response: Response) -> str:
    return reverse("admin:governance_response_change", args=[response.pk])
