"""A ``ParsedSummary`` becomes a new draft version; a live version is never touched."""

from django.db import transaction
from django.utils.text import slugify

from summaries.editorial import services
from summaries.editorial.errors import ServiceError
from summaries.models import (
    BreakdownKind,
    CountUnit,
    Intervention,
    ReviewBreakdown,
    Section,
    SummaryVersion,
    SystematicReview,
)

from .result import ImportFailed, ParsedSummary
from .validation import validate_parsed


def address_for(parsed: ParsedSummary, slug: str | None = None) -> str:
    """The slug an import takes: the one given, else the page's own address in the
    export, else the title made into a slug."""
    return slug or parsed.slug or slugify(parsed.title)[:120]


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
    slug = address_for(parsed, slug)
    validate_parsed(parsed, slug=slug)  # every value, before anything is written
    note = f"Imported from {source_name or 'a toolkit text export'}"[:500]
    intervention = Intervention.objects.filter(slug=slug).first()
    try:
        if intervention is None:
            version = services.intervention_create(
                slug=slug,
                title=parsed.title,
                standfirst=parsed.standfirst,
                change_note=note,
                user=user,
            )
        else:
            # The same service as the admin's: it locks the intervention, refuses a second
            # open draft and writes the audit event.
            version = services.draft_create(
                intervention=intervention,
                title=parsed.title,
                standfirst=parsed.standfirst,
                change_note=note,
                user=user,
            )
    except ServiceError as exc:
        raise ImportFailed(f"'{slug}': {exc}") from exc
    _save_content(version, parsed)
    return version


def _save_content(version: SummaryVersion, parsed: ParsedSummary) -> None:
    if parsed.no_economic_evaluation:
        version.no_economic_evaluation = True
        version.save(update_fields=["no_economic_evaluation"])
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
