"""The evidence map's grid, the overview of every summary, and the comparison of a few:
reads of live content only, each in a fixed number of queries whatever the amount of
content.

The map is rows of live summaries (interventions) against columns of outcomes. A cell is
the summary's result for that outcome (effect, quality, studies) or a gap: an outcome the
summary has no evidence on. Every outcome is a column, even one no live summary has
evidence on, so gaps are visible at both scales.
"""

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Count, Max, QuerySet
from django.urls import reverse

from summaries.models import (
    Dimension,
    Outcome,
    OutcomeResult,
    ScaleLevel,
    SummaryVersion,
)


def map_rows(versions: QuerySet[SummaryVersion] | None = None) -> QuerySet[SummaryVersion]:
    """Live versions in the map's order (by title); ``build_rows`` reads what it shows."""
    versions = SummaryVersion.objects.live() if versions is None else versions
    return versions.order_by("title", "id")


def map_columns() -> list[Outcome]:
    """Every outcome, in the vocabulary's order, with its problems (one query each)."""
    return list(Outcome.objects.prefetch_related("problems").order_by("position", "name"))


# The map is read as plain values, not model instances: the downloads are the whole grid
# (every live summary times every outcome), and building models and their related
# managers for it took seconds at 10,000 summaries.


class Rating(NamedTuple):
    """A rating level as a cell shows it."""

    slug: str
    label: str


class Result(NamedTuple):
    """A version's result on one outcome, as a cell shows it."""

    effect_rating: Rating | None
    quality_rating: Rating | None
    direction: str
    studies: int | None  # the most studies of any of its reviews (never a sum), or None
    certainty: Rating | None = None  # of the evidence on this outcome (GRADE's levels)


class Cell(NamedTuple):
    outcome: Outcome
    result: Result | None  # None: a gap
    url: str = ""

    @property
    def studies(self) -> int | None:
        return self.result.studies if self.result else None

    @property
    def text(self) -> str:
        """The cell in words, as a screen reader and a printout read it."""
        if self.result is None:
            return "No evidence"
        effect = self.result.effect_rating
        quality = self.result.quality_rating
        parts = [effect.label if effect else "Effect not rated"]
        parts.append(f"{quality.label.lower()} evidence" if quality else "quality not rated")
        if certainty := self.result.certainty:
            parts.append(f"{certainty.label.lower()} certainty")
        studies = self.studies
        parts.append(
            f"{studies} stud{'y' if studies == 1 else 'ies'}" if studies else "studies not stated"
        )
        return "; ".join(parts)


class ApproachTag(NamedTuple):
    """An approach a row is tagged with, as the grouping and the downloads use it."""

    pk: int
    name: str
    slug: str
    position: int


@dataclass(slots=True)
class Row:
    title: str
    slug: str  # the intervention's
    url: str  # the summary's page
    approaches: list[ApproachTag]
    cells: list[Cell]


@dataclass
class Group:
    label: str  # an approach, or "" when the map is not grouped
    slug: str
    rows: list[Row] = field(default_factory=list)


SLUG_MARK = "slug-of-the-row"


