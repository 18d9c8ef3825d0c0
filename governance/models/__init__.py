"""The app's model registry: Django imports this package to find the models, which live
with what they describe (`committee`: the committee, its meetings and opinions;
`responses`: the departments' assignments and the city's responses)."""

from __future__ import annotations

from governance.models.committee import (
    Committee,
    CommitteeMember,
    Meeting,
    MeetingMaterial,
    Opinion,
    OpinionOutcome,
)
from governance.models.responses import Assignment, Response, ResponseEvent

__all__ = [
    "Assignment",
    "Committee",
    "CommitteeMember",
    "Meeting",
    "MeetingMaterial",
    "Opinion",
    "OpinionOutcome",
    "Response",
    "ResponseEvent",
]
