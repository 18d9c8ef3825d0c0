"""The app's model registry: Django imports this module to find the models, which live
with the package that owns them (`plan.models`, `results.models`)."""

from __future__ import annotations

from initiatives.plan.departments import (
    Department,
    DepartmentMembership,
    Reorganisation,
    ReorganisationAssignment,
)
from initiatives.plan.models import (
    Direction,
    FiscalYear,
    GlossaryTerm,
    Initiative,
    InitiativeDepartment,
    InitiativeQuerySet,
    Measure,
    Plan,
    PlanRevision,
    PlanSection,
    Policy,
    Relisting,
    Stance,
)
from initiatives.plan.succession import Succession
from initiatives.plan.yearly import Indicator, Target, YearPlan
from initiatives.publication.models import Edition
from initiatives.results.models import (
    Actual,
    EvaluationPeriod,
    PublicCorrection,
    Result,
    SubmissionDigest,
    SubmissionNotice,
    WorkflowEvent,
)

__all__ = [
    "Actual",
    "Department",
    "DepartmentMembership",
    "Direction",
    "Edition",
    "EvaluationPeriod",
    "FiscalYear",
    "GlossaryTerm",
    "Indicator",
    "Initiative",
    "InitiativeDepartment",
    "InitiativeQuerySet",
    "Measure",
    "Plan",
    "PlanRevision",
    "PlanSection",
    "Policy",
    "PublicCorrection",
    "Relisting",
    "Reorganisation",
    "ReorganisationAssignment",
    "Result",
    "Stance",
    "SubmissionDigest",
    "SubmissionNotice",
    "Succession",
    "Target",
    "WorkflowEvent",
    "YearPlan",
]
