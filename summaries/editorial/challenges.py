"""Challenges to a rating: filing one, and its workflow.

received → acknowledged → under review by two reviewers → upheld, partly upheld or not
upheld, with a written decision. Each step is one function here: it checks who may take
it, writes an ``AuditEvent`` in the same transaction, and on a decision emails the
outcome to the challenger (a task) and deletes their address. The two reviewers may
publish (they are reviewers) and did not write or review the version challenged (the
four-eyes rule, extended): ``conflicted`` says who did. A decided challenge that led to a
change is noted in the summary's public change log, so its pages are rebuilt.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from summaries.models import (
    AuditAction,
    AuditEvent,
    Challenge,
    ChallengeStatus,
    ReviewComment,
    SummaryVersion,
    VersionAuthor,
)
from summaries.models.challenges import DECIDED
from summaries.models.plain_text import single_line
from summaries.public import pages
from summaries.tasks import background_task, enqueue

from . import rules
from .errors import NotAllowed, ServiceError
from .rules import Actor

DECIDE = "summaries.decide_challenge"


def target_date(received: datetime) -> date:
    return timezone.localdate(received) + timedelta(days=settings.CHALLENGE_TARGET_DAYS)


def _audit(challenge: Challenge, user: Actor, action: str, comment: str) -> None:
    AuditEvent.objects.create(
        actor=user,
        action=action,
        intervention_id=challenge.intervention_id,
        version_id=challenge.version_id,
        comment=comment,
    )


def _check(user: Actor) -> None:
    if user is None or not user.has_perm(DECIDE):
        raise NotAllowed("Only reviewers work on challenges.")


@transaction.atomic
def challenge_file(
    *,
    version: SummaryVersion,
    rating: str,
    rating_label: str,
    reasons: str,
    evidence: str,
    email: str,
) -> Challenge:
    """A challenge from the public to one rating or outcome of ``version`` (live)."""
    now = timezone.now()
    challenge = Challenge.objects.create(
        intervention_id=version.intervention_id,
        version=version,
        rating=rating,
        rating_label=rating_label,
        reasons=reasons,
        evidence=evidence,
        email=email,
        received_at=now,
        target_on=target_date(now),
    )
    _audit(challenge, None, AuditAction.CHALLENGE_RECEIVED, f"{challenge}.")
    return challenge


def _locked(challenge: Challenge, *states: str) -> Challenge:
    locked: Challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if locked.status not in states:
        raise ServiceError(f"This challenge is {locked.get_status_display().lower()} now.")
    return locked


@transaction.atomic
def challenge_acknowledge(*, challenge: Challenge, user: Actor) -> Challenge:
    _check(user)
    challenge = _locked(challenge, ChallengeStatus.RECEIVED)
    challenge.status = ChallengeStatus.ACKNOWLEDGED
    challenge.acknowledged_at = timezone.now()
    challenge.save()
    _audit(challenge, user, AuditAction.CHALLENGE_ACKNOWLEDGED, f"{challenge}.")
    return challenge


def conflicted(version: SummaryVersion) -> set[int]:
    """Who wrote or reviewed ``version``: its authors, whoever submitted, scheduled or
    published it, and whoever commented on it in review."""
    ids = set(VersionAuthor.objects.filter(version=version).values_list("user_id", flat=True))
    ids |= {
        pk
        for pk in (version.submitted_by_id, version.published_by_id, version.scheduled_by_id)
        if pk is not None
    }
    ids |= set(
        ReviewComment.objects.filter(version=version, author__isnull=False).values_list(
            "author_id", flat=True
        )
    )
    return ids


@transaction.atomic
def challenge_assign(*, challenge: Challenge, reviewers: list, user: Actor) -> Challenge:
    """Put the challenge under review by two reviewers who may publish and neither wrote
    nor reviewed the version challenged."""
    _check(user)
    challenge = _locked(challenge, ChallengeStatus.RECEIVED, ChallengeStatus.ACKNOWLEDGED)
    if len({reviewer.pk for reviewer in reviewers}) != 2:
        raise ServiceError("Choose two different reviewers.")
    conflicts = conflicted(challenge.version)
    for reviewer in reviewers:
        if not (reviewer.is_active and reviewer.has_perm(rules.PUBLISH)):
            raise ServiceError(f"{reviewer} is not a reviewer.")
        if reviewer.pk in conflicts:
            raise ServiceError(
                f"{reviewer} wrote or reviewed version {challenge.version.number}: choose "
                "a reviewer with no part in it."
            )
    now = timezone.now()
    if challenge.acknowledged_at is None:
        challenge.acknowledged_at = now
    challenge.reviewer_one, challenge.reviewer_two = reviewers
    challenge.status = ChallengeStatus.UNDER_REVIEW
    challenge.review_started_at = now
    challenge.save()
    names = " and ".join(str(reviewer) for reviewer in reviewers)
    _audit(challenge, user, AuditAction.CHALLENGE_REVIEW, f"{challenge}: {names}.")
    return challenge


@transaction.atomic
def challenge_decide(
    *,
    challenge: Challenge,
    outcome: str,
    decision: str,
    led_to_change: bool = False,
    change_log_note: str = "",
    user: Actor,
) -> Challenge:
    """Record the two reviewers' decision (by either of them), email it to the challenger
    and delete their address; a decision that led to a change goes in the change log."""
    _check(user)
    challenge = _locked(challenge, ChallengeStatus.UNDER_REVIEW)
    if user is None or user.pk not in (challenge.reviewer_one_id, challenge.reviewer_two_id):
        raise NotAllowed("Only one of the challenge's two reviewers records the decision.")
    if outcome not in DECIDED:
        raise ServiceError("Choose upheld, partly upheld or not upheld.")
    decision = decision.strip()
    if not decision:
        raise ServiceError("Write the decision: it is sent to the challenger.")
    change_log_note = single_line(change_log_note).strip()
    if led_to_change and not change_log_note:
        raise ServiceError("Say in a line what changed, for the public change log.")
    if challenge.email:
        enqueue(
            email_decision,
            challenge.email,
            f"Your challenge to a rating in the {settings.TOOLKIT_NAME}",
            f"{challenge.rating_label}: {ChallengeStatus(outcome).label.lower()}.\n\n{decision}",
        )
    challenge.status = outcome
    challenge.decision = decision
    challenge.led_to_change = led_to_change
    challenge.change_log_note = change_log_note if led_to_change else ""
    challenge.decided_at = timezone.now()
    challenge.email = ""
    challenge.save()
    _audit(
        challenge,
        user,
        AuditAction.CHALLENGE_DECIDED,
        f"{challenge}: {ChallengeStatus(outcome).label.lower()}.",
    )
    if led_to_change:
        # The summary's change log (its pages' body) notes it.
        pages.content_changed(interventions=[challenge.intervention_id])
    return challenge


def overdue_first(queryset):
    """Open challenges by target date: the overdue ones (whose target has passed) first."""
    return queryset.open().order_by("target_on", "received_at", "pk")


@background_task()
def email_decision(email: str, subject: str, body: str) -> str:
    """Email a challenge's decision to the person who made it; raises (and so is
    retried) if the send fails."""
    send_mail(
        subject,
        f"{body}\n\nWe keep your address no longer than it takes to send this reply.\n",
        None,
        [email],
    )
    return "sent"
