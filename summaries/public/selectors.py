"""Every read the public pages make: what a card shows, a summary's change log and its
related summaries, the terms worth browsing, and what a summary's address leads to.

Each returns live content only (``SummaryVersion.objects.live()``), in a fixed number of
queries whatever the amount of content. A page that takes a slug asks ``resolve_slug``,
so every public address answers a withdrawn, moved or unknown summary the same way.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from django.db import connection
from django.db.models import Case, When

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


@dataclass(frozen=True)
class LiveTerm:
    """A term and how many live summaries it tags."""

    slug: str
    name: str
    live_count: int


def terms_with_live_counts(model) -> list[LiveTerm]:
    """The vocabulary's terms that tag at least one live summary, each with how many."""
    return live_term_counts(model)[0]


def live_term_counts(*models) -> list[list[LiveTerm]]:
    """For each vocabulary (a ``Term`` model), its terms that tag at least one live
    summary, each with how many, in the vocabulary's order (position, name).

    One query for all of them: each vocabulary's tags of live versions (at most one per
    intervention) counted by term, then joined to the terms; a statement built once per
    process, as the ORM's annotated GROUP BY cost more to compile than to run.
    """
    if not models:
        return []
    found: list[list[LiveTerm]] = [[] for _ in models]
    with connection.cursor() as cursor:
        cursor.execute(
            _live_terms_select(connection.vendor, models), [State.PUBLISHED.value] * len(models)
        )
        for index, slug, name, count, _position in cursor.fetchall():
            found[index].append(LiveTerm(slug, name, count))
    return found


@cache
def _live_terms_select(vendor: str, models: tuple) -> str:
    quote = connection.ops.quote_name
    versions = SummaryVersion._meta
    state = quote(versions.get_field("state").column)
    branches = []
    for index, model in enumerate(models):
        field = next(f for f in versions.many_to_many if f.related_model is model)
        through = quote(field.m2m_db_table())
        version, term = quote(field.m2m_column_name()), quote(field.m2m_reverse_name())
        branches.append(
            f"SELECT {index}, t.slug, t.name, g.n, t.position FROM "
            f"(SELECT x.{term} AS term_id, COUNT(*) AS n FROM {through} x "
            f"JOIN {quote(versions.db_table)} v ON v.{quote(versions.pk.column)} = x.{version} "
            f"WHERE v.{state} = %s GROUP BY x.{term}) g "
            f"JOIN {quote(model._meta.db_table)} t ON t.{quote(model._meta.pk.column)} = g.term_id"
        )
    # Ordered as Term.Meta.ordering (position, name), by the database's own collation.
    return " UNION ALL ".join(branches) + " ORDER BY 1, 5, 3"


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
