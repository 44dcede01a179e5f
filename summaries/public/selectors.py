"""Every read the public pages make: what a card shows, a summary's change log and its
related summaries, the terms worth browsing, and what a summary's address leads to.

Each returns live content only (``SummaryVersion.objects.live()``), in a fixed number of
queries whatever the amount of content. A page that takes a slug asks ``resolve_slug``,
so every public address answers a withdrawn, moved or unknown summary the same way.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Case, Count, Q, When

from summaries.models import State, SummaryVersion, prepared
from summaries.models.page_loading import page_versions

CHANGE_LOG_LENGTH = 10


def live_cards():
    """Live versions with what a summary card shows, in one query."""
    return (
        SummaryVersion.objects.live()
        .select_related("intervention", "effect_rating__scale", "quality_rating__scale")
        .defer("search_vector")
    )


def terms_with_live_counts(model):
    """The vocabulary's terms that tag at least one live summary, each with how many.

    One query per vocabulary: the count is an aggregate over live versions (at most one
    per intervention), not a query per term.
    """
    return (
        model.objects.annotate(
            live_count=Count("summaryversion", filter=Q(summaryversion__state=State.PUBLISHED))
        )
        .filter(live_count__gt=0)
        .order_by("position", "name")
    )


def _change_log_of(intervention_id):
    return (
        SummaryVersion.objects.filter(intervention_id=intervention_id, published_at__isnull=False)
        .only("number", "state", "published_at", "withdrawn_at", "change_note")
        .order_by("-published_at")[:CHANGE_LOG_LENGTH]
    )


def change_log(version: SummaryVersion) -> list[SummaryVersion]:
    """The intervention's published versions, newest first: only what was once public."""
    return prepared.run(("change log",), _change_log_of, [version.intervention_id])


def _live_cards_of(intervention_ids):
    return live_cards().filter(intervention_id__in=intervention_ids)


def live_related(version: SummaryVersion) -> list[SummaryVersion]:
    """The live versions of the version's "see also" summaries, in its order, as cards.

    One query for all targets together, none when there are none; targets that are not
    live now are left out.
    """
    targets = [related.target_id for related in version.related_summaries.all()]
    if not targets:
        return []
    live = {
        card.intervention_id: card
        for card in prepared.run(("live cards",), _live_cards_of, [sorted(set(targets))])
    }
    return [live[target] for target in targets if target in live]


# The states of a version that was public and still may be read at its own address.
PUBLIC_VERSION_STATES = (State.PUBLISHED, State.SUPERSEDED)


def published_version(
    intervention_id: int, number: int, *, queryset=None, for_page: bool = False
) -> SummaryVersion | None:
    """Version ``number`` of the intervention if it was ever published: the live one, a
    superseded one or a withdrawn one (the caller answers 410 for that), else ``None``.

    ``queryset`` says what to load with it; ``for_page=True``, everything its page shows
    (``page_versions``). One query, besides a page's content.
    """
    lookups = {
        "intervention_id": intervention_id,
        "number": number,
        "state__in": [*PUBLIC_VERSION_STATES, State.WITHDRAWN],
        "published_at__isnull": False,
    }
    if for_page:
        found = page_versions(lookups, limit=1)
        return found[0] if found else None
    queryset = SummaryVersion.objects.all() if queryset is None else queryset
    return queryset.filter(**lookups).select_related("intervention").first()


# --- What an address leads to -----------------------------------------------------------


class SlugState(StrEnum):
    LIVE = "live"
    WITHDRAWN = "withdrawn"
    MOVED = "moved"
    NOT_FOUND = "not found"


@dataclass(frozen=True)
class Resolved:
    """What ``/toolkit/<slug>/`` (and every address under it) leads to.

    ``version`` is the live version (``LIVE``) or the withdrawn one, with its title, date
    and reason (``WITHDRAWN``); ``slug`` is the summary's current slug (``LIVE``, ``MOVED``).
    """

    state: SlugState
    version: SummaryVersion | None = None
    slug: str = ""


# What a withdrawal notice shows.
_WITHDRAWN_FIELDS = ("number", "state", "title", "withdrawn_at", "withdrawal_reason")


def resolve_slug(slug: str, *, live=None, for_page: bool = False) -> Resolved:
    """Whether ``slug`` is a live summary, a withdrawn one, an old address of one, or
    nothing the public may know of.

    ``live`` is the queryset of live versions to read the summary from (for a page, one
    with what it shows: ``for_page()``); ``for_page=True`` loads the live version with
    everything its page shows, from statements compiled once (``page_versions``). One
    query for a live summary (besides its page's content); the others are
    asked only when it misses. An old address is followed only to a summary that is live
    now, and an old address of a withdrawn summary is withdrawn too, so a current address
    that was never public stays unknown. A summary never published is not found, exactly
    like an address that never existed.
    """
    if for_page:
        found = page_versions({"state": State.PUBLISHED, "intervention__slug": slug}, limit=1)
        version = found[0] if found else None
    else:
        live = SummaryVersion.objects.live() if live is None else live
        version = live.filter(intervention__slug=slug).first()
    if version is not None:
        return Resolved(SlugState.LIVE, version, slug)
    withdrawn = (
        SummaryVersion.objects.filter(intervention__slug=slug, state=State.WITHDRAWN)
        .only(*_WITHDRAWN_FIELDS)
        .order_by("-withdrawn_at")
        .first()
    )
    if withdrawn is not None:
        return Resolved(SlugState.WITHDRAWN, withdrawn)
    moved = (
        SummaryVersion.objects.filter(
            intervention__slug_redirects__old_slug=slug,
            state__in=(State.PUBLISHED, State.WITHDRAWN),
        )
        .select_related("intervention")
        .only(*_WITHDRAWN_FIELDS, "intervention__slug")
        .order_by(Case(When(state=State.PUBLISHED, then=0), default=1), "-withdrawn_at")
        .first()
    )
    if moved is None:
        return Resolved(SlugState.NOT_FOUND)
    if not moved.is_live:
        return Resolved(SlugState.WITHDRAWN, moved)
    return Resolved(SlugState.MOVED, slug=moved.intervention.slug)
