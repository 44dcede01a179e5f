"""Keeping the index: only live versions are indexed, so only live versions can match.

The workflow services call ``index_versions``/``unindex_versions`` in the transaction
that changes what is live, so a publication is searchable, and a withdrawal gone, the
moment it commits. Drafts are never indexed, so saving one changes no result. The indexed
text is the same on both engines (``_plain``). The live words "did you mean" draws on
(``vocabulary.py``) are kept by the same calls, so they never include a draft's words.

These functions do not touch the public content generation: their callers change public
content and raise it once for the whole change (``summaries/models/generation.py``).
"""

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from summaries.models import (
    TAXONOMY_FIELDS,
    FacetTag,
    SearchEntry,
    Section,
    State,
    SummaryVersion,
    tag_field,
)

from . import facet_tags, vocabulary

CONFIG = "english"
BATCH_SIZE = 1_000

# Highlight marks: control characters that cannot occur in indexed text (``_plain``
# removes them), so the snippet can be HTML-escaped and the marks then turned into tags.
MARK_START, MARK_END = "\x02", "\x03"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


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


def sections_text(bodies: Iterable[str]) -> str:
    """A version's section text as it is indexed: its sections' rich text (in order),
    plain, a line each."""
    return "\n".join(_plain(body) for body in bodies)


def section_texts(version_ids: list[int]) -> dict[int, str]:
    """``sections_text`` of each of ``version_ids`` that has sections. One query."""
    bodies: defaultdict[int, list[str]] = defaultdict(list)
    sections = Section.objects.filter(version_id__in=version_ids).order_by("version", "position")
    for version_id, body in sections.values_list("version_id", "body"):
        bodies[version_id].append(body)
    return {pk: sections_text(parts) for pk, parts in bodies.items()}


def _taxonomy_texts(version_ids: list[int]) -> dict[int, str]:
    names: defaultdict[int, list[str]] = defaultdict(list)
    for field_name in TAXONOMY_FIELDS:
        m2m = tag_field(field_name)
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
    bodies = section_texts(ids)
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


def index_versions(version_ids: Iterable[int], *, facets: bool = True) -> None:
    """Make the index agree with the state of these versions: the live ones are
    (re)indexed from their current text, any other is removed. Bulk: a handful of queries
    per thousand versions. Run it in the transaction that changed them. The facet tags
    (``facet_tags.py``) are kept with it unless ``facets`` is false."""
    for batch in _batches(version_ids):
        documents = _documents(batch)
        if is_postgresql():
            _postgresql_write(batch, documents)
        else:
            _sqlite_write(batch, documents)
        vocabulary.count_words(
            {
                d.version_id: vocabulary.words_of(d.title, d.standfirst, d.taxonomy, d.body)
                for d in documents
            },
            batch,
        )
        if facets:
            facet_tags.tag(batch, (d.version_id for d in documents))


def unindex_versions(version_ids: Iterable[int] | QuerySet) -> None:
    """Remove these versions from the index (e.g. the one just withdrawn). A queryset of
    primary keys is removed with one set-based statement, however many it holds."""
    if isinstance(version_ids, QuerySet):
        vocabulary.uncount_matching(version_ids)
        facet_tags.untag(version_ids)
        if is_postgresql():
            SummaryVersion.objects.filter(pk__in=version_ids).update(search_vector=None)
        else:
            # Nothing refers to the FTS rows: Django deletes them in one statement.
            SearchEntry.objects.filter(version__in=version_ids.values("pk")).delete()
            return
    for batch in _batches(version_ids):
        vocabulary.count_words({}, batch)
        facet_tags.untag(batch)
        if is_postgresql():
            SummaryVersion.objects.filter(pk__in=batch).update(search_vector=None)
        else:
            _sqlite_delete(batch)


def index_all_live(*, facets: bool = True) -> int:
    """Rebuild the whole index from the live versions; returns how many were indexed.
    ``facets=False`` leaves the facet tags alone (for a migration older than them)."""
    vocabulary.forget_all()
    if facets:
        FacetTag.objects.all().delete()
    if is_postgresql():
        SummaryVersion.objects.filter(
            ~Q(state=State.PUBLISHED), search_vector__isnull=False
        ).update(search_vector=None)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM summary_fts")
    ids = list(SummaryVersion.objects.live().order_by("pk").values_list("pk", flat=True))
    index_versions(ids, facets=facets)
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
