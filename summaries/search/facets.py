"""How many results a search and its chosen facets give, and for each facet option how
many it would give: the results with every *other* facet applied.

One statement whatever the number of results and facets: a ``GROUP BY`` over the live
versions' facet tags (``FacetTag``, kept by ``index.py``), with the search's match and
the chosen facets as its condition; cached per query, filters and public content
generation. The options' names come in the same statement.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from operator import and_
from typing import Any, TypedDict

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value

from summaries.models import (
    EVERY_SUMMARY,
    TAXONOMY,
    FacetTag,
    ScaleLevel,
    SummaryVersion,
    UpdateStatus,
)
from toolkit.guarded_cache import guarded

from .filters import FacetFilter, SummaryFilter
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
    return f"search:v4:{generation}:{digest}"


def search_counts(
    filterset: SummaryFilter, matching: QuerySet[SummaryVersion] | None, *, key: str
) -> tuple[int, list[Facet]]:
    """How many results the search and the chosen facets give, and each facet with its
    options and how many results each would give.

    ``matching`` is the live versions the search matches, before any facet (unranked,
    unordered), or None for every live version (no search). Cached for a few minutes
    under ``key`` (see ``cache_key``).
    """
    counted = guarded().get(f"{key}:counts")
    if counted is None:
        counted = _count_all(filterset, matching)
        guarded().set(f"{key}:counts", counted, CACHE_SECONDS)
    total, counts = counted
    selected = filterset.selected()
    facets = [
        _facet(name, flt.label, counts[flt.field_name], selected[name])
        for name, flt in filterset.filters.items()
    ]
    return total, facets


def _count_all(
    filterset: SummaryFilter, matching: QuerySet[SummaryVersion] | None
) -> tuple[int, dict[str, list[tuple[str, str, int]]]]:
    """The count (every chosen facet applied) and, for each facet (by its field), its
    options as (slug, name, how many results each gives with every *other* chosen facet
    applied), in the facet's order.

    One statement, however many results and facets: a ``GROUP BY`` over the live
    versions' facet tags (``FacetTag``), and after it (UNION ALL) the facets' options
    with their names. A tag counts when its version matches the search and has, for
    every chosen facet but the tag's own, one of the chosen options. The
    ``EVERY_SUMMARY`` tag belongs to no facet, so it counts under all of them: the
    number of results.
    """
    tags = FacetTag.objects.all()
    if matching is not None:
        tags = tags.filter(version__in=matching.order_by().values("pk"))
    chosen = {
        filterset.filters[name].field_name: [term.pk for term in terms]
        for name, terms in filterset.selected().items()
        if terms
    }
    if chosen:
        has = {
            field: Exists(
                FacetTag.objects.filter(version=OuterRef("version"), facet=field, option__in=ids)
            )
            for field, ids in chosen.items()
        }

        def having(fields: Iterable[str]) -> Q:
            return reduce(and_, (Q(has[field]) for field in fields), Q())

        condition = ~Q(facet__in=list(chosen)) & having(chosen)
        for field in chosen:
            condition |= Q(facet=field) & having(f for f in chosen if f != field)
        tags = tags.filter(condition)
    counted = (
        tags.annotate(slug=Value(""), name=Value(""), position=Value(0))
        .values_list("facet", "option", "slug", "name", "position")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # The options' names, marked by a count of -1: each facet's terms or levels.
    named = [
        _every_option(flt)
        .annotate(
            facet=Value(flt.field_name),
            name_=F(_name_field(flt.queryset.model)),
            n=Value(-1),
        )
        .values_list("facet", "pk", "slug", "name_", "position", "n")
        .order_by()
        for flt in filterset.filters.values()
    ]
    statement = counted.union(*named, all=True).order_by("facet", "position", "name")
    rows = list(statement)
    numbers = {(facet, option): n for facet, option, *_, n in rows if n >= 0}
    options: defaultdict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for facet, option, slug, name, _position, n in rows:
        if n < 0 and (found := numbers.get((facet, option))):
            options[facet].append((slug, name, found))
    return numbers.get((EVERY_SUMMARY, 0), 0), {
        flt.field_name: options[flt.field_name] for flt in filterset.filters.values()
    }


def _every_option(flt: FacetFilter) -> QuerySet[Any]:
    """Every option of a facet, live or not: a plain read of a small table (the facet's
    own queryset of terms joins the tags, to know which are live; the counts say that
    here)."""
    for vocabulary in TAXONOMY:
        if vocabulary.field == flt.field_name:
            return vocabulary.model.objects.all()
    levels: QuerySet[Any] = flt.queryset
    return levels


def _facet(name: str, label: str, counts: list, chosen: list) -> Facet:
    chosen_slugs = {term.slug for term in chosen}
    found = [(slug, label_, n, slug in chosen_slugs) for slug, label_, n in counts]
    # A chosen option that now gives nothing stays listed, so it can be unticked.
    present = {slug for slug, *_ in counts}
    found += [(t.slug, _display(t), 0, True) for t in chosen if t.slug not in present]
    options = [
        Option(slug=slug, name=label_, count=n, selected=selected, id=f"facet-{name}-{position}")
        for position, (slug, label_, n, selected) in enumerate(found, start=1)
    ]
    return Facet(name=name, label=label, options=options)


def _name_field(model: type) -> str:
    """The field holding an option's name: a level's or a status's label, a term's name."""
    return "label" if issubclass(model, ScaleLevel | UpdateStatus) else "name"


def _display(term: Any) -> str:
    return str(getattr(term, _name_field(type(term))))
