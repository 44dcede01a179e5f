"""How many results a search and its chosen facets give, and for each facet option how
many it would give: the results with every *other* facet applied, counted per option with
one GROUP BY per facet.

The count and the GROUP BYs are one statement (a UNION ALL of querysets), whatever the
number of results, each part with the search's match as its condition; cached per query,
filters and public content generation.
"""

import hashlib
import json
from typing import Any, TypedDict

from django.db.models import Count, F, QuerySet, Value

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
    """The count (every chosen facet applied) and each facet's (slug, name, count) rows
    (every *other* chosen facet applied), in one query whatever the number of results:
    a UNION ALL of the count and one GROUP BY a facet, each with the search's match as
    its condition."""
    names = list(filterset.filters)
    matching = matching.order_by()
    total = (
        filterset.apply_except(matching)
        .annotate(facet=Value(-1), slug=Value(""), label=Value(""), position=Value(0))
        .values_list("facet", "slug", "label", "position")
        .annotate(n=Count("pk"))
    )
    branches = []
    for index, (name, flt) in enumerate(filterset.filters.items()):
        field = flt.field_name
        versions = filterset.apply_except(matching, name)
        rows: QuerySet[Any]
        if SummaryVersion._meta.get_field(field).many_to_many:
            # Counted in the tag table, for the matching versions only (a semi-join): the
            # work follows the number of matches, not the size of the collection. Django
            # names the tag table's keys after the two models.
            tags = getattr(SummaryVersion, field).through
            term, label = flt.queryset.model._meta.model_name, "name"
            rows = tags.objects.filter(summaryversion__in=versions.values("pk"))
        else:
            rows, term, label = versions.filter(**{f"{field}__isnull": False}), field, "label"
        branches.append(
            rows.annotate(
                facet=Value(index),
                slug=F(f"{term}__slug"),
                label=F(f"{term}__{label}"),
                position=F(f"{term}__position"),
            )
            .values_list("facet", "slug", "label", "position")
            .annotate(n=Count("pk"))
            .order_by()
        )
    statement = total.union(*branches, all=True).order_by("facet", "position", "label")
    found = 0
    counts: dict[str, list] = {name: [] for name in names}
    for index, slug, label_, _position, n in statement:
        if index < 0:
            found = n
        else:
            counts[names[index]].append((slug, label_, n))
    return found, counts


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
