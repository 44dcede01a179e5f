"""Open data: the live summaries as JSON and CSV, for anyone to reuse.

``/toolkit/<slug>/data.json`` is one summary, everything its page shows;
``/toolkit/data.json`` and ``/toolkit/data.csv`` list every live summary, one object or
row each. Like the pages they read live versions only, cost a fixed number of queries
however many summaries there are, and are cached and refreshed by ``@public_page``, so a
publication or a withdrawal shows in every download on the next request.

Decimals (rates and changes, in per cent or percentage points) are written as strings in
JSON, exactly as stated ("13.6", "-31.8"): a JSON number would invite binary floating
point, and the figures are given to one decimal place on purpose.
"""

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Sum
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from summaries.models import RATING_FIELDS, TAXONOMY, KeyFigure, OutcomeResult, SummaryVersion
from summaries.models.generation import summary_generation

from . import pages
from .cache import public_page
from .selectors import SlugState, resolve_slug
from .views import not_live_response

CSV_FILENAME = "toolkit-summaries.csv"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _json(data: dict[str, Any], *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Public data, no credentials involved: any site's scripts may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- One summary ---------------------------------------------------------------------


@require_safe
@public_page(summary=True)
def summary_data(request, slug):
    """The live version of one summary as JSON (its stored data, ``pages.page_data``);
    410 if withdrawn, 404 if never live.

    An old address (the slug before a rename) redirects to the current one's data.
    """
    page = pages.live_page(slug, summary_generation(slug, request)[0], "data")
    if page is not None:
        response = HttpResponse(pages.page_json(page, request), content_type="application/json")
        response["Access-Control-Allow-Origin"] = "*"
        return response
    resolved = resolve_slug(slug)
    if resolved.state == SlugState.WITHDRAWN:
        return _withdrawn_json(slug, resolved.found)
    return not_live_response(request, resolved, "summaries:detail_data")


def _withdrawn_json(slug: str, version: SummaryVersion) -> JsonResponse:
    # The address asked for, never the summary's current one (which may not be public).
    return _json(
        {
            "slug": slug,
            "withdrawn_at": _iso(version.withdrawn_at),
            "withdrawal_reason": version.withdrawal_reason,
        },
        status=410,
    )


# --- Every live summary --------------------------------------------------------------


def live_rows():
    """Every live version with what a row needs, in a fixed number of queries."""
    return (
        SummaryVersion.objects.live()
        .defer("search_vector")
        .select_related(
            "intervention",
            "cost_band",
            "update_status",
            *(f"{field}_rating" for field in RATING_FIELDS),
        )
        .prefetch_related(
            *(vocabulary.field for vocabulary in TAXONOMY),
            Prefetch(
                "key_figures",
                queryset=KeyFigure.objects.order_by("position", "id")[:1],
                to_attr="first_figures",
            ),
            # The headline outcome: the first of the version's outcome results.
            Prefetch(
                "outcome_results",
                queryset=OutcomeResult.objects.select_related("outcome", "certainty").order_by(
                    "position", "id"
                )[:1],
                to_attr="first_results",
            ),
        )
        # One join (reviews), so neither aggregate counts a row twice.
        .annotate(review_count=Count("reviews"), study_count=Sum("reviews__studies"))
        .order_by("title", "pk")
    )


def summary_row(version: SummaryVersion, absolute_uri: Callable[[str], str]) -> dict:
    # What live_rows adds to each version: its first key figure, review and study totals.
    added: Any = version
    figure = added.first_figures[0] if added.first_figures else None
    return {
        "slug": version.intervention.slug,
        "url": absolute_uri(version.get_absolute_url()),
        "title": version.title,
        "standfirst": version.standfirst,
        "version": version.number,
        "published_on": timezone.localdate(version.published_at).isoformat(),
        "ratings": {
            field: None if level is None else {"level": level.slug, "label": level.label}
            for field in RATING_FIELDS
            for level in [getattr(version, f"{field}_rating")]
        },
        "taxonomy": {
            vocabulary.key: [term.name for term in getattr(version, vocabulary.field).all()]
            for vocabulary in TAXONOMY
        },
        "key_figure": None
        if figure is None
        else {
            "outcome": figure.outcome,
            "comparison_rate": figure.comparison_rate,
            "treatment_rate": figure.treatment_rate,
            "relative_change": figure.relative_change,
        },
        "reviews": added.review_count,
        "studies": added.study_count,
        **economics_and_certainty(version),
        "update_status": pages.update_status_as_dict(version),
    }


def economics_and_certainty(version: SummaryVersion) -> dict:
    """A list row's cost band, whether no economic evaluation was found, and the
    certainty of its headline outcome (the first of its outcome results)."""
    band = version.cost_band
    # What live_rows adds: the first of its outcome results, as a list.
    added: Any = version
    result = added.first_results[0] if added.first_results else None
    return {
        "cost_band": None if band is None else {"level": band.slug, "label": band.label},
        "no_economic_evaluation": version.no_economic_evaluation,
        "headline_outcome": None
        if result is None
        else {
            "outcome": result.outcome.name,
            "certainty": None
            if result.certainty is None
            else {"level": result.certainty.slug, "label": result.certainty.label},
        },
    }


@require_safe
@public_page
def summaries_json(request):
    """Every live summary as JSON: ``{"summaries": [...]}``, by title."""
    # JsonResponse's encoder writes the key figures' decimals as strings.
    rows = [summary_row(version, request.build_absolute_uri) for version in live_rows()]
    return _json({"summaries": rows})


CSV_HEADER = [
    "slug",
    "url",
    "title",
    "standfirst",
    "version",
    "published_on",
    *(f"{field}_{part}" for field in RATING_FIELDS for part in ("level", "label")),
    *(vocabulary.key for vocabulary in TAXONOMY),
    "key_figure_outcome",
    "key_figure_comparison_rate",
    "key_figure_treatment_rate",
    "key_figure_relative_change",
    "reviews",
    "studies",
    "cost_band_level",
    "cost_band_label",
    "no_economic_evaluation",
    "headline_outcome",
    "headline_outcome_certainty",
    "update_status",
    "update_status_label",
    "update_status_reason",
    "last_search",
    "reassess_on",
]

# A spreadsheet treats a cell starting with one of these as a formula, so an editor's text
# such as "=HYPERLINK(...)" would run when a reader opens the file ("CSV injection"). Text
# cells starting with one get a leading apostrophe, which spreadsheets show as text.
# Numbers are written as numbers: a relative change of -31.8 must stay a number.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def _csv_cells(row: dict) -> list:
    ratings = row["ratings"]
    figure = row["key_figure"] or {}
    return [
        *(row[key] for key in ("slug", "url", "title", "standfirst", "version", "published_on")),
        *(
            (ratings[field] or {}).get(part)
            for field in RATING_FIELDS
            for part in ("level", "label")
        ),
        *("; ".join(names) for names in row["taxonomy"].values()),
        figure.get("outcome"),
        figure.get("comparison_rate"),
        figure.get("treatment_rate"),
        figure.get("relative_change"),
        row["reviews"],
        row["studies"],
        *_economics_and_certainty_cells(row),
        *(
            row["update_status"][key]
            for key in ("status", "label", "reason", "last_search", "reassess_on")
        ),
    ]


def _economics_and_certainty_cells(row: dict) -> list:
    band = row["cost_band"] or {}
    headline = row["headline_outcome"] or {}
    certainty = headline.get("certainty") or {}
    return [
        band.get("level"),
        band.get("label"),
        "yes" if row["no_economic_evaluation"] else "no",
        headline.get("outcome"),
        certainty.get("level"),
    ]


@require_safe
@public_page
def summaries_csv(request):
    """Every live summary as CSV, one row each, by title, with a header row.

    Built whole rather than streamed: ``@public_page`` keeps the finished response in the
    cache, and a toolkit's few hundred summaries make a file of a few hundred kilobytes.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for version in live_rows():
        writer.writerow(
            _cell(value) for value in _csv_cells(summary_row(version, request.build_absolute_uri))
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{CSV_FILENAME}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
