"""Keeping ``FacetTag``, what each live version can be filtered by: called by ``index.py``
with the search index, in the transaction that changes what is live or how a live
version is tagged, so the facet counts (``facets.py``) agree with the search."""

from collections.abc import Iterable

from django.db.models import QuerySet

from summaries.models import (
    EVERY_SUMMARY,
    TAXONOMY_FIELDS,
    FacetTag,
    SummaryVersion,
)

from .filters import SummaryFilter


def facet_fields() -> tuple[list[str], list[str]]:
    """The ``SummaryVersion`` fields the list page's facets filter on: (the foreign
    keys, the many-to-many fields)."""
    fields = [flt.field_name for flt in SummaryFilter.base_filters.values()]
    tagged = [f for f in fields if f in TAXONOMY_FIELDS]
    return [f for f in fields if f not in tagged], tagged


def tag(version_ids: list[int], live_ids: Iterable[int]) -> None:
    """Make the tags of ``version_ids`` those of their current state: the ones of
    ``live_ids`` (the live ones among them) tagged afresh, the others untagged.
    A query a facet field of the many-to-many kind, and three more."""
    untag(version_ids)
    live = list(live_ids)
    if not live:
        return
    rows = [FacetTag(version_id=pk, facet=EVERY_SUMMARY, option=0) for pk in live]
    keys, tagged = facet_fields()
    for pk, *options in SummaryVersion.objects.filter(pk__in=live).values_list("pk", *keys):
        rows += [
            FacetTag(version_id=pk, facet=field, option=option)
            for field, option in zip(keys, options, strict=True)
            if option is not None
        ]
    for field in tagged:
        # A row per tag (through the tag table); a version with none gives one None.
        pairs = SummaryVersion.objects.filter(pk__in=live).values_list("pk", field)
        rows += [
            FacetTag(version_id=pk, facet=field, option=option)
            for pk, option in pairs
            if option is not None
        ]
    FacetTag.objects.bulk_create(rows, batch_size=2_000)


def untag(version_ids: Iterable[int] | QuerySet) -> None:
    """Take these versions (ids, or a queryset of ids) out of the facet counts."""
    if isinstance(version_ids, QuerySet):
        FacetTag.objects.filter(version__in=version_ids).delete()
    else:
        FacetTag.objects.filter(version_id__in=list(version_ids)).delete()
