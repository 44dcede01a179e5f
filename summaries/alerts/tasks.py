"""The alerts' background tasks: confirmation emails and alert emails, sent by the
worker (``summaries.tasks``), never inside a request."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from summaries.models import FollowKind, Subscription
from summaries.tasks import background_task, enqueue, periodic_task

from . import sending, tokens
from .targets import site_url, target_by_id

TARGET_FIELD = {
    FollowKind.SUMMARY: "intervention_id",
    FollowKind.PROBLEM: "problem_id",
    FollowKind.APPROACH: "approach_id",
}


@background_task()
def send_follow_confirmation(email: str, kind: str, target_id: int, within_limit: bool) -> str:
    """Email ``email`` the link that confirms following the target, unless it follows it
    already or asked too often (``within_limit``, counted by the request); raises, and so
    is retried, when the mail server fails.

    Decided here, not in the request, so the request does the same work for every
    address: its timing cannot tell who follows what."""
    if not within_limit:
        return "over the address's limit"
    following = Subscription.objects.filter(
        email=email, kind=kind, **{TARGET_FIELD[FollowKind(kind)]: target_id}
    )
    if following.exists():
        return "following already"
    target = target_by_id(kind, target_id)
    if target is None:
        return "no longer followable"  # withdrawn or deleted since the request
    token = tokens.confirm_token(email=email, kind=target.kind, target_id=target.id)
    context = {
        "target": target,
        "confirm_url": site_url(f"/follow/confirm/{token}/"),
        "target_url": site_url(target.url),
        "hours": settings.FOLLOW_CONFIRM_MAX_AGE // 3600,
        "toolkit_name": settings.TOOLKIT_NAME,
    }
    EmailMessage(
        subject=f"Confirm: follow {target.name}",
        body=render_to_string("alerts/email/confirm.txt", context),
        to=[email],
    ).send()
    return "sent"


@periodic_task()
def send_alerts() -> str:
    """Every minute (``PERIODIC_TASKS``): turn publications into deliveries and send the
    new ones. Each that fails gets a task of its own, retried with backoff."""
    written = sending.expand_pending()
    result = sending.send_pending(new_only=True)
    for delivery_id in result.failed_ids:
        enqueue(send_alert_delivery, delivery_id)
    return f"{written} alerts queued, {result.sent} sent, {result.failed} failed"


@background_task(attempts=sending.MAX_ATTEMPTS)
def send_alert_delivery(delivery_id: int) -> str:
    """Retry one alert that failed; raises (and is retried later) while it fails."""
    return sending.send_delivery(delivery_id)
