"""The registry of content checks, and what a check finds.

A check is a function from a ``Draft`` (``draft.py``) to the findings it has, registered
under a key with ``@register``. ``run`` runs every registered check that is not disabled
(``CONTENT_CHECKS_DISABLED``), each finding marked "required for submission" when its
check is (``register(required=True)``, or its key in ``CONTENT_CHECKS_REQUIRED``), else a
warning. A toolkit's own checks live in modules named in ``CONTENT_CHECKS_MODULES``,
imported the first time checks run.
"""

import dataclasses
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from .draft import Draft


class Severity(models.TextChoices):
    """How much a finding matters: said in words on every page that shows it."""

    REQUIRED = "required", "Required for submission"
    WARNING = "warning", "Warning"


@dataclass(frozen=True)
class Place:
    """Where in the version a finding is, in the version's own terms (the admin turns it
    into the part of the form and the field to focus).

    ``field`` is a field of the version ("title", "standfirst", "effect_rating"...),
    "section" (``key`` is its kind) or a kind of child row ("outcome_results",
    "external_links", "reviews"), with the row's index in its form (``row``) and field.
    ``label`` names it in words.
    """

    field: str
    label: str
    key: str = ""
    row: int | None = None
    row_field: str = ""


@dataclass(frozen=True)
class Finding:
    place: Place
    message: str
    excerpt: str = ""
    check: str = ""
    severity: str = Severity.WARNING

    @property
    def required(self) -> bool:
        return self.severity == Severity.REQUIRED

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)


CheckFunction = Callable[["Draft"], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    function: CheckFunction
    required: bool = False
    # Runs on unsaved form data while the editor types; a slow check says False and runs
    # only when the form is saved or opened.
    live: bool = True

    @property
    def is_required(self) -> bool:
        return self.required or self.key in settings.CONTENT_CHECKS_REQUIRED


_CHECKS: dict[str, Check] = {}


def register(
    key: str, *, title: str, required: bool = False, live: bool = True
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under ``key`` (a later registration under a key replaces it)."""

    def decorate(function: CheckFunction) -> CheckFunction:
        _CHECKS[key] = Check(key, title, function, required=required, live=live)
        return function

    return decorate


def unregister(key: str) -> None:
    _CHECKS.pop(key, None)


def checks() -> list[Check]:
    """Every check that runs: the built-in ones, then the toolkit's, less the disabled."""
    # Imported every time (at no cost once imported), so a module named in the setting
    # later, as a test does, registers its checks too.
    for module in [f"{__package__}.builtin", *settings.CONTENT_CHECKS_MODULES]:
        importlib.import_module(module)
    disabled = set(settings.CONTENT_CHECKS_DISABLED)
    return [check for key, check in _CHECKS.items() if key not in disabled]


def run(draft: "Draft", *, live_only: bool = False) -> list[Finding]:
    """What every check finds in ``draft``, required ones first, each check's in order."""
    found = []
    for check in checks():
        if live_only and not check.live:
            continue
        severity = Severity.REQUIRED if check.is_required else Severity.WARNING
        found += [
            dataclasses.replace(finding, check=check.key, severity=severity)
            for finding in check.function(draft)
        ]
    return sorted(found, key=lambda finding: not finding.required)
