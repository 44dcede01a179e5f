"""What can be followed: a live summary, a problem or an approach, by kind and slug."""

from dataclasses import dataclass

from django.conf import settings

from summaries.models import (
    Approach,
    FollowKind,
    Intervention,
    Problem,
    SummaryVersion,
    live_terms,
)
from summaries.models.plain_text import single_line

MODELS = {FollowKind.PROBLEM: Problem, FollowKind.APPROACH: Approach}


@dataclass(frozen=True)
class Target:
    kind: str
    id: int
    name: str  # what the pages and emails call it: one line (an email's subject)
    url: str  # its public page


def target_by_slug(kind: str, slug: str) -> Target | None:
    """The live summary, problem or approach of that slug, or None."""
    if kind == FollowKind.SUMMARY:
        version = (
            SummaryVersion.objects.live()
            .filter(intervention__slug=slug)
            .select_related("intervention")
            .only("title", "intervention__slug")
            .first()
        )
        if version is None:
            return None
        return Target(
            kind,
            version.intervention_id,
            single_line(version.title),
            version.intervention.get_absolute_url(),
        )
    model = MODELS.get(kind)  # type: ignore[call-overload]
    if model is None:
        return None
    # A term tagging drafts alone cannot be followed, nor named: as if it did not exist.
    term = live_terms(model).filter(slug=slug).first()
    if term is None:
        return None
    return Target(kind, term.pk, single_line(term.name), term_url(kind, term.slug))


def target_by_id(kind: str, target_id: int) -> Target | None:
    if kind == FollowKind.SUMMARY:
        intervention = Intervention.objects.filter(pk=target_id).first()
        return None if intervention is None else target_by_slug(kind, intervention.slug)
    model = MODELS.get(kind)  # type: ignore[call-overload]
    term = None if model is None else live_terms(model).filter(pk=target_id).first()
    if term is None:
        return None
    return Target(kind, term.pk, single_line(term.name), term_url(kind, term.slug))


def term_url(kind: str, slug: str) -> str:
    return f"/toolkit/?{kind}={slug}"


def site_url(path: str) -> str:
    """``path`` on the site's own address (``SITE_URL``), for links in emails."""
    return settings.SITE_URL.rstrip("/") + path
