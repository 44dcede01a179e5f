"""The public content generations: numbers that move with every change the public sees.

Cached pages, their ETags and cached search counts are all keyed by them, so nothing
cached before a change is served after it, on any app server (the numbers live in the
database, not in a cache). There are three:

- ``PublicContent.generation`` moves with every change. Pages that show many summaries
  (home, lists and searches, the feed, the sitemap, the downloads) are keyed by it.
- ``PageGeneration.generation`` (one per intervention) moves when one summary's own
  pages change: it is published, withdrawn or renamed, or a summary one of its live or
  superseded versions shows as related is. A summary's page, its ``data.json`` and its
  published versions' pages and citations are keyed by it (with the site generation),
  so a publication leaves every unrelated summary's cached pages in use.
- ``PublicContent.site_generation`` moves with changes that may touch every page (an
  intervention or an outcome edited in the admin, bulk loads): callers that do not say
  which summaries changed. A term or a scale edited says which: the summaries whose pages
  show it (``summaries_tagged``, ``summaries_rated_on``).

They are cheap to keep:

- **Raised in the changing transaction.** ``public_content_changed()`` is called by
  whatever changes public content, inside the transaction that changes it; a rolled-back
  change raises nothing. A transaction that calls it twice raises the shared numbers
  twice, in one committed step (the second update costs little: the row lock is already
  held). The summaries each call names are raised by that call.
- **Read once per request.** ``current_generation(request)`` and
  ``summary_generation(request, slug)`` remember the value on the request, so the page
  cache and the search counts of one request share one query.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import connection
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from .infrastructure import PageGeneration, PublicContent
from .versions import RATING_FIELDS, State, SummaryVersion
from .vocabularies import TAXONOMY, Term

NEVER = datetime(2000, 1, 1, tzinfo=UTC)
_REQUEST_ATTRIBUTE = "_public_content_generation"
_SUMMARY_ATTRIBUTE = "_summary_generation"


def public_content_changed(*, interventions: Iterable[int] | None = None) -> set[int] | None:
    """Record that what the public sees changed; call it inside the changing transaction.

    ``interventions``: the ids of the summaries whose content changed (a publication, a
    withdrawal, a rename, a term or scale they show edited); their pages go cold, and so
    do the pages of summaries whose live version shows one of them as related, and every
    page listing summaries (even with no ids). Without it anything may have changed, and
    every page goes cold.

    The row lock this takes holds back a second change until the first commits, so each
    committed change has a number of its own and readers never see one without the other.
    The related summaries are looked up after the lock is taken, so a publication
    committed just before is seen.

    Returns the summaries whose pages went cold (those named and those showing them as
    related), or None when every page did: what the caller's rebuild of stored pages
    (``public/pages.refresh_on_commit``) should cover.
    """
    everything = interventions is None
    now = timezone.now()
    # Raised at each call: a transaction that calls twice (a publication and the search
    # index upkeep inside it) commits a number two higher, which readers see as one change.
    changes: dict[str, object] = {"changed_at": now, "generation": F("generation") + 1}
    if everything:
        changes["site_generation"] = F("site_generation") + 1
    if not PublicContent.objects.filter(pk=1).update(**changes):
        # Migration 0009 creates the row; a database flushed since (tests) has none.
        PublicContent.objects.get_or_create(pk=1, defaults={"changed_at": now})
    if everything:
        return None
    return _raise_pages(set(interventions or ()))


# The versions a summary's pages (``/toolkit/<slug>/``, its data, its versions' pages and
# citations, all keyed by its page generation) show: the live one, the superseded ones,
# and the notice of a withdrawn one.
_PAGE_STATES = (State.PUBLISHED, State.SUPERSEDED, State.WITHDRAWN)


def summaries_showing(condition: Q) -> set[int]:
    """The summaries whose own page shows a version matching ``condition``: what to pass
    as ``interventions`` when something such versions show has changed. One query."""
    return set(
        SummaryVersion.objects.filter(condition, state__in=_PAGE_STATES)
        .values_list("intervention_id", flat=True)
        .distinct()
    )


def summaries_tagged(model: type[Term], term_ids: Iterable[int]) -> set[int]:
    """The summaries whose page shows one of these terms (they are tagged with it). Ask
    before the terms' tags are removed (a merge, a delete)."""
    field = next(vocabulary.field for vocabulary in TAXONOMY if vocabulary.model is model)
    return summaries_showing(Q(**{f"{field}__in": list(term_ids)}))


