"""Content checks: what a draft could say better, shown on the version form and the
review page; see README.md beside this file."""

from typing import TYPE_CHECKING

from .draft import BadFormData, Draft
from .registry import Check, Finding, Place, Severity, checks, register, run, unregister

if TYPE_CHECKING:
    from summaries.models import SummaryVersion

__all__ = [
    "BadFormData",
    "Check",
    "Draft",
    "Finding",
    "Place",
    "Severity",
    "checks",
    "register",
    "required_problems",
    "run",
    "unregister",
]


def required_problems(version: "SummaryVersion") -> list[str]:
    """What the checks required for submission find in the saved ``version``, in words."""
    return [
        f"{finding.place.label}: {finding.message}"
        for finding in run(Draft.of_version(version))
        if finding.required
    ]
