"""The admin home page's dashboards: what waits for the signed-in user.

- Reviewers: the versions waiting for review, oldest first with their age (those the
  reviewer wrote or submitted are marked, since someone else must publish them), and
  what is scheduled.
- Editors: their drafts, theirs in review, those sent back to them, and theirs recently
  published. "Theirs" means they created the version or saved text in it.
- Everyone: live summaries due for evidence review: their reassess date has come, or,
  for those without one, their evidence was last reviewed more than
  ``EVIDENCE_REVIEW_MONTHS`` ago (or never); the longest due first.
- Reviewers: open challenges to a rating, by target date, so the overdue ones first.
- Everyone: their unread notifications, and their latest workflow actions with each
  version's state now.

Each list is one count and one query cut at ``LIMIT``, so the page costs the same number of
queries however much waits.
"""

from datetime import date

from django import template
from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from summaries.editorial import challenges, rules
from summaries.models import (
    AuditEvent,
    Challenge,
    Notification,
    NotificationPreference,
    State,
    SummaryVersion,
    VersionAuthor,
)

register = template.Library()

LIMIT = 20
RECENT = 5


def _listing(queryset, *order, limit=LIMIT):
    queryset = queryset.select_related(
        "intervention", "submitted_by", "scheduled_by", "review_assignee"
    )
    return {"count": queryset.count(), "versions": list(queryset.order_by(*order)[:limit])}


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day if it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover (28 always exists)


def evidence_review_cutoff(today: date | None = None) -> date:
    return months_before(today or timezone.localdate(), settings.EVIDENCE_REVIEW_MONTHS)


def due_for_evidence_review(today: date | None = None):
    """Live versions whose reassess date (their update status's) has come; for those
    without one, whose evidence was last reviewed before the cut-off, or never."""
    today = today or timezone.localdate()
    cutoff = evidence_review_cutoff(today)
    return SummaryVersion.objects.live().filter(
        Q(reassess_on__lte=today)
        | Q(reassess_on__isnull=True)
        & (Q(evidence_reviewed_on__isnull=True) | Q(evidence_reviewed_on__lt=cutoff))
    )


@register.simple_tag
def review_queue(user) -> dict:
    queue: dict = {}
    if user.has_perm(rules.REVIEW) or user.has_perm(rules.PUBLISH):
        in_review = SummaryVersion.objects.filter(state=State.IN_REVIEW)
        # By due day, overdue first; then the longest waiting.
        queue["in_review"] = _listing(
            in_review,
            F("review_due_on").asc(nulls_last=True),
            F("submitted_at").asc(nulls_first=True),
            "pk",
        )
        mine = set(
            VersionAuthor.objects.filter(
                user=user, version__in=[v.pk for v in queue["in_review"]["versions"]]
            ).values_list("version_id", flat=True)
        )
        for version in queue["in_review"]["versions"]:
            version.by_me = version.pk in mine or version.submitted_by_id == user.pk
        queue["scheduled"] = _listing(in_review.exclude(publish_at=None), "publish_at", "pk")
    if user.has_perm(challenges.DECIDE):
        waiting = challenges.overdue_first(Challenge.objects).select_related("intervention")
        queue["challenges"] = {
            "count": waiting.count(),
            "overdue": waiting.filter(target_on__lt=timezone.localdate()).count(),
            "items": list(waiting[:LIMIT]),
        }
    if user.has_perm(rules.EDIT):
        mine = SummaryVersion.objects.filter(
            Q(created_by=user) | Q(pk__in=VersionAuthor.objects.filter(user=user).values("version"))
        )
        queue["drafts"] = _listing(mine.filter(state=State.DRAFT), "-updated_at", "-pk")
        queue["mine_in_review"] = _listing(
            mine.filter(state=State.IN_REVIEW),
            F("review_due_on").asc(nulls_last=True),
            "submitted_at",
            "pk",
        )
        queue["sent_back"] = _listing(
            mine.filter(state=State.CHANGES_REQUESTED), "updated_at", "pk"
        )
        queue["published"] = _listing(
            mine.filter(state=State.PUBLISHED), "-published_at", "-pk", limit=RECENT
        )
    # Never reviewed and no date set first, then by the date that made each due (its
    # reassess date, else when its evidence was last reviewed), oldest first.
    queue["evidence_due"] = _listing(
        due_for_evidence_review(),
        Coalesce("reassess_on", "evidence_reviewed_on").asc(nulls_first=True),
        "title",
    )
    queue["evidence_months"] = settings.EVIDENCE_REVIEW_MONTHS
    queue["today"] = timezone.localdate()
    queue["unread"] = Notification.objects.filter(user=user, read_at=None).count()
    # Email is on unless the user turned it off; with no address it cannot reach them.
    queue["no_email_address"] = (
        not user.email
        and not NotificationPreference.objects.filter(user=user, email=False).exists()
    )
    return queue


@register.simple_tag
def recent_events(user, limit: int = 10) -> list[AuditEvent]:
    """The user's latest workflow actions, each with its version's state now (one query;
    Django's "Recent actions" showed each object as it was when the action was logged)."""
    events = AuditEvent.objects.filter(actor=user).select_related("version")
    return list(events.order_by("-at", "-id")[:limit])
