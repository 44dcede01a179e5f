"""How many results a search and its chosen facets give, and for each facet option how
many it would give: the results with every *other* facet applied, counted per option with
one GROUP BY per facet.

The search is matched once, into a common table expression that the count and the seven
GROUP BYs share, all in one query (whatever the number of results); cached per query,
filters and public content generation.
"""

import hashlib
import json
from typing import Any, TypedDict

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import ManyToManyField, QuerySet

from summaries.models import ScaleLevel, SummaryVersion
from toolkit.guarded_cache import guarded

from .filters import SummaryFilter
from .query import ParsedQuery

CACHE_SECONDS = 300


# Dicts, not objects: the list page's template reads some five hundred of their values,
# and a template finds a dict's key without the failed lookup it tries first on objects.
class Option(TypedDict):
    slug: str
    name: str
    count: int
    selected: bool
    id: str  # its checkbox's HTML id, "facet-<facet>-<position from 1>"


class Facet(TypedDict):
    name: str
    label: str
    options: list[Option]


def cache_key(filterset: SummaryFilter, query: ParsedQuery | None, *, generation: int) -> str:
    """A cache key for what the search (as read, with its added forms) and the chosen
    facets give, under the public content ``generation`` (the request's): a publication,
    a withdrawal or a change to the synonyms changes it, in every process."""
    key_data = {
        "q": query.tsquery() if query else "",
        "f": {name: sorted(t.slug for t in terms) for name, terms in filterset.selected().items()},
    }
    digest = hashlib.sha256(json.dumps(key_data, sort_keys=True).encode()).hexdigest()
    return f"search:v3:{generation}:{digest}"


def search_counts(
    filterset: SummaryFilter, matching: QuerySet[SummaryVersion], *, key: str
) -> tuple[int, list[Facet]]:
    """How many results the search and the chosen facets give, and each facet with its
    options and how many results each would give.

    ``matching`` is the live versions the search matches, before any facet (unranked,
    unordered). Cached for a few minutes under ``key`` (see ``cache_key``).
    """
    counted = guarded().get(f"{key}:counts")
    if counted is None:
        counted = _count_all(filterset, matching)
        guarded().set(f"{key}:counts", counted, CACHE_SECONDS)
    total, counts = counted
    selected = filterset.selected()
    facets = [
        _facet(name, flt.label, counts[name], selected[name])
        for name, flt in filterset.filters.items()
    ]
    return total, facets


def _count_all(
    filterset: SummaryFilter, matching: QuerySet[SummaryVersion]
) -> tuple[int, dict[str, list]]:
    """The count and every facet's (slug, name, count) rows, in one query.

    The search runs once, into the common table expression ``m`` (the matching ids and
    their ratings); the count (every chosen facet applied) and each facet's GROUP BY
    (every *other* chosen facet applied) read from it, never from the search again.
    """
    names = list(filterset.filters)
    # ForeignKey or ManyToManyField: get_field's declared type has the API of neither.
    fields: dict[str, Any] = {
        name: SummaryVersion._meta.get_field(flt.field_name)
        for name, flt in filterset.filters.items()
    }
    ratings = [field for field in fields.values() if not field.many_to_many]
    try:
        matches_sql, matches_params = (
            matching.order_by()
            .values_list("pk", *(field.name for field in ratings))
            .query.sql_with_params()
        )
    except EmptyResultSet:  # nothing to look for
        return 0, {name: [] for name in names}
    q = connection.ops.quote_name
    chosen = {name: [term.pk for term in terms] for name, terms in filterset.selected().items()}

    def where(skipped: str | None) -> tuple[str, list]:
        """The chosen facets but ``skipped``, as a condition on ``m``."""
        conditions, params = ["1 = 1"], []
        for name, ids in chosen.items():
            if name == skipped or not ids:
                continue
            marks = ", ".join(["%s"] * len(ids))
            field = fields[name]
            if field.many_to_many:
                table, version, term = _through(field)
                conditions.append(
                    f"m.id IN (SELECT {version} FROM {table} WHERE {term} IN ({marks}))"
                )
            else:
                conditions.append(f"m.{q(field.column)} IN ({marks})")
            params += ids
        return " AND ".join(conditions), params

    condition, params = where(None)
    branches = [f"SELECT -1, '', '', COUNT(*), 0 FROM m WHERE {condition}"]
    for index, name in enumerate(names):
        field = fields[name]
        condition, condition_params = where(name)
        params += condition_params
        terms = q(field.related_model._meta.db_table)
        label = "name" if field.many_to_many else "label"
        if field.many_to_many:
            # Through the M2M rows of the matching versions only: the work follows the
            # number of matches, not the size of the collection.
            table, version, term = _through(field)
            key = f"x.{term}"
            if connection.vendor == "postgresql":
                # A join, not ``IN``: ``m.id`` is unique, and the planner then sizes the
                # match right and hashes it, instead of probing the index once per match.
                source = f"m JOIN {table} x ON x.{version} = m.id WHERE {condition}"
            else:
                # SQLite probes the M2M index once per match either way; as a semi-join
                # it skips the join's rows (about a third of the statement's time).
                source = f"{table} x WHERE x.{version} IN (SELECT m.id FROM m WHERE {condition})"
        else:
            key = f"m.{q(field.column)}"
            source = f"m WHERE {condition}"
        # Counted by term id, then joined to the terms: one lookup per term, not per row.
        branches.append(
            f"SELECT {index}, t.slug, t.{label}, g.n, t.position FROM "
            f"(SELECT {key} AS term_id, COUNT(*) AS n FROM {source} GROUP BY {key}) g "
            f"JOIN {terms} t ON t.id = g.term_id"
        )
    # PostgreSQL would otherwise inline the CTE into each branch, matching it eight times;
    # SQLite (3.35 and later) materialises a CTE read more than once by itself.
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    columns = ", ".join(["id", *(q(field.column) for field in ratings)])
    statement = (
        f"WITH m ({columns}) AS {materialized}({matches_sql}) "
        + " UNION ALL ".join(branches)
        + " ORDER BY 1, 5, 3"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*matches_params, *params])
        rows = cursor.fetchall()
    total = 0
    counts: dict[str, list] = {name: [] for name in names}
    for index, slug, label, n, _position in rows:
        if index < 0:
            total = n
        else:
            counts[names[index]].append((slug, label, n))
    return total, counts


def _through(field: ManyToManyField) -> tuple[str, str, str]:
    """An M2M field's through table, its version column and its term column, quoted."""
    q = connection.ops.quote_name
    return q(field.m2m_db_table()), q(field.m2m_column_name()), q(field.m2m_reverse_name())


def _facet(name: str, label: str, counts: list, chosen: list) -> Facet:
    chosen_slugs = {term.slug for term in chosen}
    found = [(slug, label_, n, slug in chosen_slugs) for slug, label_, n in counts]
    # A chosen option that now gives nothing stays listed, so it can be unticked.
    present = {slug for slug, *_ in counts}
    found += [(t.slug, str(_display(t)), 0, True) for t in chosen if t.slug not in present]
    options = [
        Option(slug=slug, name=label_, count=n, selected=selected, id=f"facet-{name}-{position}")
        for position, (slug, label_, n, selected) in enumerate(found, start=1)
    ]
    return Facet(name=name, label=label, options=options)


def _display(term: Any) -> str:
    return term.label if isinstance(term, ScaleLevel) else term.name
