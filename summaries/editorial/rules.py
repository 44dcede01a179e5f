"""Who may do what to a version, in which state, and what a draft needs before review.

One table (``RULES``) answers both questions the admin asks: which buttons to show, and
whether to refuse a request. The services call ``check`` before every transition, so a
rule holds for every code path, not only for the buttons a page happens to show.

``user=None`` means the system itself (a management command such as the demo loader or
``publish_scheduled``): role checks are skipped, state checks are not.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

from summaries.models import (
    EDITABLE_STATES,
    OPEN_STATES,
    AuditAction,
    SectionKind,
    State,
    SummaryVersion,
    UpdateStatus,
)
from summaries.models.plain_text import validate_single_line

from . import checks
from .authorship import is_author
from .errors import NotAllowed, ServiceError

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# The person acting (a logged-in user in the admin); ``None`` is the system.
Actor: TypeAlias = "User | None"

EDIT = "summaries.change_summaryversion"
RENAME = "summaries.change_intervention"
VIEW = "summaries.view_summaryversion"
REVIEW = "summaries.review_summaryversion"
PUBLISH = "summaries.publish_summaryversion"

# The version's own one-line texts (by field, with the name the form gives them), checked
# again on submit: a row stored before the models refused control characters (or by raw
# SQL) is caught before a reviewer sees it.
ONE_LINE_FIELDS = {
    "title": "Title",
    "change_note": "Change note",
    "update_status_reason": "Reason for the status",
}

CLOSED_STATES = (State.PUBLISHED, State.SUPERSEDED, State.WITHDRAWN, State.ARCHIVED)


@dataclass(frozen=True)
class Rule:
    permission: str
    # The version states the action applies to; None for an action on the intervention.
    states: tuple[str, ...] | None
    # Four eyes: "nobody but a superuser publishes a version containing text they saved"
    # (any saved revision counts, see ``authorship.py``), nor one they submitted.
    not_by_author: bool = False


RULES: dict[str, Rule] = {
    # A new draft of a summary: a new intervention's first, or an import into an existing one.
    AuditAction.CREATE: Rule(EDIT, None),
    AuditAction.SUBMIT: Rule(EDIT, EDITABLE_STATES),
    AuditAction.ARCHIVE: Rule(EDIT, EDITABLE_STATES),
    AuditAction.START_DRAFT: Rule(EDIT, (State.PUBLISHED,)),
    AuditAction.RESTORE: Rule(EDIT, CLOSED_STATES),
    AuditAction.REQUEST_CHANGES: Rule(REVIEW, (State.IN_REVIEW,)),
    AuditAction.PUBLISH: Rule(PUBLISH, (State.IN_REVIEW,), not_by_author=True),
    AuditAction.SCHEDULE: Rule(PUBLISH, (State.IN_REVIEW,), not_by_author=True),
    AuditAction.UNSCHEDULE: Rule(PUBLISH, (State.IN_REVIEW,)),
    AuditAction.ASSIGN_REVIEW: Rule(REVIEW, (State.IN_REVIEW,)),
    AuditAction.WITHDRAW: Rule(PUBLISH, (State.PUBLISHED,)),
    # A link for a named person without an account to read an open version and comment on
    # it (``external_reviews.py``); withdrawing one, whatever the version's state.
    AuditAction.EXTERNAL_LINK_MADE: Rule(REVIEW, OPEN_STATES),
    AuditAction.EXTERNAL_LINK_REVOKED: Rule(REVIEW, None),
    # Changing a summary's address: any state; the old address keeps redirecting.
    AuditAction.RENAME: Rule(RENAME, None),
}


# Who holds each permission, in the words of the refusal page ("who can do it").
HOLDERS = {
    EDIT: "an editor or a reviewer",
    RENAME: "an editor or a reviewer",
    VIEW: "an editor or a reviewer",
    REVIEW: "a reviewer",
    PUBLISH: "a reviewer",
}
ACTION_NAMES: dict[str, str] = {
    AuditAction.CREATE: "Starting a summary",
    AuditAction.SUBMIT: "Submitting a version for review",
    AuditAction.ARCHIVE: "Archiving a draft",
    AuditAction.START_DRAFT: "Starting a new draft",
    AuditAction.RESTORE: "Restoring a version as a new draft",
    AuditAction.REQUEST_CHANGES: "Requesting changes",
    AuditAction.PUBLISH: "Publishing",
    AuditAction.SCHEDULE: "Scheduling publication",
    AuditAction.UNSCHEDULE: "Cancelling a scheduled publication",
    AuditAction.ASSIGN_REVIEW: "Assigning a review",
    AuditAction.WITHDRAW: "Withdrawing a summary",
    AuditAction.EXTERNAL_LINK_MADE: "Sending an external review link",
    AuditAction.EXTERNAL_LINK_REVOKED: "Withdrawing an external review link",
    AuditAction.RENAME: "Changing a summary's address",
}


@dataclass(frozen=True)
class Refusal:
    """Why ``user`` may not take an action, for the refusal page: what the action needs,
    who can take it, and what applies to this user in particular."""

    needs: str
    who: str
    reason: str


def refusal(user: Actor, action: str, version: SummaryVersion | None = None) -> Refusal:
    rule = RULES[action]
    name = ACTION_NAMES.get(action, "This action")
    who = HOLDERS.get(rule.permission, "an administrator")
    if rule.not_by_author:
        who += " who did not write or submit this version"
    needs = f"{name} needs the role of {HOLDERS.get(rule.permission, 'an administrator')}"
    if rule.not_by_author:
        needs += (
            ", and someone other than the people who wrote or submitted the version "
            "(the four-eyes rule)"
        )
    needs += "."
    own = (
        user is not None
        and version is not None
        and rule.not_by_author
        and not user.is_superuser
        and user.has_perm(rule.permission)
        and wrote(version, user)
    )
    if own:
        assert user is not None and version is not None
        reason = four_eyes_reason(version, user)
    else:
        reason = f"Your role does not include {name[0].lower()}{name[1:]}."
    return Refusal(
        needs=needs, who=f"{who[0].upper()}{who[1:]}, or an administrator.", reason=reason
    )


def role_allows(user: Actor, action: str, version: SummaryVersion | None = None) -> bool:
    """Whether ``user``'s role lets them take ``action`` on ``version``, whatever its state."""
    if user is None:
        return True
    rule = RULES[action]
    if not (user.is_active and user.is_staff and user.has_perm(rule.permission)):
        return False
    if rule.not_by_author and not user.is_superuser:
        return version is not None and not wrote(version, user)
    return True


