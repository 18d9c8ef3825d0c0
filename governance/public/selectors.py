"""Public reads of the committee: what anyone may see, in a fixed number of queries.

Everything here reads ONLY published records: meetings and opinions whose published_at is
set (an opinion only within a published meeting) and the published copy of a response
(Response.published_*, where published_at is set). The working fields of a response
(status, text, reason) never reach a public page or download.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.urls import reverse

from governance.models import (
    Assignment,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingMaterial,
    Opinion,
    OpinionOutcome,
    Response,
)
from governance.selectors import target_label
from governance.vocabulary import Scope, response_status_label
from initiatives.models import Department, Initiative, Plan, PlanRevision, Policy
from initiatives.public.plans import canonical_path
from ops.sql import column, table


def publication_stamp_tables() -> list[str]:
    """What the committee has made public, as SQL: one-row SELECTs (a count and a latest
    time per table) whose values change with every publication, correction or withdrawal,
    a key part of the public pages' cache. The public cache cross-joins them into the
    query that reads the plan's editions, on every cached public page.
    """
    tables = []
    for model, field_name in (
        (Meeting, "updated_at"),
        (Opinion, "published_at"),
        (Response, "updated_at"),
        (OpinionOutcome, "id"),
    ):
        # COUNT(published_at) counts the published rows; outcomes have no publication.
        counted = column("t", model, "published_at") if model is not OpinionOutcome else "*"
        last = column("t", model, field_name)
        tables.append(f"SELECT COUNT({counted}) AS n, MAX({last}) AS last FROM {table(model)} t")
    return tables


def published_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.filter(published_at__isnull=False)


def published_opinions() -> QuerySet[Opinion]:
    """Opinions that may be shown: published, within a published meeting."""
    return Opinion.objects.filter(published_at__isnull=False, meeting__published_at__isnull=False)


def published_assignments() -> QuerySet[Assignment]:
    """Assignments whose response has a published copy."""
    return Assignment.objects.filter(response__published_at__isnull=False)


@dataclass
class PublicResponse:
    """The published copy of one department's response."""

    department: Department
    status: str
    status_label: str
    text: str
    reason: str
    published_at: datetime.datetime


@dataclass
class PublicOutcome:
    """A revision the opinion led to, with the initiatives it added or changed."""

    revision: PlanRevision
    note: str
    initiatives: list[Initiative]


@dataclass
class PublicOpinion:
    """An opinion as the public pages show it."""

    opinion: Opinion
    meeting: Meeting
    target: str
    target_url: str
    initiatives: list[Initiative]
    responses: list[PublicResponse]
    outcomes: list[PublicOutcome] = field(default_factory=list)

    @property
    def member(self) -> CommitteeMember | None:
        return self.opinion.member


def _opinions_with_everything(queryset: QuerySet[Opinion]) -> QuerySet[Opinion]:
    return queryset.select_related(
        "meeting__committee",
        "meeting__fiscal_year",
        "member",
        "policy__plan",
        "measure__policy__plan",
    ).prefetch_related(
        Prefetch(
            "initiatives",
            queryset=Initiative.objects.select_related(
                "plan", "direction__measure__policy"
            ).order_by("order"),
        ),
        Prefetch(
            "assignments",
            queryset=published_assignments().select_related("department", "response"),
        ),
        Prefetch(
            "outcomes",
            queryset=OpinionOutcome.objects.select_related("revision").prefetch_related(
                Prefetch(
                    "initiatives",
                    queryset=Initiative.objects.select_related("plan").order_by("order"),
                )
            ),
        ),
    )


def _target_url(opinion: Opinion) -> str:
    """The 方針's page under its own plan's address: an opinion on an earlier plan keeps
    pointing at that plan once a later one is current."""
    policy = None
    if opinion.scope == Scope.POLICY and opinion.policy:
        policy = opinion.policy
    elif opinion.scope == Scope.MEASURE and opinion.measure:
        policy = opinion.measure.policy
    if policy is None:
        return ""
    return canonical_path(policy.plan, reverse("public:policy_detail", args=[policy.number]))


def _public(opinion: Opinion) -> PublicOpinion:
    responses = [
        PublicResponse(
            department=a.department,
            status=a.response.published_status,
            status_label=response_status_label(a.response.published_status),
            text=a.response.published_text,
            reason=a.response.published_reason,
            published_at=a.response.published_at,
        )
        for a in opinion.assignments.all()
    ]
    return PublicOpinion(
        opinion=opinion,
        meeting=opinion.meeting,
        target=target_label(opinion),
        target_url=_target_url(opinion),
        initiatives=list(opinion.initiatives.all()),
        responses=responses,
        outcomes=[
            PublicOutcome(revision=o.revision, note=o.note, initiatives=list(o.initiatives.all()))
            for o in opinion.outcomes.all()
        ],
    )


