"""The API's resources as pydantic schemas: django-ninja writes the OpenAPI document from
them and checks every response against them.

Field names are the open data's (``public/downloads.py``), and stay: clients depend on
them. Dates and times are ISO 8601 strings exactly as ``data.json`` writes them;
decimals are strings ("13.6", "-31.8"), never JSON numbers. Every schema forbids fields
it does not name, so a field added to the data without adding it here fails the tests
instead of silently vanishing from the API.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, PlainSerializer, WithJsonSchema, create_model

from summaries.models import (
    RATING_FIELDS,
    TAXONOMY,
    Direction,
    EffectSizeKind,
    Perspective,
    Severity,
    Stage,
)

# Built from the registries, so a new rating or vocabulary appears in the API by itself.
TAXONOMY_KEYS = [vocabulary.key for vocabulary in TAXONOMY]

DateTimeString = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
DateString = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
DecimalString = Annotated[
    Decimal,
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "A decimal, as text"}
    ),
]
Url = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Errors ----------------------------------------------------------------------------


class ParameterError(Strict):
    parameter: str = Field(description="The query parameter at fault")
    message: str


class Problem(Strict):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field("about:blank", description="A URI naming the kind of problem")
    title: str = Field(description="The HTTP status phrase")
    status: int
    detail: str = Field(description="What went wrong, for a person to read")
    instance: str = Field(description="The address asked for")
    errors: list[ParameterError] | None = Field(None, description="Each bad parameter (400)")
    withdrawn_at: DateTimeString | None = Field(None, description="When it was withdrawn (410)")
    withdrawal_reason: str | None = Field(None, description="Why it was withdrawn (410)")


# --- Vocabularies and scales -----------------------------------------------------------


class Term(Strict):
    slug: str
    name: str
    live_count: int = Field(description="How many live summaries the term tags")


class Vocabulary(Strict):
    key: str = Field(description="The vocabulary's name in summaries' `taxonomy`")
    param: str = Field(description="The list's facet parameter taking its term slugs")
    label: str
    terms: list[Term] = Field(description="The terms that tag at least one live summary")


class Level(Strict):
    position: int
    slug: str = Field(description="The value of the `effect`/`quality` facet and `level`")
    label: str
    meaning: str
    icon: str


class ScaleOut(Strict):
    dimension: str
    name: str
    question: str
    description: str
    levels: list[Level]


# --- Summaries -------------------------------------------------------------------------


class RatingOut(Strict):
    dimension: str
    level: str
    label: str
    meaning: str


# Models whose fields come from the registries (a field per rating dimension, per
# vocabulary): made at import time, so a type checker sees them as their base.
if TYPE_CHECKING:
    Ratings = Strict
else:
    Ratings = create_model(
        "Ratings", __base__=Strict, **dict.fromkeys(RATING_FIELDS, (RatingOut | None, ...))
    )


class TermRef(Strict):
    slug: str
    name: str


if TYPE_CHECKING:
    Taxonomy = Strict
else:
    Taxonomy = create_model(
        "Taxonomy", __base__=Strict, **dict.fromkeys(TAXONOMY_KEYS, (list[TermRef], ...))
    )


class KeyFigure(Strict):
    outcome: str
    comparison_rate: DecimalString | None = Field(description="Per cent")
    treatment_rate: DecimalString | None = Field(description="Per cent")
    relative_change: DecimalString | None = Field(description="Per cent, as the review states")
    absolute_change: DecimalString | None = Field(description="Percentage points")
    note: str


class Breakdown(Strict):
    kind: str
    label: str
    count: int
    unit: str


class Review(Strict):
    label: str
    citation: str
    url: str
    studies: int | None
    tests: int | None
    published_up_to: int | None
    rcts: int | None
    conflict_of_interest_studies: int | None
    breakdowns: list[Breakdown]


class SectionOut(Strict):
    kind: str
    heading: str
    html: str = Field(description="Sanitised HTML")


class RelatedRef(Strict):
    slug: str
    title: str
    url: Url


class Link(Strict):
    title: str
    url: str
    description: str


class OutcomeRef(Strict):
    slug: str
    name: str


class OutcomeOut(Strict):
    slug: str
    name: str
    description: str
    problems: list[TermRef] = Field(description="The problems the outcome is grouped under")
    live_count: int = Field(description="How many live summaries report on it")


class OutcomeLevel(Strict):
    level: str
    label: str


class EffectSize(Strict):
    kind: Literal[tuple(EffectSizeKind.values)]  # type: ignore[valid-type]
    value: DecimalString
    interval_low: DecimalString | None
    interval_high: DecimalString | None


class DomainRef(Strict):
    slug: str
    name: str


class DowngradeReasonOut(Strict):
    """Why the certainty of an outcome's evidence was rated down, in one domain."""

    domain: DomainRef = Field(description="GRADE's domains, as the toolkit names them")
    severity: Literal[tuple(Severity.values)]  # type: ignore[valid-type]
    explanation: str = Field(description="In the text's own words where it gives them")