def summaries_rated_on(scale_ids: Iterable[int]) -> set[int]:
    """The summaries whose page shows a level of one of these scales (with the scale's
    name): a headline rating, an outcome's (its ratings and its certainty) or a cost band."""
    ids = list(scale_ids)
    condition = (
        Q(outcome_results__effect_rating__scale__in=ids)
        | Q(outcome_results__quality_rating__scale__in=ids)
        | Q(outcome_results__certainty__scale__in=ids)
        | Q(cost_band__scale__in=ids)
    )
    for field in RATING_FIELDS:
        condition |= Q(**{f"{field}_rating__scale__in": ids})
    return summaries_showing(condition)


def _raise_pages(ids: set[int]) -> set[int]:
    """Raise the page generations of ``ids`` and of the summaries whose live or superseded
    versions show one of them as related. Called holding PublicContent's row lock, so no two callers
    race to create a row."""
    if not ids:
        return ids
    # Superseded versions too: each has its own public page, with its related cards.
    showing = SummaryVersion.objects.filter(
        state__in=(State.PUBLISHED, State.SUPERSEDED), related_summaries__target__in=ids
    ).values_list("intervention_id", flat=True)
    ids |= set(showing)
    PageGeneration.objects.filter(pk__in=ids).update(generation=F("generation") + 1)
    have = set(PageGeneration.objects.filter(pk__in=ids).values_list("pk", flat=True))
    PageGeneration.objects.bulk_create(
        PageGeneration(intervention_id=pk, generation=1) for pk in ids - have
    )
    return ids


# The two reads every public page makes, the cached ones too: a cache hit is these and
# one cache read. Fixed statements in plain SQL (Django's default table names for the
# models above): building them as querysets on every request cost more than running them.
_SITE_SQL = (
    "SELECT generation, site_generation, changed_at FROM summaries_publiccontent WHERE id = 1"
)
# (generation, site generation, the summary's page generation or NULL for a slug no
# summary has, changed at) for a slug.
_SUMMARY_SQL = (
    "SELECT c.generation, c.site_generation,"
    " (SELECT COALESCE(g.generation, 0) FROM summaries_intervention i"
    " LEFT JOIN summaries_pagegeneration g ON g.intervention_id = i.id"
    " WHERE i.slug = %s),"
    " c.changed_at"
    " FROM summaries_publiccontent c WHERE c.id = 1"
)


def _aware(value: datetime) -> datetime:
    # SQLite gives back a naive datetime (stored in UTC), PostgreSQL an aware one.
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


def _site_row(request: HttpRequest | None) -> tuple[int, int, datetime]:
    """(generation, site generation, changed at): one primary-key lookup, made once per
    ``request`` when one is given."""
    if request is not None and hasattr(request, _REQUEST_ATTRIBUTE):
        remembered: tuple[int, int, datetime] = getattr(request, _REQUEST_ATTRIBUTE)
        return remembered
    with connection.cursor() as cursor:
        cursor.execute(_SITE_SQL)
        row = cursor.fetchone()
    value = (row[0], row[1], _aware(row[2])) if row else (0, 0, NEVER)
    if request is not None:
        setattr(request, _REQUEST_ATTRIBUTE, value)
    return value


def current_generation(request: HttpRequest | None = None) -> tuple[int, datetime]:
    """The generation and when it last changed: one primary-key lookup, made once per
    ``request`` when one is given."""
    generation, _site, changed_at = _site_row(request)
    return generation, changed_at


def site_generation(request: HttpRequest | None = None) -> int:
    """The site generation (read with ``current_generation``, once per ``request``)."""
    return _site_row(request)[1]


def summary_generation(slug: str, request: HttpRequest | None = None) -> tuple[str, datetime]:
    """What the pages at ``/toolkit/<slug>/`` are keyed by, and when content last changed:
    one query, made once per ``request``.

    For a summary's current slug: the site generation and the summary's page generation
    (``s<site>-<page>``, which its stored pages are stamped with too). For any other slug
    (an old address, an unknown one) there is no summary to follow, so it is the
    generation that moves with every change. The time is the last change of any content,
    which is never earlier than this page's.
    """
    if request is not None and hasattr(request, _SUMMARY_ATTRIBUTE):
        remembered: tuple[str, datetime] = getattr(request, _SUMMARY_ATTRIBUTE)
        return remembered
    with connection.cursor() as cursor:
        cursor.execute(_SUMMARY_SQL, [slug])
        row = cursor.fetchone()
    generation, site, page_generation, changed_at = row or (0, 0, None, NEVER)
    changed_at = _aware(changed_at)
    key = f"all-{generation}" if page_generation is None else f"s{site}-{page_generation}"
    value = (key, changed_at)
    if request is not None:
        setattr(request, _SUMMARY_ATTRIBUTE, value)
    return value
