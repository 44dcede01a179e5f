"""The summary cards of the list and home pages, from statements compiled once per process.

Profiling the list page uncached (``bench/README.md``) showed its time going to Python,
not to the database: building and compiling the ORM query of a page of results cost
more than running it, and each of the twenty results became five model instances (the
version, its intervention, two rating levels and their scales) to show seven values.
Here the same query (``SummaryVersion.objects.live()``, ``search.search_live``, the
facets' own ``FacetFilter.filter``, the page's order) is built and compiled once per
process for each *shape* (with or without a search, the order, how many terms of each
facet are chosen), with placeholders for the values; each request runs the compiled
statement with its own values and gets plain ``Card`` rows. The SQL is the ORM's, so
both engines' full-text search and the facets' semi-joins stay defined in one place.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connections

from summaries.models import SummaryVersion, prepared
from summaries.search import ParsedQuery, search_live
from summaries.search.filters import SummaryFilter
from summaries.search.query import Clause

# What a card shows, in the order of ``Card``'s fields.
CARD_FIELDS = (
    "pk",
    "title",
    "standfirst",
    "intervention__slug",
    "effect_rating__label",
    "quality_rating__label",
    "published_at",
)


@dataclass(slots=True)
class Card:
    """A live summary as a card shows it (``components/summary_card.html``)."""

    pk: int
    title: str
    standfirst: str
    slug: str
    effect: str | None  # the rating level's label, None when not rated
    quality: str | None
    published_at: datetime | None
    snippet: str = ""  # safe HTML: where a search matched (``search.snippets``)

    @classmethod
    def of(cls, version: SummaryVersion) -> "Card":
        """The card of a version loaded as ``selectors.live_cards()`` loads it."""
        effect, quality = version.effect_rating, version.quality_rating
        return cls(
            version.pk,
            version.title,
            version.standfirst,
            version.intervention.slug,
            effect.label if effect else None,
            quality.label if quality else None,
            version.published_at,
        )


# Placeholders the statements are compiled with, replaced by each request's values. The
# strings hold control characters no query renders (``search.query`` keeps letters and
# digits only); the ids are far above any primary key.
_FTS5 = "\x01fts5\x01"
_TSQUERY = "\x01tsquery\x01"
_TSQUERY_RANKED = "\x01tsquery-ranked\x01"
_ID_BASE = 1 << 52


class _PlaceholderQuery(ParsedQuery):
    """A parsed query whose renderings are the placeholders."""

    def __init__(self):
        super().__init__(required=((Clause(("placeholder",)),),))

    def fts5(self) -> str:
        return _FTS5

    def tsquery(self, *, exclusions: bool = True) -> str:
        return _TSQUERY if exclusions else _TSQUERY_RANKED


@dataclass(frozen=True)
class _Term:
    """What ``FacetFilter.filter`` reads of a chosen term: its primary key."""

    pk: int


@dataclass(frozen=True)
class _Statement:
    sql: str
    # Per parameter: a constant, or the placeholder it stands for.
    params: tuple[tuple[bool, Any], ...]
    converters: tuple  # what the ORM applies to each column (prepared.converters_of)


@lru_cache(maxsize=256)  # a few shapes in practice; bounded whatever URLs are asked for
def _statement(
    using: str, searched: bool, order: tuple[str, ...], sizes: tuple[tuple[str, int], ...]
) -> _Statement:
    """The compiled SELECT of cards for one shape: ``searched`` or not, in ``order``, with
    ``sizes`` (facet name, number of chosen terms) applied, LIMIT and OFFSET last."""
    queryset = SummaryVersion.objects.using(using).live()
    if searched:
        queryset = search_live(queryset, _PlaceholderQuery(), ranked="-rank" in order)
    placeholders: set[str | int] = {_FTS5, _TSQUERY, _TSQUERY_RANKED}
    for index, (name, size) in enumerate(sizes):
        ids = [_ID_BASE + index * 1000 + n for n in range(size)]
        placeholders.update(ids)
        queryset = SummaryFilter.base_filters[name].filter(queryset, [_Term(pk) for pk in ids])
    queryset = queryset.order_by(*order).values_list(*CARD_FIELDS)
    compiler = queryset.query.get_compiler(using)
    sql, params = compiler.as_sql()
    slots = tuple(
        (True, param) if isinstance(param, str | int) and param in placeholders else (False, param)
        for param in params
    )
    # Every placeholder must have reached the statement as a parameter of its own.
    used = {param for is_placeholder, param in slots if is_placeholder}
    id_placeholders = {p for p in placeholders if isinstance(p, int)}
    stray = [p for is_placeholder, p in slots if not is_placeholder and isinstance(p, str)]
    if (
        not id_placeholders <= used
        or (searched and not used & {_FTS5, _TSQUERY})
        or any("\x01" in p for p in stray)
    ):
        raise AssertionError(f"Unexpected parameters for the cards statement: {params!r}")
    return _Statement(f"{sql} LIMIT %s OFFSET %s", slots, prepared.converters_of(compiler))


def fetch_cards(
    parsed: ParsedQuery | None,
    order: Sequence[str],
    chosen: dict[str, list[int]],
    *,
    offset: int,
    limit: int,
    using: str = "default",
) -> list[Card]:
    """Live summaries as cards: those matching ``parsed`` (None: all), with the ``chosen``
    terms' ids of each facet (any of a facet's, every facet), in ``order`` (fields of
    ``SummaryVersion``; ``-rank`` is the search's relevance), ``limit`` from ``offset``.
    One query; none for a search with nothing to look for."""
    if parsed is not None and not parsed:
        return []
    sizes = tuple((name, len(ids)) for name, ids in chosen.items() if ids)
    statement = _statement(using, parsed is not None, tuple(order), sizes)
    values: dict[Any, Any] = {}
    if parsed is not None:
        values = {
            _FTS5: parsed.fts5(),
            _TSQUERY: parsed.tsquery(),
            _TSQUERY_RANKED: parsed.tsquery(exclusions=False),
        }
    for index, (name, _size) in enumerate(sizes):
        for n, pk in enumerate(chosen[name]):
            values[_ID_BASE + index * 1000 + n] = pk
    params = [
        values[param] if is_placeholder else param for is_placeholder, param in statement.params
    ]
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [*params, limit, offset])
        rows = cursor.fetchall()
    return [Card(*row) for row in prepared.convert(rows, statement.converters, connection)]


class CardResults:
    """The cards of a search or browse, for ``Paginator``: a slice is one query."""

    ordered = True  # the paginator's check for a stable order

    def __init__(self, parsed: ParsedQuery | None, order: Sequence[str], chosen: dict):
        self.parsed, self.order, self.chosen = parsed, order, chosen

    def __getitem__(self, item: slice) -> list[Card]:
        if not isinstance(item, slice) or item.start is None or item.stop is None:
            raise TypeError("CardResults only gives slices with both ends.")
        if item.stop <= item.start:  # an empty page: nothing to ask
            return []
        return fetch_cards(
            self.parsed,
            self.order,
            self.chosen,
            offset=item.start,
            limit=item.stop - item.start,
        )
