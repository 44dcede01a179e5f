"""Matching, ranking and snippets, on the database's own engine (PostgreSQL or SQLite).

- PostgreSQL: ``SummaryVersion.search_vector``, a weighted tsvector with a GIN index,
  matched with ``to_tsquery`` (the query rendered by ``ParsedQuery.tsquery``, every word
  quoted) and ranked with ``ts_rank``; ``ts_headline`` makes the snippets.
- SQLite: the FTS5 table ``summary_fts`` (one row per live version, keyed by version id),
  ranked by bm25 with the column weights set on the table; ``snippet()`` makes the
  snippets.

Both return querysets of ``SummaryVersion``, so django-filter and pagination compose
with them.
"""

import html
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Expression, F, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape

from summaries.models import PublishedPage, State, SummaryVersion

from .index import CONFIG, MARK_END, MARK_START, is_postgresql, section_texts
from .query import ParsedQuery, parse_query

# FTS5 column weights for bm25 (title, standfirst, taxonomy, body), set once on the table
# by the migration as its ``rank`` function.
FTS5_RANK = "bm25(10.0, 4.0, 4.0, 1.0)"
SNIPPET_WORDS = 30
# Added to the rank of a summary that matches the query as typed, when search also looks
# for other forms (spellings, compounds, synonyms): far above any score either engine
# gives (ts_rank is at most 1; bm25 here stays in the tens), so every exact match ranks
# above every match found only by a form the reader did not type.
EXACT_BONUS = 1_000_000.0


def search_live(
    queryset: QuerySet[SummaryVersion], text: str | ParsedQuery, *, ranked: bool = True
) -> QuerySet[SummaryVersion]:
    """The live versions of ``queryset`` matching ``text`` (a reader's query, or one
    already parsed, with the forms ``forgiving.read_query`` adds); with ``ranked``,
    annotated with ``rank`` (higher is better). Not ordered: the caller chooses the order.

    A query with nothing to look for gives an empty queryset.
    """
    parsed = text if isinstance(text, ParsedQuery) else parse_query(text)
    queryset = queryset.filter(state=State.PUBLISHED)
    if not parsed:
        return queryset.none().annotate(rank=Value(0.0)) if ranked else queryset.none()
    # With forms added (``forgiving.read_query``), the query as typed: what it matches
    # ranks first (the "forgiving matches rank below exact ones").
    typed = parsed.as_typed()
    forgiving = parsed.expanded is not None and typed.tsquery() != parsed.tsquery()
    if is_postgresql():
        query = SearchQuery(parsed.tsquery(), search_type="raw", config=CONFIG)
        queryset = queryset.filter(search_vector=query)
        if ranked:
            # Ranked on what was asked for only: ts_rank scores a negated word as if it
            # were one more word to look for, which would reorder the results.
            wanted = SearchQuery(parsed.tsquery(exclusions=False), search_type="raw", config=CONFIG)
            rank: Expression = SearchRank(F("search_vector"), wanted)
            if forgiving:
                exact = SearchQuery(
                    typed.tsquery(exclusions=False), search_type="raw", config=CONFIG
                )
                rank = rank + _exact_bonus(When(search_vector=exact, then=Value(EXACT_BONUS)))
            queryset = queryset.annotate(rank=rank)
        return queryset
    # ``summary_fts = 'expr'`` on the hidden column named after the table is FTS5's MATCH.
    # The matches are always given as a subquery: joined alone, SQLite's planner would
    # walk every live version and run the full-text query once per row.
    expression = parsed.fts5()
    queryset = queryset.filter(pk__in=RawSQL(_FTS5_MATCHES, [expression]))
    if ranked:
        # ``rank`` only exists in a matching query, hence the join as well; with the
        # subquery present the planner reads the full-text matches first. It is bm25 with
        # the column weights set on the table, negated so higher is better on both engines.
        queryset = queryset.filter(search_entry__document=expression)
        bm25: Expression = -F("search_entry__rank")
        if forgiving:
            # The typed query's matches, as one more subquery read once (uncorrelated).
            typed_matches = RawSQL(_FTS5_MATCHES, [typed.fts5()])
            bm25 = bm25 + _exact_bonus(When(pk__in=typed_matches, then=Value(EXACT_BONUS)))
        queryset = queryset.annotate(rank=bm25)
    return queryset


