"""HQ's writes about the committee: meetings and their material, opinions and what they
concern, assignments to departments, the revisions an opinion led to, and publication."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from governance.models import (
    Assignment,
    Committee,
    Meeting,
    MeetingMaterial,
    Opinion,
    OpinionOutcome,
    Response,
)
from governance.permissions import Action, check
from governance.services.responses import publish_response, start_response
from governance.transitions import Step, sources
from governance.vocabulary import ResponseState, Scope
from initiatives.models import Department, Initiative, PlanRevision

DEFAULT_COMMITTEE_NAME = "金沢市行政経営プラン推進委員会"
DEFAULT_COMMITTEE_DESCRIPTION = (
    "有識者等で構成し、市民や民間の視点から行政経営プランの進捗状況を検証して、"
    "意見・提言を行います。"
)


def default_committee() -> Committee:
    """The plan's 推進委員会 (there is one; created on first use)."""
    committee, _created = Committee.objects.get_or_create(
        name=DEFAULT_COMMITTEE_NAME, defaults={"description": DEFAULT_COMMITTEE_DESCRIPTION}
    )
    return committee


@transaction.atomic
def save_meeting(*, meeting: Meeting, user) -> Meeting:
    """Record (or change) a meeting: the reviewed year must be within the plan's period."""
    check(user, None, Action.MANAGE)
    plan = meeting.plan
    if meeting.fiscal_year_id and not (
        plan.start_year <= meeting.fiscal_year.year <= plan.end_year
    ):
        raise ValidationError(
            {"fiscal_year": f"審議した年度はプランの推進期間（{plan.period_label}）から選びます。"}
        )
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def save_material(*, material: MeetingMaterial, user) -> MeetingMaterial:
    """Store (or change) a meeting's PDF; anything but a PDF within the size limit is refused.

    A newly chosen file also sets the name offered on download and the size shown."""
    check(user, None, Action.MANAGE)
    if material.file and not material.file._committed:
        material.filename = (material.file.name or "")[-255:]
        material.size = material.file.size or 0
    if material.order is None:
        top = MeetingMaterial.objects.filter(meeting=material.meeting_id).aggregate(
            top=Max("order")
        )
        material.order = (top["top"] or 0) + 1
    material.full_clean()
    material.save()
    return material


def add_material(
    *, meeting: Meeting, title: str, file, user, order: int | None = None
) -> MeetingMaterial:
    """Attach an uploaded PDF to a meeting."""
    return save_material(
        material=MeetingMaterial(meeting=meeting, title=title, file=file, order=order), user=user
    )


@transaction.atomic
def delete_material(*, material: MeetingMaterial, user) -> None:
    """Remove a material and its file."""
    check(user, None, Action.MANAGE)
    material.file.delete(save=False)
    material.delete()


def opinion_target_errors(opinion: Opinion, initiatives: list[Initiative]) -> dict[str, str]:
    """Field by field, why the chosen targets do not fit the opinion's scope or plan."""
    errors: dict[str, str] = {}
    scope = opinion.scope
    if scope == Scope.POLICY and not opinion.policy_id:
        errors["policy"] = "対象の方針を選んでください。"
    if scope == Scope.MEASURE and not opinion.measure_id:
        errors["measure"] = "対象の施策を選んでください。"
    if scope == Scope.INITIATIVES and not initiatives:
        errors["initiatives"] = "対象の取組を1つ以上選んでください。"
    if opinion.policy_id and scope != Scope.POLICY:
        errors["policy"] = "方針は、対象が「方針」のときだけ選びます。"
    if opinion.measure_id and scope != Scope.MEASURE:
        errors["measure"] = "施策は、対象が「施策」のときだけ選びます。"
    if initiatives and scope != Scope.INITIATIVES:
        errors["initiatives"] = "取組は、対象が「取組」のときだけ選びます。"
    plan_id = opinion.meeting.plan_id
    if opinion.policy_id and opinion.policy.plan_id != plan_id:
        errors["policy"] = "会議で審議したプランの方針を選んでください。"
    if opinion.measure_id and opinion.measure.policy.plan_id != plan_id:
        errors["measure"] = "会議で審議したプランの施策を選んでください。"
    if any(initiative.plan_id != plan_id for initiative in initiatives):
        errors["initiatives"] = "会議で審議したプランの取組を選んでください。"
    return errors


@transaction.atomic
def save_opinion(*, opinion: Opinion, initiatives: Iterable[Initiative], user) -> Opinion:
    """Record (or change) an opinion and what it concerns.

    An opinion already published shows its corrected text at once: HQ records the
    committee's own words, and correcting them is HQ's publication decision."""
    check(user, None, Action.MANAGE)
    initiatives = list(initiatives)
    errors = opinion_target_errors(opinion, initiatives)
    if errors:
        raise ValidationError(errors)
    if opinion.order is None:
        top = Opinion.objects.filter(meeting=opinion.meeting_id).aggregate(top=Max("order"))
        opinion.order = (top["top"] or 0) + 1
    opinion._history_user = user
    opinion.full_clean()
    opinion.save()
    opinion.initiatives.set(initiatives)
    return opinion


