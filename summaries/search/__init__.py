"""Full-text search over live summaries, on the database's own engine, and the list
page's facets. See README.md.

The whole interface the rest of the app uses::

    search_live(queryset, text, *, ranked=True) -> queryset   # matches, with ``rank``
    snippets(text, version_ids) -> {version id: safe HTML with <mark>s}
    clean_query(text) / parse_query(text)
    read_query(text, synonyms=..., vocabulary=...) -> Reading  # with spellings, synonyms
    search_counted(filterset, text, generation=...) -> CountedSearch  # and "did you mean"
    synonym_table(generation) / live_vocabulary(generation)
    index_versions(version_ids)    # index the live ones among them, drop the others
    unindex_versions(version_ids)
    index_all_live()
"""

from .backends import search_live, snippets
from .forgiving import CountedSearch, Reading, read_query, search_counted, suggest, synonym_table
from .index import index_all_live, index_versions, unindex_versions
from .query import MAX_CLAUSES, MAX_QUERY_LENGTH, ParsedQuery, clean_query, parse_query
from .vocabulary import live_vocabulary

__all__ = [
    "MAX_CLAUSES",
    "MAX_QUERY_LENGTH",
    "CountedSearch",
    "ParsedQuery",
    "Reading",
    "live_vocabulary",
    "read_query",
    "search_counted",
    "suggest",
    "synonym_table",
    "clean_query",
    "index_all_live",
    "index_versions",
    "parse_query",
    "search_live",
    "snippets",
    "unindex_versions",
]
