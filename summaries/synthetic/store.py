"""Writing synthetic summaries to the database in bulk (and deleting them), indexed for
search as they are written. Bulk inserts bypass the services, so this raises the public
content generation itself.
"""

import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.db import reset_queries, transaction
from django.db.models import CASCADE
from django.utils import timezone

from summaries import search
from summaries.models import (
    RATING_FIELDS,
    SECTION_ORDER,
    TAXONOMY,
    Intervention,
    KeyFigure,
    Outcome,
    OutcomeResult,
    ReviewBreakdown,
    ScaleLevel,
    Section,
    State,
    SummaryVersion,
    SystematicReview,
)
from summaries.models.generation import public_content_changed

from .corpus import (
    BATCH_SIZE,
    CHANGE_NOTE,
    DEFAULT_SEED,
    MAX_COUNT,
    OUTCOMES,
    SLUG_PREFIX,
    TERMS,
    rare_term_placement,
)
from .prose import (
    SummaryPlan,
    plan_summary,
)

# --- Writing to the database ---------------------------------------------------------------


def vocabulary_ensure() -> dict[str, dict[str, int]]:
    """The synthetic vocabulary as M2M field -> {our slug: term id}, creating what is missing.

    A term is reused when one with the same slug or the same name exists (so the demo's
    "Prison" or "Offender" serve both), otherwise created as an ordinary term. Terms are
    shared data, so they stay after ``synthetic_delete()`` and the next run reuses them.
    """
    vocabulary = {}
    for entry in TAXONOMY:
        model, field_name, entries = entry.model, entry.field, TERMS[entry.field]
        by_slug = dict(model.objects.values_list("slug", "id"))
        by_name = {name.lower(): pk for name, pk in model.objects.values_list("name", "id")}
        ids = {}
        for position, (slug, name) in enumerate(entries, start=1):
            pk = by_slug.get(slug) or by_name.get(name.lower())
            if pk is None:
                pk = model.objects.create(slug=slug, name=name, position=position).pk
            ids[slug] = pk
        vocabulary[field_name] = ids
    return vocabulary


def outcomes_ensure() -> dict[str, int]:
    """The synthetic outcomes as {our slug: outcome id}, reusing one of the same slug or
    name, creating what is missing. Shared data: they stay after ``synthetic_delete()``."""
    by_slug = dict(Outcome.objects.values_list("slug", "id"))
    by_name = {name.lower(): pk for name, pk in Outcome.objects.values_list("name", "id")}
    ids = {}
    for position, (slug, name) in enumerate(OUTCOMES, start=100):
        pk = by_slug.get(slug) or by_name.get(name.lower())
        if pk is None:
            pk = Outcome.objects.create(slug=slug, name=name, position=position).pk
        ids[slug] = pk
    return ids


def _rating_levels() -> dict[str, dict[str, int]]:
    """Rating field -> {level slug: level id}; a level an admin removed is left unset."""
    levels = {field_name: {} for field_name in RATING_FIELDS}
    dimensions = {dimension: f for f, dimension in RATING_FIELDS.items()}
    for dimension, slug, pk in ScaleLevel.objects.values_list("scale__dimension", "slug", "id"):
        if dimension in dimensions:
            levels[dimensions[dimension]][slug] = pk
    return levels


def _next_number() -> int:
    """One more than the highest number in an existing synthetic slug, so runs add up."""
    pattern = re.compile(rf"^{SLUG_PREFIX}(\d+)-")
    highest = 0
    slugs = Intervention.objects.filter(is_synthetic=True).values_list("slug", flat=True)
    for slug in slugs.iterator(chunk_size=10_000):
        match = pattern.match(slug)
        if match:
            highest = max(highest, int(match[1]))
    return highest + 1


