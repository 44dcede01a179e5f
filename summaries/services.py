"""Writes that span several models: creating, copying and publishing versions.

Each function is atomic and raises ``ServiceError`` with a message fit for an editor when
the request makes no sense; the admin shows it as a message.
"""

from django.db import transaction
from django.utils import timezone

from .models import (
    OPEN_STATES,
    ExternalLink,
    Intervention,
    KeyFigure,
    RelatedSummary,
    ReviewBreakdown,
    Section,
    State,
    SummaryVersion,
)

M2M_FIELDS = ("problems", "focuses", "approaches", "delivery_settings", "populations")


class ServiceError(Exception):
    """A request the content rules refuse; the message is shown to the user."""


@transaction.atomic
def intervention_create(
    *, slug: str, title: str, standfirst: str = "", user=None
) -> SummaryVersion:
    """Create an intervention and its first draft version; return the draft."""
    if Intervention.objects.filter(slug=slug).exists():
        raise ServiceError(f"A summary with the address '{slug}' already exists.")
    intervention = Intervention.objects.create(slug=slug)
    return SummaryVersion.objects.create(
        intervention=intervention,
        title=title,
        standfirst=standfirst,
        state=State.DRAFT,
        created_by=user,
    )


def _copy_children(*, source: SummaryVersion, target: SummaryVersion) -> None:
    for field in M2M_FIELDS:
        getattr(target, field).set(getattr(source, field).all())
    Section.objects.bulk_create(
        Section(version=target, kind=s.kind, position=s.position, body=s.body)
        for s in source.sections.all()
    )
    KeyFigure.objects.bulk_create(
        KeyFigure(
            version=target,
            position=k.position,
            outcome=k.outcome,
            comparison_rate=k.comparison_rate,
            treatment_rate=k.treatment_rate,
            relative_change=k.relative_change,
            note=k.note,
        )
        for k in source.key_figures.all()
    )
    for review in source.reviews.prefetch_related("breakdowns"):
        breakdowns = list(review.breakdowns.all())
        review.pk = None
        review.id = None
        review._state.adding = True
        review.version = target
        review.save()
        ReviewBreakdown.objects.bulk_create(
            ReviewBreakdown(
                review=review,
                kind=b.kind,
                label=b.label,
                count=b.count,
                unit=b.unit,
                position=b.position,
            )
            for b in breakdowns
        )
    RelatedSummary.objects.bulk_create(
        RelatedSummary(version=target, target_id=r.target_id, position=r.position)
        for r in source.related_summaries.all()
    )
    ExternalLink.objects.bulk_create(
        ExternalLink(
            version=target,
            position=link.position,
            title=link.title,
            url=link.url,
            description=link.description,
        )
        for link in source.external_links.all()
    )


@transaction.atomic
def draft_start_from(
    *, version: SummaryVersion, user=None, change_note: str = ""
) -> SummaryVersion:
    """Start a new draft copied from ``version`` (child rows included) and return it.

    The source is untouched, so a live page stays as it is until the draft is published.
    """
    intervention = Intervention.objects.select_for_update().get(pk=version.intervention_id)
    if intervention.versions.open().exists():
        raise ServiceError("This summary already has an open draft; edit that one instead.")
    draft = SummaryVersion.objects.get(pk=version.pk)
    draft.pk = None
    draft.id = None
    draft._state.adding = True
    draft.number = None
    draft.state = State.DRAFT
    draft.change_note = change_note
    draft.created_by = user
    draft.created_at = timezone.now()
    draft.published_at = None
    draft.published_by = None
    draft.save()
    _copy_children(source=version, target=draft)
    return draft


@transaction.atomic
def version_publish(*, version: SummaryVersion, user=None) -> SummaryVersion:
    """Make ``version`` the live version of its intervention.

    The intervention row is locked so two publications cannot interleave; the previous
    live version becomes superseded in the same transaction, so a failure leaves it live.
    """
    intervention = Intervention.objects.select_for_update().get(pk=version.intervention_id)
    version = SummaryVersion.objects.select_for_update().get(pk=version.pk)
    if version.state not in OPEN_STATES:
        raise ServiceError(
            f"Only a draft can be published; version {version.number} is "
            f"{version.get_state_display().lower()}."
        )
    if not version.title.strip():
        raise ServiceError("A summary needs a title before it can be published.")
    now = timezone.now()
    intervention.versions.live().update(state=State.SUPERSEDED)
    version.state = State.PUBLISHED
    version.published_at = now
    version.published_by = user
    version.save(update_fields=["state", "published_at", "published_by", "updated_at"])
    if intervention.first_published_at is None:
        intervention.first_published_at = now
        intervention.save(update_fields=["first_published_at"])
    return version
