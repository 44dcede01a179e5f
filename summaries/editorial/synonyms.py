"""Writes to the synonym list: each logged (``SynonymChange``) and raising the public
content generation in its own transaction, so searches, their cached counts and cached
pages use the new list at once, in every process. Search applies the list when it reads
a query, so nothing is reindexed."""

from collections.abc import Iterable

from django.db import transaction

from summaries.models import SynonymChange, SynonymGroup
from summaries.models.generation import public_content_changed

from .rules import Actor


@transaction.atomic
def synonym_group_save(*, group: SynonymGroup, user: Actor) -> None:
    """Save a new or changed group (already validated by its form) and log the change."""
    before = SynonymGroup.objects.select_for_update().filter(pk=group.pk).first()
    group.save()
    if before is not None and (before.terms, before.source) == (group.terms, group.source):
        return  # only the note changed: search reads nothing else
    SynonymChange.objects.create(
        actor=user,
        action=SynonymChange.Action.CHANGE if before else SynonymChange.Action.ADD,
        group_id_at_change=group.pk,
        terms_before=before.terms if before else "",
        terms_after=group.terms,
        source_before=before.source if before else "",
        source_after=group.source,
    )
    # No summary's own page shows the list: only searches and the pages listing summaries.
    public_content_changed(interventions=())


@transaction.atomic
def synonym_groups_delete(*, groups: Iterable[SynonymGroup], user: Actor) -> int:
    """Delete these groups and log each; returns how many were deleted."""
    groups = list(groups)
    SynonymChange.objects.bulk_create(
        SynonymChange(
            actor=user,
            action=SynonymChange.Action.DELETE,
            group_id_at_change=group.pk,
            terms_before=group.terms,
            source_before=group.source,
        )
        for group in groups
    )
    SynonymGroup.objects.filter(pk__in=[group.pk for group in groups]).delete()
    if groups:
        public_content_changed(interventions=())
    return len(groups)
