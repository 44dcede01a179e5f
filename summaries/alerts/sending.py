"""Turning the outbox into emails: the worker's ``tasks.send_alerts`` (every minute) and
``manage.py send_alerts`` (by hand, or from cron as a safety net).

Two steps, each safe to run in several processes at once and to stop at any point:

1. **Expand**: each outbox row (one publication) becomes one ``AlertDelivery`` per
   address that follows the summary, or, for a summary's first publication, one of its
   problems or approaches; an address following several of them gets one email. The
   deliveries and the outbox row's ``expanded_at`` are written in one transaction.
2. **Send**: each pending delivery is locked (``select_for_update(skip_locked=True)`` on
   PostgreSQL, so two senders never take the same one), sent, and marked sent in the
   same transaction. A send that fails rolls that transaction back, so the delivery stays
   pending; its attempt is counted outside it, and the worker retries it on its own,
   with backoff (``tasks.send_alert_delivery``), up to ``MAX_ATTEMPTS`` sends. Only a crash
   between the mail server accepting the message and the commit could send one twice.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from summaries.models import (
    RATING_FIELDS,
    AlertDelivery,
    AlertOutbox,
    FollowKind,
    OutcomeResult,
    State,
    Subscription,
    SummaryVersion,
)
from summaries.models.plain_text import single_line
from summaries.public.citations import version_url

from .targets import site_url
from .tokens import unsubscribe_token

logger = logging.getLogger(__name__)

# After this many failed attempts a delivery is left for an operator (last_error says why).
MAX_ATTEMPTS = 10
_KIND_ORDER = {FollowKind.SUMMARY: 0, FollowKind.PROBLEM: 1, FollowKind.APPROACH: 2}


def _locked(queryset):
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset  # SQLite: one writer at a time anyway


def expand_pending() -> int:
    """Write the deliveries of every outbox row not yet expanded; how many were written."""
    written = 0
    while True:
        with transaction.atomic():
            outbox = _locked(AlertOutbox.objects.filter(expanded_at__isnull=True)).first()
            if outbox is None:
                return written
            written += _expand(outbox)
            outbox.expanded_at = timezone.now()
            outbox.save(update_fields=["expanded_at"])


def _expand(outbox: AlertOutbox) -> int:
    version = SummaryVersion.objects.select_related("intervention").get(pk=outbox.version_id)
    # Those who followed before the publication: a later follower has just read it.
    following = Subscription.objects.filter(confirmed_at__lte=outbox.created_at)
    followers = following.filter(kind=FollowKind.SUMMARY, intervention_id=version.intervention_id)
    if outbox.previous_id is None:  # a new summary: also its topics' followers
        followers = followers | following.filter(
            kind=FollowKind.PROBLEM, problem__in=version.problems.all()
        )
        followers = followers | following.filter(
            kind=FollowKind.APPROACH, approach__in=version.approaches.all()
        )
    chosen: dict[str, Subscription] = {}
    for subscription in followers:
        best = chosen.get(subscription.email)
        rank = _KIND_ORDER[FollowKind(subscription.kind)]
        if best is None or rank < _KIND_ORDER[FollowKind(best.kind)]:
            chosen[subscription.email] = subscription
    AlertDelivery.objects.bulk_create(
        [AlertDelivery(outbox=outbox, subscription=s) for s in chosen.values()],
        ignore_conflicts=True,
    )
    return len(chosen)


@dataclass
class Result:
    sent: int = 0
    failed: int = 0
    failed_ids: list[int] = field(default_factory=list)


def send_pending(*, limit: int | None = None, new_only: bool = False) -> Result:
    """Send every pending delivery (or ``limit`` of them) once; failures stay pending.

    ``new_only``: only deliveries never tried (the worker retries the others one by one,
    with backoff: ``tasks.send_alert_delivery``)."""
    result = Result()
    tried: list[int] = []
    pending = AlertDelivery.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    if new_only:
        pending = pending.filter(attempts=0)
    while limit is None or result.sent + result.failed < limit:
        current = None
        try:
            with transaction.atomic():
                delivery = _locked(pending.exclude(pk__in=tried)).order_by("id").first()
                if delivery is None:
                    return result
                current = delivery.pk
                tried.append(current)
                _send(delivery)
            result.sent += 1
        except Exception as error:  # any failure of the mail server or the message
            if current is None:
                raise  # not a failed send: the database itself
            _count_failure(current, error)
            result.failed += 1
            result.failed_ids.append(current)
    return result


def send_delivery(delivery_id: int) -> str:
    """Send one delivery if it is still pending; raises the send's error (after counting
    the attempt), so that the task that called it is retried."""
    try:
        with transaction.atomic():
            delivery = _locked(
                AlertDelivery.objects.filter(pk=delivery_id, sent_at__isnull=True)
            ).first()
            if delivery is None:
                return "not pending"  # sent meanwhile, unsubscribed, or taken by a sender
            _send(delivery)
    except Exception as error:
        _count_failure(delivery_id, error)
        raise
    return "sent"


def _send(delivery: AlertDelivery) -> None:
    """Send ``delivery`` and mark it sent (inside the caller's transaction)."""
    message = alert_message(delivery)
    if message is not None:
        message.send()
    delivery.sent_at = timezone.now()
    delivery.attempts += 1
    delivery.save(update_fields=["sent_at", "attempts"])


def _count_failure(delivery_id: int, error: Exception) -> None:
    logger.warning("Alert delivery %s not sent: %s", delivery_id, error)
    AlertDelivery.objects.filter(pk=delivery_id).update(
        attempts=F("attempts") + 1, last_error=str(error)[:300]
    )


def _ratings(version: SummaryVersion | None) -> dict[str, str]:
    if version is None:
        return {}
    ratings = {
        field: getattr(version, f"{field}_rating").label
        for field in RATING_FIELDS
        if getattr(version, f"{field}_rating") is not None
    }
    if version.cost_band is not None:
        ratings["cost_band"] = version.cost_band.label
    return ratings


def certainty_changes(previous: SummaryVersion | None, version: SummaryVersion) -> list[dict]:
    """Each outcome whose certainty of the evidence differs between the two versions (an
    outcome new or gone counts as "not rated" on the other side), in the new version's
    order. One query."""
    if previous is None:
        return []
    rows = OutcomeResult.objects.filter(version__in=[previous.pk, version.pk]).values_list(
        "version_id", "outcome__name", "certainty__label"
    )
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for version_id, outcome, label in rows.order_by("position", "id"):
        (after if version_id == version.pk else before)[outcome] = label or "not rated"
    names = list(after) + [name for name in before if name not in after]
    return [
        {
            "outcome": name,
            "before": before.get(name, "not rated"),
            "after": after.get(name, "not rated"),
        }
        for name in names
        if before.get(name, "not rated") != after.get(name, "not rated")
    ]


def alert_message(delivery: AlertDelivery) -> EmailMessage | None:
    """The email of one delivery: what changed, the ratings before and after, the change
    note, a link, and the one-click unsubscribe headers. None if the version is no longer
    live (withdrawn, or replaced again before the alert went out): the next alert says
    what is current, and a withdrawn summary is not announced."""
    outbox = AlertOutbox.objects.get(pk=delivery.outbox_id)
    related = [f"{field}_rating" for field in RATING_FIELDS] + ["cost_band"]
    version = (
        SummaryVersion.objects.select_related("intervention", *related)
        .filter(pk=outbox.version_id, state=State.PUBLISHED)
        .first()
    )
    if version is None:
        return None
    previous = (
        SummaryVersion.objects.select_related(*related).filter(pk=outbox.previous_id).first()
        if outbox.previous_id
        else None
    )
    subscription = Subscription.objects.select_related("problem", "approach").get(
        pk=delivery.subscription_id
    )
    before, after = _ratings(previous), _ratings(version)
    ratings = [
        {
            "dimension": field.replace("_", " ").capitalize(),
            "before": before.get(field, "not rated"),
            "after": after.get(field, "not rated"),
            "changed": before.get(field) != after.get(field),
        }
        for field in [*RATING_FIELDS, "cost_band"]
        if field in before or field in after
    ]
    unsubscribe_url = site_url(f"/follow/unsubscribe/{unsubscribe_token(subscription.pk)}/")
    context = {
        "version": version,
        "previous": previous,
        "ratings": ratings,
        "certainty_changes": certainty_changes(previous, version),
        "subscription": subscription,
        "summary_url": site_url(version.intervention.get_absolute_url()),
        "version_url": site_url(version_url(version)),
        "unsubscribe_url": unsubscribe_url,
        "toolkit_name": settings.TOOLKIT_NAME,
    }
    title = single_line(version.title)  # a subject is one line, whatever is stored
    if previous is None:
        subject = f"New summary: {title}"
    else:
        subject = f"Updated: {title} (version {version.number})"
    return EmailMessage(
        subject=subject,
        body=render_to_string("alerts/email/alert.txt", context),
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
