"""The list page's state as URLs: the chosen sort, the filter chips, "clear all" and the
sort links, each a canonical GET address (short: defaults are left out)."""

from django.http import QueryDict
from django.urls import reverse

from summaries.search.filters import SummaryFilter

# The orders a reader may choose; relevance only means something with a query.
# Ties are broken by id, not by slug: the partial indexes on live versions' (title, id)
# and (published_at, id) then give a page without sorting every live summary.
SORTS = {
    "relevance": ("Relevance", ("-rank", "title", "pk")),
    "title": ("Title", ("title", "pk")),
    "updated": ("Last updated", ("-published_at", "-pk")),
}


class ListState:
    """The page's state as canonical URLs: for the filter chips, "clear all" and sort."""

    def __init__(self, query: str, sort: str, selected: dict[str, list]):
        self.query = query
        self.sort = sort
        self.facets = {name: [t.slug for t in terms] for name, terms in selected.items()}
        self.selected = selected
        self.has_filters = any(self.facets.values())

    @property
    def explicit_sort(self) -> str:
        """The sort when it is not the default one, so URLs stay short."""
        return "" if self.sort == ("relevance" if self.query else "title") else self.sort

    def kept_params(self) -> list[tuple[str, str]]:
        """What a new search from this page keeps: the filters and a chosen sort."""
        kept = [(name, slug) for name, slugs in self.facets.items() for slug in slugs]
        return kept + ([("sort", self.explicit_sort)] if self.explicit_sort else [])

    def url(self, *, facets: dict[str, list] | None = None, sort: str | None = None) -> str:
        params = QueryDict(mutable=True)
        if self.query:
            params["q"] = self.query
        for name, slugs in (self.facets if facets is None else facets).items():
            params.setlist(name, slugs)
        sort = sort or self.sort
        if sort != ("relevance" if self.query else "title"):
            params["sort"] = sort
        encoded = params.urlencode()
        return f"{reverse('summaries:list')}?{encoded}" if encoded else reverse("summaries:list")

    def chips(self) -> list[dict]:
        """One per chosen term: what it is, and the page without it."""
        chips = []
        for name, terms in self.selected.items():
            for term in terms:
                rest = {**self.facets, name: [s for s in self.facets[name] if s != term.slug]}
                chips.append(
                    {
                        "facet": SummaryFilter.base_filters[name].label,
                        "name": getattr(term, "label", None) or term.name,
                        "remove_url": self.url(facets=rest),
                    }
                )
        return chips

    def sort_links(self) -> list[dict]:
        return [
            {"label": label, "url": self.url(sort=key), "current": key == self.sort}
            for key, (label, _) in SORTS.items()
            if key != "relevance" or self.query
        ]