def committee_page(*, plan: Plan) -> tuple[Committee | None, list[CommitteeMember], list]:
    """The committee, its members and its published meetings with their number of
    published opinions, newest first."""
    committee = Committee.objects.order_by("pk").first()
    members = list(committee.members.all()) if committee else []
    meetings = list(
        published_meetings()
        .filter(plan=plan)
        .select_related("fiscal_year", "committee")
        .annotate(
            opinion_count=Count(
                "opinions", filter=Q(opinions__published_at__isnull=False), distinct=True
            )
        )
        .order_by("-date", "-number")
    )
    return committee, members, meetings


@dataclass
class PublicMeeting:
    meeting: Meeting
    materials: list[MeetingMaterial]
    opinions: list[PublicOpinion]


def public_meeting(*, plan: Plan, meeting_id: int) -> PublicMeeting:
    """One published meeting with its material and published opinions; raises
    Meeting.DoesNotExist for an unknown or unpublished meeting."""
    meeting = (
        published_meetings()
        .filter(plan=plan)
        .select_related("committee", "fiscal_year")
        .get(pk=meeting_id)
    )
    opinions = _opinions_with_everything(published_opinions().filter(meeting=meeting))
    return PublicMeeting(
        meeting=meeting,
        materials=list(meeting.materials.all()),
        opinions=[_public(o) for o in opinions.order_by("order")],
    )


def public_material(*, meeting_id: int, material_id: int) -> MeetingMaterial:
    """A material of a published meeting; raises MeetingMaterial.DoesNotExist otherwise."""
    return MeetingMaterial.objects.get(
        pk=material_id, meeting_id=meeting_id, meeting__published_at__isnull=False
    )


@dataclass(frozen=True)
class OpinionFilter:
    """The filters of the public opinions list and downloads (from the query string)."""

    status: str = ""
    policy: int | None = None
    year: int | None = None


def concerning_policy(number: int) -> Q:
    """Opinions about 方針 `number`: the policy itself, one of its 施策 or its 取組."""
    return (
        Q(scope=Scope.POLICY, policy__number=number)
        | Q(scope=Scope.MEASURE, measure__policy__number=number)
        | Q(scope=Scope.INITIATIVES, initiatives__direction__measure__policy__number=number)
    )


def public_opinions(*, plan: Plan, filters: OpinionFilter | None = None) -> list[PublicOpinion]:
    """Published opinions matching the filters, newest meeting first."""
    filters = filters or OpinionFilter()
    queryset = published_opinions().filter(meeting__plan=plan)
    if filters.status:
        answered = published_assignments().filter(response__published_status=filters.status)
        queryset = queryset.filter(pk__in=answered.values("opinion_id"))
    if filters.policy is not None:
        matching = Opinion.objects.filter(concerning_policy(filters.policy))
        queryset = queryset.filter(pk__in=matching.values("pk"))
    if filters.year is not None:
        queryset = queryset.filter(meeting__fiscal_year__year=filters.year)
    queryset = queryset.order_by("-meeting__date", "-meeting__number", "order")
    return [_public(o) for o in _opinions_with_everything(queryset)]


def opinions_of_year(*, plan: Plan, year: int) -> list[PublicOpinion]:
    """The published opinions of the meetings that reviewed fiscal year `year`, in meeting
    order (for the 議会報告)."""
    queryset = published_opinions().filter(meeting__plan=plan, meeting__fiscal_year__year=year)
    queryset = queryset.order_by("meeting__date", "meeting__number", "order")
    return [_public(o) for o in _opinions_with_everything(queryset)]


@dataclass
class InitiativeOpinions:
    """What the committee said about one initiative, and the revisions it led to there."""

    opinions: list[PublicOpinion]
    outcomes: list[tuple[OpinionOutcome, str]]  # (outcome, 追加 or 見直し)

    def __bool__(self) -> bool:
        return bool(self.opinions or self.outcomes)


def opinions_for_initiative(*, initiative: Initiative) -> InitiativeOpinions:
    """Published opinions concerning the initiative, and the published opinions' revisions
    that added or changed it (「委員会の提言を受けて追加」)."""
    opinions = _opinions_with_everything(
        published_opinions().filter(scope=Scope.INITIATIVES, initiatives=initiative)
    ).order_by("-meeting__date", "order")
    outcomes = (
        OpinionOutcome.objects.filter(
            initiatives=initiative,
            opinion__in=published_opinions(),
        )
        .select_related("revision", "opinion__meeting__committee")
        .order_by("revision__date", "pk")
    )
    return InitiativeOpinions(
        opinions=[_public(o) for o in opinions],
        outcomes=[
            (o, "追加" if initiative.added_in_id == o.revision_id else "見直し") for o in outcomes
        ],
    )


def opinions_for_policy(*, policy: Policy) -> list[PublicOpinion]:
    """Published opinions about the policy itself or one of its 施策, by 施策 then meeting."""
    queryset = published_opinions().filter(
        Q(scope=Scope.POLICY, policy=policy) | Q(scope=Scope.MEASURE, measure__policy=policy)
    )
    queryset = queryset.order_by(
        F("measure__number").asc(nulls_first=True), "-meeting__date", "order"
    )
    return [_public(o) for o in _opinions_with_everything(queryset)]