def build_rows(
    versions: QuerySet[SummaryVersion], columns: list[Outcome], *, page: bool
) -> list[Row]:
    """The map's rows of ``versions`` (a queryset of live versions in the map's order,
    sliced for a ``page`` or whole for a download): three queries whatever their number."""
    found = list(versions.values_list("id", "title", "intervention__slug"))
    if not found:
        return []
    # A page's few ids as parameters; the whole grid as a subquery (no list of 10,000).
    ids: list[int] | QuerySet[SummaryVersion, Any] = (
        [pk for pk, _, _ in found] if page else versions.values("id")
    )
    approaches: dict[int, list[ApproachTag]] = {}
    for version_id, pk, name, slug, position in (
        SummaryVersion.approaches.through.objects.filter(summaryversion__in=ids)
        .order_by("approach__position", "approach__name")
        .values_list(
            "summaryversion_id",
            "approach_id",
            "approach__name",
            "approach__slug",
            "approach__position",
        )
    ):
        approaches.setdefault(version_id, []).append(ApproachTag(pk, name, slug, position))
    ratings: dict[tuple[str, str], Rating] = {}

    def rating(slug: str | None, label: str | None) -> Rating | None:
        if slug is None:
            return None
        key = (slug, label or "")
        return ratings.get(key) or ratings.setdefault(key, Rating(slug, label or ""))

    results: dict[int, dict[int, Result]] = {}
    for (
        version_id,
        outcome_id,
        effect_slug,
        effect_label,
        quality_slug,
        quality_label,
        direction,
        certainty_slug,
        certainty_label,
        studies,
    ) in (
        OutcomeResult.objects.filter(version__in=ids)
        .values_list(
            "version_id",
            "outcome_id",
            "effect_rating__slug",
            "effect_rating__label",
            "quality_rating__slug",
            "quality_rating__label",
            "direction",
            "certainty__slug",
            "certainty__label",
        )
        .annotate(most_studies=Max("reviews__studies"))
        .order_by()
    ):
        results.setdefault(version_id, {})[outcome_id] = Result(
            rating(effect_slug, effect_label),
            rating(quality_slug, quality_label),
            direction,
            studies,
            rating(certainty_slug, certainty_label),
        )
    gaps = [Cell(outcome, None) for outcome in columns]  # the same for every row
    anchors = [f"#outcome-{outcome.slug}" for outcome in columns]
    # reverse() once, not per row (a third of the download's time at 10,000 rows): a slug
    # is letters, digits, hyphens and underscores, which reverse() puts in as they are.
    before, after = reverse("summaries:detail", kwargs={"slug": SLUG_MARK}).split(SLUG_MARK)
    rows = []
    for pk, title, slug in found:
        url = f"{before}{slug}{after}"
        mine = results.get(pk)
        if mine is None:
            cells = list(gaps)
        else:
            cells = [
                gap
                if (result := mine.get(gap.outcome.pk)) is None
                else Cell(gap.outcome, result, url + anchor)
                for gap, anchor in zip(gaps, anchors, strict=True)
            ]
        rows.append(Row(title, slug, url, approaches.get(pk, []), cells))
    return rows


NO_APPROACH = "No approach given"


def group_by_approach(rows: list[Row]) -> list[Group]:
    """Rows under each of their approaches (a summary of two approaches is in both), in
    the vocabulary's order; those with none last."""
    groups: dict[int | None, Group] = {}
    order: dict[int | None, tuple] = {}
    for row in rows:
        tagged: list[ApproachTag | None] = [*row.approaches] or [None]
        for approach in tagged:
            key = approach.pk if approach else None
            if key not in groups:
                groups[key] = Group(
                    approach.name if approach else NO_APPROACH, approach.slug if approach else ""
                )
                order[key] = (0, approach.position, approach.name) if approach else (1, 0, "")
            groups[key].rows.append(row)
    return [groups[key] for key in sorted(groups, key=lambda k: order[k])]


def grid_as_dict(rows: list[Row], columns: list[Outcome], origin: str) -> dict:
    """The grid as open data: outcomes, and per summary a cell per outcome (null: a gap).

    ``origin`` (``https://host``) makes the addresses absolute: the rows' paths are made of
    slugs, which ``request.build_absolute_uri()`` would leave as they are, so it is not
    called once per cell."""
    return {
        "outcomes": [
            {
                "slug": outcome.slug,
                "name": outcome.name,
                "problems": [p.slug for p in outcome.problems.all()],
            }
            for outcome in columns
        ],
        "summaries": [
            {
                "slug": row.slug,
                "title": row.title,
                "url": origin + row.url,
                "approaches": [a.slug for a in row.approaches],
                "cells": {
                    cell.outcome.slug: None
                    if cell.result is None
                    else {
                        "effect": cell.result.effect_rating.slug
                        if cell.result.effect_rating
                        else None,
                        "quality": cell.result.quality_rating.slug
                        if cell.result.quality_rating
                        else None,
                        "certainty": cell.result.certainty.slug if cell.result.certainty else None,
                        "direction": cell.result.direction,
                        "studies": cell.studies,
                        "url": origin + cell.url,
                    }
                    for cell in row.cells
                },
            }
            for row in rows
        ],
    }


def overview_counts() -> tuple[list[ScaleLevel], list[ScaleLevel], dict[tuple[int, int], int]]:
    """The effect and quality levels, and how many live summaries have each pair of
    ratings: three queries (one GROUP BY), whatever the number of summaries."""
    levels = list(
        ScaleLevel.objects.filter(scale__dimension__in=[Dimension.EFFECT, Dimension.QUALITY])
        .select_related("scale")
        .order_by("scale__dimension", "position")
    )
    effects = [level for level in levels if level.scale.dimension == Dimension.EFFECT]
    qualities = [level for level in levels if level.scale.dimension == Dimension.QUALITY]
    rows = (
        SummaryVersion.objects.live()
        .filter(effect_rating__isnull=False, quality_rating__isnull=False)
        .values_list("effect_rating", "quality_rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    return effects, qualities, {(e, q): n for e, q, n in rows}