def assignment_errors(*, opinion: Opinion, departments: Iterable[Department]) -> dict[str, str]:
    """Why the opinion cannot be assigned to exactly these departments: a department is
    taken off only while its response is untouched (未回答 with nothing written)."""
    wanted = {department.pk for department in departments}
    busy = [
        a.department.name
        for a in Assignment.objects.filter(opinion=opinion).select_related("department", "response")
        if a.department_id not in wanted and _has_work(a)
    ]
    if busy:
        return {
            "departments": f"{'、'.join(busy)} は既に対応を入力しているため、割当を外せません。"
        }
    return {}


@transaction.atomic
def set_assignments(
    *, opinion: Opinion, departments: Iterable[Department], user
) -> list[Assignment]:
    """Assign the opinion to exactly these departments: each new one gets a 未回答 response
    and a mail; one whose response is untouched may be taken off, no answer is ever lost."""
    check(user, None, Action.MANAGE)
    opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
    departments = list(departments)
    errors = assignment_errors(opinion=opinion, departments=departments)
    if errors:
        raise ValidationError(errors)
    wanted = {department.pk: department for department in departments}
    current = {a.department_id: a for a in Assignment.objects.filter(opinion=opinion)}
    for department_id, assignment in current.items():
        if department_id not in wanted:
            assignment.delete()
    created = []
    for department_id, department in wanted.items():
        if department_id in current:
            continue
        assignment = Assignment(opinion=opinion, department=department, assigned_by=user)
        assignment.full_clean()
        assignment.save()
        start_response(assignment=assignment, user=user)
        created.append(assignment)
    return created


def _has_work(assignment: Assignment) -> bool:
    response = getattr(assignment, "response", None)
    if response is None:
        return False
    return response.state != ResponseState.NOT_STARTED or bool(response.text or response.status)


def outcome_errors(outcome: OpinionOutcome, initiatives: list[Initiative]) -> dict[str, str]:
    """Why a revision link does not fit: another plan's revision or initiatives, or an update
    of published results rather than a revision of the plan."""
    plan_id = outcome.opinion.meeting.plan_id
    errors = {}
    if outcome.revision.plan_id != plan_id:
        errors["revision"] = "会議で審議したプランの改訂を選んでください。"
    elif outcome.revision.kind != PlanRevision.Kind.REVISION:
        errors["revision"] = "種別が「改訂」の改訂を選んでください。"
    if any(initiative.plan_id != plan_id for initiative in initiatives):
        errors["initiatives"] = "会議で審議したプランの取組を選んでください。"
    return errors


@transaction.atomic
def save_outcome(
    *, outcome: OpinionOutcome, initiatives: Iterable[Initiative], user
) -> OpinionOutcome:
    """Link an opinion to the plan revision it led to, and the initiatives that revision
    added or changed because of it (shown on those initiatives' public pages)."""
    check(user, None, Action.MANAGE)
    initiatives = list(initiatives)
    errors = outcome_errors(outcome, initiatives)
    if errors:
        raise ValidationError(errors)
    outcome.full_clean()
    outcome.save()
    outcome.initiatives.set(initiatives)
    return outcome


def record_outcome(
    *,
    opinion: Opinion,
    revision: PlanRevision,
    initiatives: Iterable[Initiative],
    note: str = "",
    user,
) -> OpinionOutcome:
    """`save_outcome` for the link of this opinion and revision (new or existing)."""
    outcome = OpinionOutcome.objects.filter(opinion=opinion, revision=revision).first()
    outcome = outcome or OpinionOutcome(opinion=opinion, revision=revision)
    outcome.note = note
    return save_outcome(outcome=outcome, initiatives=initiatives, user=user)


@transaction.atomic
def delete_outcome(*, outcome: OpinionOutcome, user) -> None:
    check(user, None, Action.MANAGE)
    outcome.delete()


@dataclass
class PublishSummary:
    """What publishing a meeting did."""

    meeting_published: bool
    opinions: int
    responses: int
    waiting: int  # responses not approved yet, which stay unpublished


@transaction.atomic
def publish_meeting(*, meeting: Meeting, user) -> PublishSummary:
    """Publish a meeting, its opinions and every approved response to them.

    Responses not approved yet stay unpublished; publishing the meeting again later
    publishes them (and republishes corrected ones) once HQ has approved them.
    """
    check(user, None, Action.PUBLISH)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    now = timezone.now()
    first_time = meeting.published_at is None
    if first_time:
        meeting.published_at = now
        meeting.full_clean()
        meeting.save()
    opinions = Opinion.objects.filter(meeting=meeting, published_at__isnull=True)
    opinion_count = 0
    for opinion in opinions:
        opinion.published_at = now
        opinion._history_user = user
        opinion._change_reason = "会議の公開"
        opinion.save()
        opinion_count += 1
    responses = Response.objects.filter(assignment__opinion__meeting=meeting)
    published = 0
    for response in responses.filter(state__in=sources(Step.PUBLISH)):
        publish_response(response=response, user=user, now=now)
        published += 1
    waiting = responses.exclude(state__in=(*sources(Step.PUBLISH), ResponseState.PUBLISHED)).count()
    return PublishSummary(
        meeting_published=first_time, opinions=opinion_count, responses=published, waiting=waiting
    )
