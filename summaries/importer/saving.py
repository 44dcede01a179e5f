"""A ``ParsedSummary`` becomes a new draft version; a live version is never touched."""

from django.db import transaction
from django.utils.text import slugify

from summaries.models import (
    BreakdownKind,
    CountUnit,
    Intervention,
    ReviewBreakdown,
    Section,
    State,
    SummaryVersion,
    SystematicReview,
)
from summaries.services import ServiceError, intervention_create

from .result import ImportFailed, ParsedSummary
from .validation import validate_parsed


@transaction.atomic
def save_as_draft(
    parsed: ParsedSummary, *, slug: str | None = None, user=None, source_name: str | None = None
) -> SummaryVersion:
    """Save ``parsed`` as a new draft version and return it.

    The slug defaults to the page's own address in the export, else the slugified title.
    A new intervention gets its first draft; an existing one gets a new draft holding the
    imported content (its live version stays live until the draft is published). An
    existing open draft is never overwritten: the import is refused instead.
    """
    slug = slug or parsed.slug or slugify(parsed.title)[:120]
    validate_parsed(parsed, slug=slug)  # every value, before anything is written
    note = f"Imported from {source_name or 'a toolkit text export'}"[:500]
    intervention = Intervention.objects.select_for_update().filter(slug=slug).first()
    if intervention is None:
        version = _create_intervention(parsed, slug=slug, user=user)
        version.change_note = note
        version.save(update_fields=["change_note", "updated_at"])
    else:
        open_draft = intervention.versions.open().first()
        if open_draft:
            raise ImportFailed(
                f"'{slug}' already has an open draft (version {open_draft.number}); "
                "publish or archive it before importing again."
            )
        version = SummaryVersion.objects.create(
            intervention=intervention,
            state=State.DRAFT,
            title=parsed.title,
            standfirst=parsed.standfirst,
            change_note=note,
            created_by=user,
        )
    _save_content(version, parsed)
    return version


def _create_intervention(parsed: ParsedSummary, *, slug: str, user) -> SummaryVersion:
    try:
        return intervention_create(
            slug=slug, title=parsed.title, standfirst=parsed.standfirst, user=user
        )
    except ServiceError as exc:
        raise ImportFailed(str(exc)) from exc


def _save_content(version: SummaryVersion, parsed: ParsedSummary) -> None:
    # Saved one by one, not in bulk: Section.save() sanitises the body and sets the order.
    for kind, body in parsed.sections.items():
        Section.objects.create(version=version, kind=kind, body=body)
    for position, parsed_review in enumerate(parsed.reviews, start=1):
        review = SystematicReview.objects.create(
            version=version,
            position=position,
            label=parsed_review.label,
            studies=parsed_review.studies,
            tests=parsed_review.tests,
            published_up_to=parsed_review.published_up_to,
            rcts=parsed_review.rcts,
            conflict_of_interest_studies=parsed_review.conflict_of_interest_studies,
        )
        ReviewBreakdown.objects.bulk_create(
            [
                *_breakdowns(review, parsed_review.approaches, BreakdownKind.APPROACH),
                *_breakdowns(review, parsed_review.countries, BreakdownKind.COUNTRY),
            ]
        )


def _breakdowns(review, counts, kind) -> list[ReviewBreakdown]:
    unit = CountUnit.STUDIES if kind == BreakdownKind.APPROACH else CountUnit.TESTS
    return [
        ReviewBreakdown(
            review=review, kind=kind, label=label, count=count, unit=unit, position=position
        )
        for position, (label, count) in enumerate(counts, start=1)
    ]
