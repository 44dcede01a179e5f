"""Full-text search over live summaries, on the database's own engine.

The whole interface::

    search_live(queryset, text, *, ranked=True) -> queryset   # matches, with ``rank``
    snippets(text, version_ids) -> {version id: safe HTML with <mark>s}
    index_versions(version_ids)    # index the live ones among them, drop the others
    unindex_versions(version_ids)
    generation() -> int            # moves on whenever the index changes

Two backends, chosen by ``connection.vendor``:

- PostgreSQL: ``SummaryVersion.search_vector``, a weighted tsvector (title A; standfirst
  and taxonomy B; section text C) with a GIN index, matched with ``websearch_to_tsquery``
  and ranked with ``ts_rank``; ``ts_headline`` makes the snippets.
- SQLite: the FTS5 table ``summary_fts`` (one row per live version, keyed by version id),
  ranked by bm25 with the same column weights in spirit (title 10, standfirst and
  taxonomy 4, body 1); ``snippet()`` makes the snippets.

Both return querysets of ``SummaryVersion``, so django-filter and pagination compose with
them. Only live versions are ever in the index: the workflow services call
``index_versions``/``unindex_versions`` in the transaction that changes what is live, so
a publication is searchable, and a withdrawal gone, the moment it commits. Drafts are never
indexed, so saving one changes no result.

The user's text never reaches either engine's query syntax: ``parse_query`` reads it
into words, "quoted phrases", ``-exclusions`` and ``or``, drops English stop words (the
list PostgreSQL's ``english`` configuration uses, so both engines see the same words), and
each backend renders that structure with every word quoted.
"""

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, ManyToManyField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape

from .cache import current_generation, public_content_changed
from .models import Section, State, SummaryVersion

CONFIG = "english"
# FTS5 column weights for bm25 (title, standfirst, taxonomy, body), set once on the table
# by the migration as its ``rank`` function.
FTS5_RANK = "bm25(10.0, 4.0, 4.0, 1.0)"
# Longer queries are cut, not refused: nobody types more, and the database is spared.
MAX_QUERY_LENGTH = 200
# More clauses than anyone types; bounds the work one query can ask of the engine.
MAX_CLAUSES = 16
BATCH_SIZE = 1_000

# Highlight marks: control characters that cannot occur in indexed text (``_plain``
# removes them), so the snippet can be HTML-escaped and the marks then turned into tags.
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_WORDS = 30

# PostgreSQL's english.stop: PostgreSQL drops these words from queries; dropping them
# ourselves makes SQLite, which indexes every word, answer the same.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now""".split()
)

# --- Reading the user's query ---------------------------------------------------------------