def _exact_bonus(when: When) -> Case:
    return Case(when, default=Value(0.0))


_FTS5_MATCHES = "SELECT rowid FROM summary_fts WHERE summary_fts = %s"


def snippets(text: str | ParsedQuery, version_ids: Iterable[int]) -> dict[int, str]:
    """For the given versions (a page of results), the passage of their section text
    that best matches ``text`` (every form searched for is marked, British or American),
    HTML-escaped, matches wrapped in ``<mark>``.

    Computed for these rows only, so its cost does not grow with the number of hits.
    Versions whose text has no match (e.g. matched on the title only) are left out.
    """
    version_ids = list(version_ids)
    parsed = text if isinstance(text, ParsedQuery) else parse_query(text)
    if not version_ids or not parsed:
        return {}
    if is_postgresql():
        raw = _postgresql_snippets(parsed, version_ids)
    else:
        raw = _sqlite_snippets(parsed, version_ids)
    return {pk: _marked_html(snippet) for pk, snippet in raw.items() if MARK_START in snippet}


def _postgresql_snippets(parsed: ParsedQuery, version_ids: list[int]) -> dict[int, str]:
    """ts_headline over each version's stored section text (``PublishedPage.snippet_text``,
    read in place: no text leaves the database but the snippets); a version whose stored
    page is missing, or has no text stored, has its text made from its sections here."""
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    # ts_headline's parser takes anything like a tag for markup and drops it, so text
    # such as "<script>" would vanish: it is given escaped text, and the result unescaped
    # (``_marked_html`` escapes it again, whatever the fragment boundaries).
    headline = "ts_headline(%s::regconfig, d.body, to_tsquery(%s::regconfig, %s), %s)"
    arguments = [CONFIG, CONFIG, parsed.tsquery(), options]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.version_id, {headline} FROM ("
            f"SELECT version_id, snippet_text AS body FROM {PublishedPage._meta.db_table} "
            "WHERE version_id = ANY(%s)) AS d",
            [*arguments, version_ids],
        )
        # Empty: no stored page, or one stored before it kept the text (a version with no
        # section text at all is looked for again, and found to have none).
        found: dict[int, str] = {pk: text for pk, text in cursor.fetchall() if text}
        missing = [pk for pk in version_ids if pk not in found]
        bodies = section_texts(missing) if missing else {}
        if ids := [pk for pk in missing if bodies.get(pk)]:
            cursor.execute(
                f"SELECT d.id, {headline} FROM unnest(%s::bigint[], %s::text[]) AS d(id, body)",
                [*arguments, ids, [escape(bodies[pk]) for pk in ids]],
            )
            found.update(cursor.fetchall())
    return {pk: html.unescape(text) for pk, text in found.items()}


def _sqlite_snippets(parsed: ParsedQuery, version_ids: list[int]) -> dict[int, str]:
    placeholders = ", ".join(["%s"] * len(version_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            # Column 3 is the section text; -1 would pick the title, already on the card.
            # ``+rowid``: FTS5 would run the full-text query once per id of a plain
            # ``rowid IN``; this way it runs once and the ids filter its matches.
            "SELECT rowid, snippet(summary_fts, 3, %s, %s, '…', %s) FROM summary_fts "
            f"WHERE summary_fts = %s AND +rowid IN ({placeholders})",
            [MARK_START, MARK_END, SNIPPET_WORDS, parsed.fts5(), *version_ids],
        )
        return dict(cursor.fetchall())


def _marked_html(snippet: str) -> str:
    """Escape everything, then turn our marks (never in indexed text) into <mark> tags."""
    # Whitespace is collapsed: section breaks in the indexed text would show as gaps.
    return (
        escape(" ".join(snippet.split())).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )
