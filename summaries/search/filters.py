"""The facets of the search and browse page (``/toolkit/``), with django-filter.

Seven facets, each a GET parameter taking slugs, repeatable: one per taxonomy vocabulary
(``problem``, ``focus``, ``approach``, ``setting``, ``population``: ``TAXONOMY``) and
``effect``, ``quality`` (rating levels). Several values of one facet widen the results
(OR); facets narrow each other (AND).

An unknown value (a renamed term in an old bookmark, or junk) is ignored, not an error:
the page shows what the known values select and says which were not recognised. A term
that tags no live summary (drafts only) is unknown here: the public never sees it named.
"""

import copy
from functools import cache
from typing import TYPE_CHECKING

import django_filters
from django import forms
from django.db.models import QuerySet

from summaries.models import TAXONOMY, Dimension, ScaleLevel, SummaryVersion, live_terms

# More values than any vocabulary has; bounds the work a crafted URL can ask for.
MAX_VALUES_PER_FACET = 50
MAX_SLUG_LENGTH = 120


class LenientChoiceField(forms.ModelMultipleChoiceField):
    """The known terms among the slugs given, as a list; the others are ignored."""

    def clean(self, value):
        if not isinstance(value, list | tuple):
            value = [value] if value else []
        # PostgreSQL refuses NUL in a string, and no slug has one.
        usable = (
            v
            for v in value
            if isinstance(v, str) and 0 < len(v) <= MAX_SLUG_LENGTH and "\x00" not in v
        )
        slugs = list(dict.fromkeys(usable))[:MAX_VALUES_PER_FACET]
        if not slugs:
            return []
        assert self.queryset is not None  # the facet's terms
        return list(self.queryset.filter(**{f"{self.to_field_name}__in": slugs}))


class FacetFilter(django_filters.ModelMultipleChoiceFilter):
    """One facet: any of the chosen terms (OR), as a semi-join so a summary tagged with
    two of them is still one result and no DISTINCT is needed."""

    field_class = LenientChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo):
        # A filterset deep-copies its class's filters for each request to set their
        # ``parent`` and ``model``; nothing else of a facet changes, and copying its
        # terms' queryset deeply was most of the filterset's cost.
        clone = copy.copy(self)
        clone.extra = dict(self.extra)
        return clone

    def filter(self, qs: QuerySet[SummaryVersion], value: list) -> QuerySet[SummaryVersion]:
        if not value:
            return qs
        ids = [term.pk for term in value]
        lookup = {f"{self.field_name}__in": ids}
        if SummaryVersion._meta.get_field(self.field_name).many_to_many:
            # As a subquery, not a join: a version tagged with two of the chosen terms is
            # still one result, and the facet counts of other facets are not doubled.
            return qs.filter(pk__in=SummaryVersion.objects.filter(**lookup).values("pk"))
        return qs.filter(**lookup)


def _levels(dimension: Dimension) -> QuerySet[ScaleLevel]:
    return ScaleLevel.objects.filter(scale__dimension=dimension)


# One facet per vocabulary, named by its ``param``; declared filters of a base class come
# first, so the page lists them in the registry's order, then the ratings.
# (Made with type(), so the type checker is told it is a FilterSet.)
if TYPE_CHECKING:
    from django_filters import FilterSet as _TaxonomyFacets
else:
    _TaxonomyFacets = type(
        "_TaxonomyFacets",
        (django_filters.FilterSet,),
        {
            # Only terms that tag a live summary: one that tags drafts alone is ignored
            # like an unknown slug, never named in a chip, a facet or "follow".
            vocabulary.param: FacetFilter(
                field_name=vocabulary.field,
                queryset=live_terms(vocabulary.model),
                label=vocabulary.label,
            )
            for vocabulary in TAXONOMY
        },
    )


class SummaryFilter(_TaxonomyFacets):
    """The list page's facets: the taxonomy's, then the effect and quality ratings, the
    certainty of the headline outcome and the cost band."""

    effect = FacetFilter(
        field_name="effect_rating", queryset=_levels(Dimension.EFFECT), label="Effect"
    )
    quality = FacetFilter(
        field_name="quality_rating",
        queryset=_levels(Dimension.QUALITY),
        label="Quality of evidence",
    )
    certainty = FacetFilter(
        field_name="headline_certainty",
        queryset=_levels(Dimension.CERTAINTY),
        label="Certainty (headline outcome)",
    )
    cost = FacetFilter(
        field_name="cost_band", queryset=_levels(Dimension.COST_BAND), label="Cost band"
    )

    class Meta:
        model = SummaryVersion
        fields: list[str] = []

    def get_form_class(self):
        # django-filter makes the form class, and a form field per filter, anew for each
        # filterset; they depend only on the class's own filters, so here once a process.
        if type(self) is not SummaryFilter:  # a subclass's own filters
            return super().get_form_class()
        return _form_class()

    def selected(self) -> dict[str, list]:
        """Facet name -> the known terms chosen (empty lists included)."""
        self.form.is_valid()
        return {name: self.form.cleaned_data.get(name) or [] for name in self.filters}

    def unknown_values(self) -> list[str]:
        """The values given that matched no term, to tell the reader they were ignored."""
        selected = self.selected()
        unknown = []
        for name in self.filters:
            known = {term.slug for term in selected[name]}
            given = self.data.getlist(name)[:MAX_VALUES_PER_FACET]
            unknown += [v for v in dict.fromkeys(given) if v and v not in known]
        return unknown

    def apply_except(
        self, queryset: QuerySet[SummaryVersion], skipped: str | None = None
    ) -> QuerySet[SummaryVersion]:
        """``queryset`` with every chosen facet applied except ``skipped``."""
        for name, terms in self.selected().items():
            if name != skipped:
                queryset = self.filters[name].filter(queryset, terms)
        return queryset


@cache
def _form_class() -> type[forms.Form]:
    fields = {name: flt.field for name, flt in SummaryFilter.base_filters.items()}
    return type("SummaryFilterForm", (forms.Form,), fields)