class OutcomeResultOut(Strict):
    """What the text states about one outcome; a number it does not give is null."""

    outcome: OutcomeRef
    effect: OutcomeLevel | None = Field(description="On the effect scale")
    quality: OutcomeLevel | None = Field(description="On the quality of evidence scale")
    certainty: OutcomeLevel | None = Field(
        description="On the certainty scale (GRADE's high, moderate, low, very low)"
    )
    downgrade_reasons: list[DowngradeReasonOut] = Field(
        description="Why the certainty was rated down; empty when no reason is given"
    )
    direction: Literal[tuple(Direction.values)]  # type: ignore[valid-type]
    stated: str = Field(description="What the text says, in its words")
    comparison_rate: DecimalString | None = Field(description="Per cent")
    treatment_rate: DecimalString | None = Field(description="Per cent")
    relative_change: DecimalString | None = Field(description="Per cent, as stated")
    percentage_points: DecimalString | None
    effect_size: EffectSize | None
    reviews: list[str] = Field(description="Labels of the reviews it comes from")
    note: str


class UpdateStatusOut(Strict):
    """Whether the summary is current (after Cochrane's update status)."""

    status: str | None = Field(
        description="up-to-date, update-pending, update-in-progress or no-update-planned; "
        "null when none was given"
    )
    label: str | None
    reason: str
    last_search: str | None = Field(
        description="The last search for evidence, as precise as known: 2021 or 2021-03",
        pattern=r"^[0-9]{4}(-[0-9]{2})?$",
    )
    reassess_on: DateString | None = Field(description="When it is to be reassessed")


class CostBand(Strict):
    level: str
    label: str
    meaning: str = Field(description="The band's range, e.g. '£100 to £499 per participant.'")


class UnitCostOut(Strict):
    amount: DecimalString = Field(description="Cost per participant, as stated")
    currency: str = Field(description="ISO 4217 code, e.g. GBP")
    price_year: int = Field(description="The year whose prices the amount is in")
    description: str
    review: str | None = Field(description="Label of the review it comes from")


class BenefitCostOut(Strict):
    perspective: Literal[tuple(Perspective.values)]  # type: ignore[valid-type]
    benefits: DecimalString | None = Field(description="Per participant, as stated")
    costs: DecimalString | None = Field(description="Per participant, as stated")
    currency: str | None = Field(description="ISO 4217 code; null when no amount is given")
    price_year: int | None
    ratio: DecimalString | None = Field(description="Benefit-cost ratio, as stated")
    chance_benefits_exceed_costs: DecimalString | None = Field(description="Per cent")
    review: str | None = Field(description="Label of the review it comes from")
    note: str


class Economics(Strict):
    """The economic evidence as the reviews state it."""

    no_economic_evaluation: bool = Field(description="The reviews report no economic evaluation")
    cost_band: CostBand | None = Field(description="On the cost-band scale; null if not given")
    unit_costs: list[UnitCostOut]
    benefit_costs: list[BenefitCostOut]


class Summary(Strict):
    """One summary, everything its page shows: the fields of its ``data.json``."""

    slug: str
    url: Url = Field(description="The summary's page")
    title: str
    standfirst: str
    version: int
    published_at: DateTimeString
    first_published_at: DateTimeString | None
    evidence_reviewed_on: DateString | None
    update_status: UpdateStatusOut
    change_note: str
    ratings_basis: str
    ratings: Ratings
    taxonomy: Taxonomy
    key_figures: list[KeyFigure]
    outcomes: list[OutcomeResultOut]
    economics: Economics
    reviews: list[Review]
    sections: list[SectionOut]
    related_summaries: list[RelatedRef]
    external_links: list[Link]