def wrote(version: SummaryVersion, user: "User") -> bool:
    """Whether ``user`` submitted ``version`` or saved any of its text."""
    return version.submitted_by_id == user.pk or is_author(version, user)


def four_eyes_reason(version: SummaryVersion, user: "User") -> str:
    """Why ``user`` may not publish ``version`` although their role could: they wrote it."""
    if is_author(version, user):
        what = "You saved text in this version"
    else:
        what = "You submitted this version"
    return (
        f"{what}: another reviewer must publish it or schedule it, so that two "
        "people have read every word before the public does."
    )


def state_allows(action: str, version: SummaryVersion) -> bool:
    states = RULES[action].states
    return states is None or version.state in states


def may(user: Actor, action: str, version: SummaryVersion) -> bool:
    """Whether to offer ``action`` to ``user`` on ``version`` (its role and state allow it)."""
    return role_allows(user, action, version) and state_allows(action, version)


def check_role(user: Actor, action: str) -> None:
    """Raise ``NotAllowed`` unless ``user``'s role allows ``action`` (an action on the
    intervention as a whole, such as a rename)."""
    if not role_allows(user, action):
        raise NotAllowed("Your role does not allow this.")


def check(user: Actor, action: str, version: SummaryVersion) -> None:
    """Raise ``NotAllowed`` (role) or ``ServiceError`` (state) unless ``may`` holds."""
    if not role_allows(user, action, version):
        assert user is not None  # the system is never refused on its role
        if RULES[action].not_by_author and user.has_perm(RULES[action].permission):
            raise NotAllowed(four_eyes_reason(version, user))
        raise NotAllowed("Your role does not allow this.")
    if not state_allows(action, version):
        allowed = ", ".join(State(s).label.lower() for s in RULES[action].states or ())
        raise ServiceError(
            f"Not possible now: version {version.number} is "
            f"{version.get_state_display().lower()}; this needs a version that is {allowed}."
        )


