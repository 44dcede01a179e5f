"""Writes on the evidence pipeline: an entry becomes a summary."""

from django.db import transaction

from summaries.models import PipelineEntry, Stage, SummaryVersion
from summaries.public import pages

from .errors import ServiceError
from .rules import Actor
from .services import intervention_create


@transaction.atomic
def pipeline_entry_start_summary(
    *, entry: PipelineEntry, slug: str, user: Actor = None
) -> SummaryVersion:
    """Start a summary from ``entry``: a new intervention at ``slug`` whose first draft
    takes the entry's title and description (as its standfirst). The entry records the
    summary and moves to "being assessed" if it was not there yet; it leaves the public
    pipeline when the summary is published. Refused if the entry already has a summary.
    """
    entry = PipelineEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.intervention_id is not None:
        raise ServiceError(
            f"“{entry.title}” already became the summary at /toolkit/{entry.intervention}/."
        )
    draft = intervention_create(
        slug=slug,
        title=entry.title,
        standfirst=entry.description,
        change_note="",
        user=user,
    )
    entry.intervention = draft.intervention
    entry.stage = Stage.BEING_ASSESSED
    entry.save()
    # The pipeline page shows the entry's stage (never the draft).
    pages.content_changed(interventions=())
    return draft