class VersionContent(Summary):
    """One published version with its content as published."""

    state: Literal["live", "superseded"]
    version_url: Url = Field(description="The version's own page")


# --- Lists -----------------------------------------------------------------------------


class RatingBrief(Strict):
    level: str
    label: str


if TYPE_CHECKING:
    RatingsBrief = Strict
    TaxonomyNames = Strict
else:
    RatingsBrief = create_model(
        "RatingsBrief",
        __base__=Strict,
        **dict.fromkeys(RATING_FIELDS, (RatingBrief | None, ...)),
    )
    TaxonomyNames = create_model(
        "TaxonomyNames", __base__=Strict, **dict.fromkeys(TAXONOMY_KEYS, (list[str], ...))
    )


class KeyFigureBrief(Strict):
    outcome: str
    comparison_rate: DecimalString | None
    treatment_rate: DecimalString | None
    relative_change: DecimalString | None


class HeadlineOutcome(Strict):
    outcome: str
    certainty: RatingBrief | None


class SummaryItem(Strict):
    """One summary in a list: the fields of a row of ``/toolkit/data.json``."""

    slug: str
    url: Url
    api_url: Url = Field(description="This summary in the API")
    title: str
    standfirst: str
    version: int
    published_on: DateString
    ratings: RatingsBrief
    taxonomy: TaxonomyNames
    key_figure: KeyFigureBrief | None
    reviews: int
    studies: int | None
    cost_band: RatingBrief | None = Field(description="On the cost-band scale")
    no_economic_evaluation: bool = Field(description="The reviews report no economic evaluation")
    headline_outcome: HeadlineOutcome | None = Field(
        description="The first of its outcome results, with its certainty of the evidence"
    )
    update_status: UpdateStatusOut


class FacetOption(Strict):
    slug: str
    name: str
    count: int = Field(description="Results if this value were chosen too")
    selected: bool


class FacetOut(Strict):
    name: str = Field(description="The query parameter")
    label: str
    options: list[FacetOption]


class SearchReading(Strict):
    query: str = Field(description="What the results are for (the query, or its correction)")
    corrected_from: str | None = Field(
        description="The query as sent, when it found nothing and the results are for a "
        "clear correction of its spelling (send verbatim=true to search as sent)"
    )
    suggestion: str | None = Field(
        description="A better spelling to offer (did you mean), when the query found little"
    )
    also_searched_for: list[str] = Field(
        description="Other spellings, compounds and synonyms also searched for that live "
        "summaries use"
    )


class SummaryPage(Strict):
    search: SearchReading | None = Field(description="How the query was read (with q only)")
    total: int = Field(description="Results on every page together")
    page: int
    page_size: int
    pages: int
    next: Url | None
    previous: Url | None
    results: list[SummaryItem]
    facets: list[FacetOut]


class VersionItem(Strict):
    number: int
    state: Literal["live", "superseded", "withdrawn"]
    published_at: DateTimeString
    withdrawn_at: DateTimeString | None
    change_note: str
    url: Url | None = Field(description="The version's own page (none once withdrawn)")
    api_url: Url | None = Field(description="The version in the API (none once withdrawn)")


class VersionList(Strict):
    slug: str
    versions: list[VersionItem] = Field(description="Every published version, newest first")


def schema_names() -> dict[str, Any]:
    """Each response schema by name, for tests that check responses against the document."""
    return {
        cls.__name__: cls
        for cls in (
            Problem,
            Vocabulary,
            ScaleOut,
            Summary,
            VersionContent,
            SummaryPage,
            VersionList,
        )
    }


# --- The pipeline ----------------------------------------------------------------------


# The stages as the API's parameter and fields name them (a string to the type checker).
if TYPE_CHECKING:
    PipelineStage = str
else:
    PipelineStage = Literal[tuple(Stage.values)]


class PipelineEntryOut(Strict):
    """An intervention being assessed, or considered and not rated."""

    id: int
    title: str
    description: str
    stage: PipelineStage
    stage_label: str
    stage_changed_on: DateString
    not_rated_reason: str = Field(description="Why it was not rated; empty at other stages")
    demo: bool = Field(description="Made up for the demo, not a real assessment")


class PipelineStageCount(Strict):
    stage: PipelineStage
    label: str
    total: int = Field(description="Entries at this stage, whatever the filters")


class PipelineOut(Strict):
    stages: list[PipelineStageCount]
    results: list[PipelineEntryOut]