def _through_rows(version_ids, plans, vocabulary):
    """M2M rows built directly: one bulk insert per vocabulary instead of .set() per version."""
    for field_name, term_ids in vocabulary.items():
        m2m = SummaryVersion._meta.get_field(field_name)
        through = m2m.remote_field.through
        source, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
        rows = [
            through(**{source: version_id, target: term_ids[slug]})
            for version_id, plan in zip(version_ids, plans, strict=True)
            for slug in dict.fromkeys(plan.terms[field_name])
        ]
        through.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _write_batch(plans: list[SummaryPlan], vocabulary, levels, now, outcomes) -> None:
    """Insert one batch of planned summaries with a handful of bulk inserts."""
    published = [now - timedelta(days=plan.published_days_ago) for plan in plans]
    interventions = Intervention.objects.bulk_create(
        [
            Intervention(slug=plan.slug, is_synthetic=True, first_published_at=when)
            for plan, when in zip(plans, published, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    versions = SummaryVersion.objects.bulk_create(
        [
            _version(plan, intervention.pk, when, levels)
            for plan, intervention, when in zip(plans, interventions, published, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    version_ids = [v.pk for v in versions]
    Section.objects.bulk_create(
        [
            Section(version_id=vid, kind=kind, position=SECTION_ORDER[kind], body=body)
            for vid, plan in zip(version_ids, plans, strict=True)
            for kind, body in plan.sections.items()
        ],
        batch_size=BATCH_SIZE,
    )
    KeyFigure.objects.bulk_create(
        [
            KeyFigure(version_id=vid, position=position, **vars(figure))
            for vid, plan in zip(version_ids, plans, strict=True)
            for position, figure in enumerate(plan.key_figures, start=1)
        ],
        batch_size=BATCH_SIZE,
    )
    reviews = _write_reviews(version_ids, plans)
    _write_outcome_results(version_ids, plans, reviews, levels, outcomes)
    _through_rows(version_ids, plans, vocabulary)
    # Searchable in the same transaction as the rows, like any publication.
    search.index_versions(version_ids)


def _version(plan: SummaryPlan, intervention_id: int, published_at, levels) -> SummaryVersion:
    reviewed = published_at.date() - timedelta(days=plan.evidence_reviewed_days_before)
    return SummaryVersion(
        intervention_id=intervention_id,
        number=1,
        state=State.PUBLISHED,
        title=plan.title,
        standfirst=plan.standfirst,
        evidence_reviewed_on=reviewed,
        change_note=CHANGE_NOTE,
        created_at=published_at - timedelta(days=plan.evidence_reviewed_days_before % 30 + 1),
        published_at=published_at,
        **{
            f"{field_name}_rating_id": levels[field_name].get(slug)
            for field_name, slug in plan.ratings.items()
        },
    )


def _write_reviews(version_ids, plans) -> dict[tuple[int, int], int]:
    """Insert the reviews and their breakdowns; (version id, review index) -> review id."""
    pairs = [
        (
            review_plan,
            SystematicReview(
                version_id=vid,
                position=position,
                label=review_plan.label,
                citation=review_plan.citation,
                studies=review_plan.studies,
                tests=review_plan.tests,
                rcts=review_plan.rcts,
                conflict_of_interest_studies=review_plan.conflict_of_interest_studies,
                published_up_to=review_plan.published_up_to,
            ),
        )
        for vid, plan in zip(version_ids, plans, strict=True)
        for position, review_plan in enumerate(plan.reviews, start=1)
    ]
    SystematicReview.objects.bulk_create([review for _, review in pairs], batch_size=BATCH_SIZE)
    ReviewBreakdown.objects.bulk_create(
        [
            ReviewBreakdown(
                review_id=review.pk, kind=kind, label=label, count=count, unit=unit, position=i
            )
            for review_plan, review in pairs
            for i, (kind, label, count, unit) in enumerate(review_plan.breakdowns, start=1)
        ],
        batch_size=BATCH_SIZE,
    )
    return {(review.version_id, review.position - 1): review.pk for _, review in pairs}


def _write_outcome_results(version_ids, plans, reviews, levels, outcomes) -> None:
    """Insert the outcome results and the reviews each cites: two bulk inserts."""
    pairs = [
        (
            vid,
            plan,
            OutcomeResult(
                version_id=vid,
                outcome_id=outcomes[plan.outcome],
                position=position,
                effect_rating_id=levels["effect"].get(plan.effect),
                quality_rating_id=levels["quality"].get(plan.quality),
                direction=plan.direction,
                stated=plan.stated,
                comparison_rate=plan.comparison_rate,
                treatment_rate=plan.treatment_rate,
                relative_change=plan.relative_change,
            ),
        )
        for vid, summary in zip(version_ids, plans, strict=True)
        for position, plan in enumerate(summary.outcome_results, start=1)
    ]
    OutcomeResult.objects.bulk_create([row for _, _, row in pairs], batch_size=BATCH_SIZE)
    through = OutcomeResult.reviews.through
    through.objects.bulk_create(
        [
            through(outcomeresult_id=row.pk, systematicreview_id=reviews[(vid, index)])
            for vid, plan, row in pairs
            for index in plan.reviews
        ],
        batch_size=BATCH_SIZE,
    )


def _plans(first_number: int, count: int, seed: int) -> Iterator[list[SummaryPlan]]:
    """Plans in batches, so memory stays bounded whatever ``count`` is."""
    placement = rare_term_placement(count)
    for start in range(0, count, BATCH_SIZE):
        yield [
            plan_summary(first_number + index, seed=seed, rare=placement.get(index, ()))
            for index in range(start, min(start + BATCH_SIZE, count))
        ]


def synthetic_generate(
    *, count: int, seed: int = DEFAULT_SEED, progress: Callable[[int, float], None] | None = None
) -> int:
    """Create ``count`` live synthetic summaries, numbered after any existing ones.

    Each batch is one transaction, so an interrupted run leaves whole summaries only.
    ``progress(done, elapsed_seconds)`` is called after each batch. Returns the first number.
    """
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be between 1 and {MAX_COUNT:,}")
    started = time.monotonic()
    vocabulary = vocabulary_ensure()
    levels = _rating_levels()
    outcomes = outcomes_ensure()
    first_number = _next_number()
    now = timezone.now()
    done = 0
    for plans in _plans(first_number, count, seed):
        with transaction.atomic():
            _write_batch(plans, vocabulary, levels, now, outcomes)
            public_content_changed()  # bulk inserts bypass the services
        # With DEBUG on (the local default) Django keeps every query's SQL, and each bulk
        # insert's SQL holds a whole batch of text: drop it so memory stays bounded.
        reset_queries()
        done += len(plans)
        if progress:
            progress(done, time.monotonic() - started)
    return first_number


def synthetic_delete() -> int:
    """Delete every synthetic intervention with all its versions and their child rows.

    Only rows reached from ``Intervention.is_synthetic`` are touched (plus, as the model's
    CASCADE rule says, any "see also" link to a synthetic summary). Versions go before
    interventions because ``SummaryVersion.intervention`` is PROTECT. Returns the number
    of interventions deleted.
    """
    with transaction.atomic():
        versions = SummaryVersion.objects.filter(intervention__is_synthetic=True)
        search.unindex_versions(versions.values_list("pk", flat=True))
        _delete_bottom_up(versions)
        deleted = _delete_bottom_up(Intervention.objects.filter(is_synthetic=True))
        public_content_changed()
        return deleted


def _delete_bottom_up(queryset, path=()) -> int:
    """Delete ``queryset`` and, first, every row pointing at it through a CASCADE relation.

    Each table is deleted with its own ``QuerySet.delete()``, the leaves first. A table
    nothing points at is then deleted by Django in one set-based statement, where a single
    ``delete()`` from the top would load every primary key of every table below it and
    delete them in chunks: minutes instead of seconds at 100,000 summaries. Whatever needs
    the ORM's care (delete signals, a PROTECT or SET_NULL relation with rows in it, a
    cycle) is still handled by ``delete()``, so a model added later stays correct.
    """
    model = queryset.model
    if model not in path:
        for relation in model._meta.get_fields(include_hidden=True):
            if (
                relation.auto_created
                and not relation.concrete
                and (relation.one_to_many or relation.one_to_one)
                and relation.on_delete is CASCADE
                # The search index (an unmanaged table, SQLite only) is cleared by
                # ``search.unindex_versions``, not as a relation.
                and relation.related_model._meta.managed
            ):
                children = relation.related_model._base_manager.filter(
                    **{f"{relation.field.name}__in": queryset}
                )
                _delete_bottom_up(children, (*path, model))
    return queryset.delete()[1].get(model._meta.label, 0)