_TOKEN = re.compile(r'(?P<minus>-?)(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Clause:
    """One word, or a phrase (several words in order); excluded when ``negated``."""

    words: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """All of ``required`` (each an OR of clauses) and none of ``excluded``."""

    required: tuple[tuple[Clause, ...], ...] = ()
    excluded: tuple[Clause, ...] = ()

    def __bool__(self):
        # A search made only of exclusions (or stop words) has nothing to look for: it
        # finds nothing rather than everything, so it never scans the whole collection.
        return bool(self.required)

    def websearch(self, *, exclusions: bool = True) -> str:
        """The query for PostgreSQL's ``websearch_to_tsquery``, built from clean words."""
        groups = [" or ".join(_websearch_clause(c) for c in group) for group in self.required]
        excluded = [f"-{_websearch_clause(c)}" for c in self.excluded] if exclusions else []
        return " ".join([*groups, *excluded])

    def fts5(self) -> str:
        """The query as an FTS5 expression: every word a quoted string, never syntax."""
        groups = []
        for group in self.required:
            clauses = [_fts5_clause(c) for c in group]
            groups.append(clauses[0] if len(clauses) == 1 else f"({' OR '.join(clauses)})")
        expression = " AND ".join(groups)
        for clause in self.excluded:
            expression = f"({expression}) NOT {_fts5_clause(clause)}"
        return expression


def _websearch_clause(clause: Clause) -> str:
    return clause.words[0] if len(clause.words) == 1 else f'"{" ".join(clause.words)}"'


def _fts5_clause(clause: Clause) -> str:
    # Words are letters and digits only, so wrapping them in double quotes is safe.
    return f'"{" ".join(clause.words)}"'


def clean_query(text: str) -> str:
    """The query as the page shows it: NUL characters gone (PostgreSQL refuses them),
    spaces trimmed, at most ``MAX_QUERY_LENGTH`` characters."""
    return text.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def parse_query(text: str) -> ParsedQuery:
    """Read a query the way ``websearch_to_tsquery`` does: words (all required),
    "quoted phrases", ``-word`` to exclude, ``or`` between two alternatives.

    Anything else (``AND``, ``*``, ``NEAR(...)``, ``:``, brackets, unbalanced quotes) is
    punctuation between words. A word with inner punctuation ("anti-social") becomes a
    phrase, as PostgreSQL reads it. Stop words are dropped, except inside a phrase.
    """
    groups: list[list[Clause]] = []
    excluded: list[Clause] = []
    pending_or = False
    for match in _TOKEN.finditer(clean_query(text).lower()):
        raw = match["phrase"] if match["phrase"] is not None else match["word"]
        if match["word"] == "or" and not match["minus"]:
            pending_or = bool(groups)
            continue
        words = _trim_stop_words(tuple(_WORD.findall(raw)))
        if not words:
            continue
        clause = Clause(words, negated=bool(match["minus"]))
        if clause.negated:
            excluded.append(clause)
        elif pending_or:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        pending_or = False
        if len(excluded) + sum(map(len, groups)) >= MAX_CLAUSES:
            break
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(excluded))


def _trim_stop_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """Drop stop words at either end; inside a phrase they stay, as FTS5 matches phrases
    word for word (PostgreSQL allows any word in their place)."""
    start, end = 0, len(words)
    while start < end and words[start] in STOP_WORDS:
        start += 1
    while end > start and words[end - 1] in STOP_WORDS:
        end -= 1
    return words[start:end]


# --- Searching -----------------------------------------------------------------------------


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def search_live(
    queryset: QuerySet[SummaryVersion], text: str, *, ranked: bool = True
) -> QuerySet[SummaryVersion]:
    """The live versions of ``queryset`` matching ``text``; with ``ranked``, annotated
    with ``rank`` (higher is better). Not ordered: the caller chooses the order.

    A query with nothing to look for gives an empty queryset.
    """
    parsed = parse_query(text)
    queryset = queryset.filter(state=State.PUBLISHED)
    if not parsed:
        return queryset.none().annotate(rank=Value(0.0)) if ranked else queryset.none()
    if _is_postgresql():
        query = SearchQuery(parsed.websearch(), search_type="websearch", config=CONFIG)
        queryset = queryset.filter(search_vector=query)
        if ranked:
            # Ranked on what was asked for only: ts_rank scores a negated word as if it
            # were one more word to look for, which would reorder the results.
            wanted = SearchQuery(
                parsed.websearch(exclusions=False), search_type="websearch", config=CONFIG
            )
            queryset = queryset.annotate(rank=SearchRank(F("search_vector"), wanted))
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
        queryset = queryset.filter(search_entry__document=expression).annotate(
            rank=-F("search_entry__rank")
        )
    return queryset


_FTS5_MATCHES = "SELECT rowid FROM summary_fts WHERE summary_fts = %s"


def snippets(text: str, version_ids: Iterable[int]) -> dict[int, str]:
    """For the given versions (a page of results), the passage of their section text
    that best matches ``text``, HTML-escaped, matches wrapped in ``<mark>``.

    Computed for these rows only, so its cost does not grow with the number of hits.
    Versions whose text has no match (e.g. matched on the title only) are left out.
    """
    version_ids = list(version_ids)
    parsed = parse_query(text)
    if not version_ids or not parsed:
        return {}
    if _is_postgresql():
        raw = _postgresql_snippets(parsed, version_ids)
    else:
        raw = _sqlite_snippets(parsed, version_ids)
    return {pk: _marked_html(snippet) for pk, snippet in raw.items() if MARK_START in snippet}


