"""The facets of the search and browse page (``/toolkit/``), with django-filter.

Seven facets, each a GET parameter taking slugs, repeatable: ``problem``, ``focus``,
``approach``, ``setting``, ``population`` (taxonomy terms) and ``effect``, ``quality``
(rating levels). Several values of one facet widen the results (OR); facets narrow each
other (AND).

An unknown value (a renamed term in an old bookmark, or junk) is ignored, not an error:
the page shows what the known values select and says which were not recognised.

``facet_counts`` gives each option how many results it would give: the results with every
*other* facet applied, counted per option in one GROUP BY query per facet (seven queries,
whatever the number of results), cached per query, filters and public content generation.
"""

import hashlib
import json
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Count

from . import search
from .models import (
    Approach,
    Dimension,
    Focus,
    Population,
    Problem,
    ScaleLevel,
    Setting,
    SummaryVersion,
)

# More values than any vocabulary has; bounds the work a crafted URL can ask for.
MAX_VALUES_PER_FACET = 50
MAX_SLUG_LENGTH = 120
CACHE_SECONDS = 300


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
        return list(self.queryset.filter(**{f"{self.to_field_name}__in": slugs}))


class FacetFilter(django_filters.ModelMultipleChoiceFilter):
    """One facet: any of the chosen terms (OR), as a semi-join so a summary tagged with
    two of them is still one result and no DISTINCT is needed."""

    field_class = LenientChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        field = SummaryVersion._meta.get_field(self.field_name)
        ids = [term.pk for term in value]
        if field.many_to_many:
            through = field.remote_field.through
            tagged = through.objects.filter(
                **{f"{field.m2m_reverse_field_name()}_id__in": ids}
            ).values(f"{field.m2m_field_name()}_id")
            return qs.filter(pk__in=tagged)
        return qs.filter(**{f"{self.field_name}__in": ids})


def _levels(dimension: Dimension):
    return ScaleLevel.objects.filter(scale__dimension=dimension)


class SummaryFilter(django_filters.FilterSet):
    problem = FacetFilter(field_name="problems", queryset=Problem.objects.all(), label="Problem")
    focus = FacetFilter(field_name="focuses", queryset=Focus.objects.all(), label="Focus")
    approach = FacetFilter(
        field_name="approaches", queryset=Approach.objects.all(), label="Approach"
    )
    setting = FacetFilter(
        field_name="delivery_settings", queryset=Setting.objects.all(), label="Setting"
    )
    population = FacetFilter(
        field_name="populations", queryset=Population.objects.all(), label="Population"
    )
    effect = FacetFilter(
        field_name="effect_rating", queryset=_levels(Dimension.EFFECT), label="Effect"
    )
    quality = FacetFilter(
        field_name="quality_rating",
        queryset=_levels(Dimension.QUALITY),
        label="Quality of evidence",
    )

    class Meta:
        model = SummaryVersion
        fields = []

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

    def apply_except(self, queryset, skipped: str | None = None):
        """``queryset`` with every chosen facet applied except ``skipped``."""
        for name, terms in self.selected().items():
            if name != skipped:
                queryset = self.filters[name].filter(queryset, terms)
        return queryset


@dataclass(frozen=True)
class Option:
    slug: str
    name: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: list[Option]


def _term_counts(flt: FacetFilter, matching) -> list[tuple[str, str, int]]:
    """(slug, name, count) of the facet's options that occur in ``matching``, in order."""
    field = SummaryVersion._meta.get_field(flt.field_name)
    ids = matching.values("pk")
    if field.many_to_many:
        # From the term table through the M2M rows of the matching versions only: the
        # work follows the number of matches, not the size of the collection.
        reverse = field.related_query_name()
        rows = (
            field.related_model.objects.filter(**{f"{reverse}__in": ids})
            .annotate(n=Count(reverse))
            .order_by("position", "name")
            .values_list("slug", "name", "n")
        )
    else:
        rows = (
            SummaryVersion.objects.filter(pk__in=ids)
            .values_list(f"{flt.field_name}__slug", f"{flt.field_name}__label")
            .annotate(n=Count("pk"))
            .filter(**{f"{flt.field_name}__isnull": False})
            .order_by(f"{flt.field_name}__position")
        )
    return list(rows)


def cache_key(filterset: SummaryFilter, query: str) -> str:
    """A cache key for what the search and the chosen facets give, under the current
    public content generation: a publication or withdrawal changes it, in every process."""
    key_data = {
        "q": search.parse_query(query).websearch() if query else "",
        "f": {name: sorted(t.slug for t in terms) for name, terms in filterset.selected().items()},
    }
    digest = hashlib.sha256(json.dumps(key_data, sort_keys=True).encode()).hexdigest()
    return f"search:v1:{search.generation()}:{digest}"


def facet_counts(filterset: SummaryFilter, matching, *, key: str) -> list[Facet]:
    """Each facet with its options and how many results each would give.

    ``matching`` is the live versions the search matches, before any facet (unranked,
    unordered). Cached for a few minutes under ``key`` (see ``cache_key``).
    """
    counts = cache.get(f"{key}:facets")
    if counts is None:
        counts = {
            name: _term_counts(flt, filterset.apply_except(matching, skipped=name))
            for name, flt in filterset.filters.items()
        }
        cache.set(f"{key}:facets", counts, CACHE_SECONDS)
    selected = filterset.selected()
    return [
        _facet(name, flt.label, counts[name], selected[name])
        for name, flt in filterset.filters.items()
    ]


def _facet(name: str, label: str, counts, chosen) -> Facet:
    chosen_slugs = {term.slug for term in chosen}
    options = [Option(slug, label_, n, slug in chosen_slugs) for slug, label_, n in counts]
    # A chosen option that now gives nothing stays listed, so it can be unticked.
    present = {option.slug for option in options}
    options += [Option(t.slug, str(_display(t)), 0, True) for t in chosen if t.slug not in present]
    return Facet(name, label, options)


def _display(term) -> str:
    return term.label if isinstance(term, ScaleLevel) else term.name