def may_edit(user: "User | AnonymousUser", version: SummaryVersion | None = None) -> bool:
    """Whether ``user`` may save the version form (of ``version``, if given)."""
    allowed = user.is_active and user.is_staff and user.has_perm(EDIT)
    return allowed and (version is None or version.is_editable)


def may_view(user: "User | AnonymousUser") -> bool:
    """Whether ``user`` may see drafts: previews, history and diffs."""
    return user.is_active and user.is_staff and user.has_perm(VIEW)


# --- What a draft needs before review ------------------------------------------------------


def submit_problems(version: SummaryVersion, *, change_note: str | None = None) -> list[str]:
    """Every reason ``version`` cannot go to review yet, at once (empty when it can).

    Without ``change_note`` only the content is checked (to warn before the note is typed).
    """
    problems = []
    if not version.title.strip():
        problems.append("Add a title.")
    for name, label in ONE_LINE_FIELDS.items():
        try:
            validate_single_line(getattr(version, name))
        except ValidationError as error:
            problems += [f"{label}: {message}" for message in error.messages]
    if not version.standfirst.strip():
        problems.append("Add a standfirst (one sentence saying what the intervention is).")
    bodies = dict(version.sections.values_list("kind", "body"))
    for kind in SectionKind:
        if not strip_tags(bodies.get(kind.value, "")).strip():
            problems.append(f"Write the section “{kind.label}”.")
    if version.effect_rating_id is None:
        problems.append("Choose the effect rating.")
    if version.quality_rating_id is None:
        problems.append("Choose the quality of evidence rating.")
    status = version.update_status
    if status is None:
        problems.append("Choose the update status: is the summary up to date?")
    elif status.slug == UpdateStatus.NO_UPDATE_PLANNED and not version.update_status_reason.strip():
        problems.append("Say why no update is planned (the reason for the status).")
    for figure in version.key_figures.all():
        if problem := figure.inconsistency():
            problems.append(f"Key figure “{figure.outcome}”: {problem}")
    unrated = (
        version.outcome_results.filter(certainty__isnull=True, downgrade_reasons__isnull=False)
        .values_list("outcome__name", flat=True)
        .distinct()
    )
    for name in unrated:
        problems.append(
            f"Outcome “{name}”: choose its certainty of the evidence (it gives reasons for "
            "rating it down)."
        )
    for benefit_cost in version.benefit_costs.all():
        if problem := benefit_cost.inconsistency():
            perspective = benefit_cost.get_perspective_display()
            problems.append(f"Benefit-cost figure “{perspective}”: {problem}")
    if version.no_economic_evaluation and (
        version.unit_costs.exists() or version.benefit_costs.exists()
    ):
        problems.append(
            "Economic evidence: untick “no economic evaluation found”, or remove the unit "
            "costs and benefit-cost figures."
        )
    if not version.reviews.exists():
        problems.append("Add at least one systematic review to the evidence base.")
    # The content checks marked required for submission (checks/README.md).
    problems += checks.required_problems(version)
    if change_note is not None and not change_note.strip():
        problems.append("Write a change note: what changed in this version and why.")
    return problems