def _postgresql_snippets(parsed: ParsedQuery, version_ids: list[int]) -> dict[int, str]:
    bodies = _section_texts(version_ids)
    ids = [pk for pk in version_ids if bodies.get(pk)]
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    # ts_headline's parser takes anything like a tag for markup and drops it, so text
    # such as "<script>" would vanish: it is given escaped text, and the result unescaped
    # (``_marked_html`` escapes it again, whatever the fragment boundaries).
    escaped = [escape(bodies[pk]) for pk in ids]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, ts_headline(%s::regconfig, d.body, websearch_to_tsquery("
            "%s::regconfig, %s), %s) FROM unnest(%s::bigint[], %s::text[]) AS d(id, body)",
            [CONFIG, CONFIG, parsed.websearch(), options, ids, escaped],
        )
        return {pk: html.unescape(headline) for pk, headline in cursor.fetchall()}


def _sqlite_snippets(parsed: ParsedQuery, version_ids: list[int]) -> dict[int, str]:
    placeholders = ", ".join(["%s"] * len(version_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            # Column 3 is the section text; -1 would pick the title, already on the card.
            "SELECT rowid, snippet(summary_fts, 3, %s, %s, '…', %s) FROM summary_fts "
            f"WHERE summary_fts = %s AND rowid IN ({placeholders})",
            [MARK_START, MARK_END, SNIPPET_WORDS, parsed.fts5(), *version_ids],
        )
        return dict(cursor.fetchall())


def _marked_html(snippet: str) -> str:
    """Escape everything, then turn our marks (never in indexed text) into <mark> tags."""
    # Whitespace is collapsed: section breaks in the indexed text would show as gaps.
    return (
        escape(" ".join(snippet.split())).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


# --- Keeping the index ----------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
# Characters that must never be indexed: NUL (PostgreSQL refuses it) and our marks.
_UNINDEXABLE = dict.fromkeys(map(ord, "\x00" + MARK_START + MARK_END), " ")


def _plain(text: str) -> str:
    """Text a reader sees in sanitised rich text: tags become spaces (so "</p><p>" does not
    glue two words), entities become characters."""
    return html.unescape(_TAG.sub(" ", text)).translate(_UNINDEXABLE)


@dataclass(frozen=True)
class Document:
    version_id: int
    title: str
    standfirst: str
    taxonomy: str
    body: str


def _section_texts(version_ids: list[int]) -> dict[int, str]:
    bodies = defaultdict(list)
    sections = Section.objects.filter(version_id__in=version_ids).order_by("version", "position")
    for version_id, body in sections.values_list("version_id", "body"):
        bodies[version_id].append(_plain(body))
    return {pk: "\n".join(parts) for pk, parts in bodies.items()}


TAXONOMY_FIELDS = ("problems", "focuses", "approaches", "delivery_settings", "populations")


def _taxonomy_texts(version_ids: list[int]) -> dict[int, str]:
    names = defaultdict(list)
    for field_name in TAXONOMY_FIELDS:
        m2m = SummaryVersion._meta.get_field(field_name)
        assert isinstance(m2m, ManyToManyField)
        through = m2m.remote_field.through
        assert through is not None  # set when the model class was made
        source = m2m.m2m_field_name()
        rows = through._default_manager.filter(**{f"{source}_id__in": version_ids}).values_list(
            f"{source}_id", f"{m2m.m2m_reverse_field_name()}__name"
        )
        for version_id, name in rows:
            names[version_id].append(name)
    return {pk: "; ".join(parts) for pk, parts in names.items()}


def _documents(version_ids: list[int]) -> list[Document]:
    """The text to index for those of ``version_ids`` that are live: 7 queries a batch."""
    live = list(
        SummaryVersion.objects.live()
        .filter(pk__in=version_ids)
        .values_list("pk", "title", "standfirst")
    )
    ids = [pk for pk, _, _ in live]
    taxonomy = _taxonomy_texts(ids)
    bodies = _section_texts(ids)
    return [
        Document(pk, _plain(title), _plain(standfirst), taxonomy.get(pk, ""), bodies.get(pk, ""))
        for pk, title, standfirst in live
    ]


def _batches(version_ids: Iterable[int]) -> Iterator[list[int]]:
    batch = []
    for pk in version_ids:
        batch.append(pk)
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def index_versions(version_ids: Iterable[int]) -> None:
    """Make the index agree with the state of these versions: the live ones are
    (re)indexed from their current text, any other is removed. Bulk: a handful of queries
    per thousand versions. Run it in the transaction that changed them."""
    for batch in _batches(version_ids):
        documents = _documents(batch)
        if _is_postgresql():
            _postgresql_write(batch, documents)
        else:
            _sqlite_write(batch, documents)
    _bump_generation()


def unindex_versions(version_ids: Iterable[int] | QuerySet) -> None:
    """Remove these versions from the index (e.g. the one just withdrawn). A queryset of
    primary keys is removed with one set-based statement, however many it holds."""
    if isinstance(version_ids, QuerySet):
        if _is_postgresql():
            SummaryVersion.objects.filter(pk__in=version_ids).update(search_vector=None)
        else:
            sql, params = version_ids.values("pk").query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM summary_fts WHERE rowid IN ({sql})", params)
        _bump_generation()
        return
    for batch in _batches(version_ids):
        if _is_postgresql():
            SummaryVersion.objects.filter(pk__in=batch).update(search_vector=None)
        else:
            _sqlite_delete(batch)
    _bump_generation()


def index_all_live() -> int:
    """Rebuild the whole index from the live versions; returns how many were indexed."""
    if _is_postgresql():
        SummaryVersion.objects.filter(
            ~Q(state=State.PUBLISHED), search_vector__isnull=False
        ).update(search_vector=None)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM summary_fts")
    ids = list(SummaryVersion.objects.live().order_by("pk").values_list("pk", flat=True))
    index_versions(ids)
    return len(ids)


def _postgresql_write(batch: list[int], documents: list[Document]) -> None:
    # One UPDATE for the whole batch, each row's text passed as arrays. The weights are
    # the design's: title A; standfirst and taxonomy B; sections C.
    live_ids = {d.version_id for d in documents}
    SummaryVersion.objects.filter(pk__in=[pk for pk in batch if pk not in live_ids]).exclude(
        search_vector=None
    ).update(search_vector=None)
    if not documents:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE summaries_summaryversion AS v SET search_vector = "
            "setweight(to_tsvector(%s::regconfig, d.title), 'A') || "
            "setweight(to_tsvector(%s::regconfig, d.standfirst || ' ' || d.taxonomy), 'B') || "
            "setweight(to_tsvector(%s::regconfig, d.body), 'C') "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) "
            "AS d(id, title, standfirst, taxonomy, body) WHERE v.id = d.id",
            [
                CONFIG,
                CONFIG,
                CONFIG,
                [d.version_id for d in documents],
                [d.title for d in documents],
                [d.standfirst for d in documents],
                [d.taxonomy for d in documents],
                [d.body for d in documents],
            ],
        )


def _sqlite_delete(batch: list[int]) -> None:
    placeholders = ", ".join(["%s"] * len(batch))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM summary_fts WHERE rowid IN ({placeholders})", batch)


def _sqlite_write(batch: list[int], documents: list[Document]) -> None:
    _sqlite_delete(batch)
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO summary_fts (rowid, title, standfirst, taxonomy, body) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(d.version_id, d.title, d.standfirst, d.taxonomy, d.body) for d in documents],
        )


def _bump_generation() -> None:
    # The index is part of what the public sees: the same generation keys cached pages and
    # cached counts, so one number says whether anything cached is still true.
    public_content_changed()


def generation() -> int:
    """A number that changes whenever the index does (one cheap query), for cache keys."""
    return current_generation()[0]
