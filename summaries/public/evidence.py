"""The evidence map's grid, the overview of every summary, and the comparison of a few:
reads of live content only, each in a fixed number of queries whatever the amount of
content.

The map is rows of live summaries (interventions) against columns of outcomes. A cell is
the summary's result for that outcome (effect, quality, studies) or a gap: an outcome the
summary has no evidence on. Every outcome is a column, even one no live summary has
evidence on, so gaps are visible at both scales.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

from summaries import charts
from summaries.models import (
    Dimension,
    Outcome,
    OutcomeResult,
    ScaleLevel,
    SummaryVersion,
    SystematicReview,
)

from .selectors import live_cards


def outcome_results_prefetch() -> Prefetch:
    """A version's outcome results with what a cell shows, in two queries for all rows."""
    return Prefetch(
        "outcome_results",
        queryset=OutcomeResult.objects.select_related(
            "outcome", "effect_rating", "quality_rating"
        ).prefetch_related(
            Prefetch("reviews", queryset=SystematicReview.objects.only("id", "studies", "label"))
        ),
    )


def map_rows(versions=None):
    """Live versions as map rows: title, slug, approaches and outcome results."""
    versions = live_cards() if versions is None else versions
    return versions.prefetch_related("approaches", outcome_results_prefetch()).order_by(
        "title", "id"
    )


def map_columns() -> list[Outcome]:
    """Every outcome, in the vocabulary's order, with its problems (one query each)."""
    return list(Outcome.objects.prefetch_related("problems").order_by("position", "name"))


@dataclass(frozen=True)
class Cell:
    outcome: Outcome
    result: OutcomeResult | None  # None: a gap
    url: str = ""
    marker: charts.Marker | None = None

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
        studies = self.studies
        parts.append(
            f"{studies} stud{'y' if studies == 1 else 'ies'}" if studies else "studies not stated"
        )
        return "; ".join(parts)


@dataclass
class Row:
    version: SummaryVersion
    cells: list[Cell]


@dataclass
class Group:
    label: str  # an approach, or "" when the map is not grouped
    slug: str
    rows: list[Row] = field(default_factory=list)


def build_rows(versions: Iterable[SummaryVersion], columns: list[Outcome]) -> list[Row]:
    rows = []
    for version in versions:
        results = {result.outcome_id: result for result in version.outcome_results.all()}
        url = version.intervention.get_absolute_url()
        cells = []
        for outcome in columns:
            result = results.get(outcome.pk)
            if result is None:
                cells.append(Cell(outcome, None))
                continue
            effect = result.effect_rating.slug if result.effect_rating else None
            cells.append(
                Cell(
                    outcome,
                    result,
                    url=f"{url}#{result.anchor}",
                    marker=charts.map_marker(effect, result.studies),
                )
            )
        rows.append(Row(version, cells))
    return rows


NO_APPROACH = "No approach given"


def group_by_approach(rows: list[Row]) -> list[Group]:
    """Rows under each of their approaches (a summary of two approaches is in both), in
    the vocabulary's order; those with none last."""
    groups: dict[int | None, Group] = {}
    order: dict[int | None, tuple] = {}
    for row in rows:
        approaches = list(row.version.approaches.all()) or [None]
        for approach in approaches:
            key = approach.pk if approach else None
            if key not in groups:
                groups[key] = Group(
                    approach.name if approach else NO_APPROACH, approach.slug if approach else ""
                )
                order[key] = (0, approach.position, approach.name) if approach else (1, 0, "")
            groups[key].rows.append(row)
    return [groups[key] for key in sorted(groups, key=lambda k: order[k])]


def grid_as_dict(rows: list[Row], columns: list[Outcome], absolute_uri) -> dict:
    """The grid as open data: outcomes, and per summary a cell per outcome (null: a gap)."""
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
                "slug": row.version.intervention.slug,
                "title": row.version.title,
                "url": absolute_uri(row.version.get_absolute_url()),
                "approaches": [a.slug for a in row.version.approaches.all()],
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
                        "direction": cell.result.direction,
                        "studies": cell.studies,
                        "url": absolute_uri(cell.url),
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
