"""The evidence map (``/toolkit/map/``, with its CSV and JSON), the overview of every
summary's effect against its quality (``/toolkit/overview/``), and the side-by-side
comparison of two to four summaries (``/toolkit/compare/``).

Live versions only, a fixed number of queries whatever the amount of content, plain GET
addresses; nothing a reader types gives a 500 (an unusable comparison answers 400 with a
message saying what was wrong).
"""

import csv
from collections.abc import Sequence
from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from summaries import charts
from summaries.models import SummaryVersion
from summaries.search.filters import SummaryFilter

from .cache import public_page
from .downloads import FORMULA_STARTS, _json
from .evidence import (
    build_rows,
    grid_as_dict,
    group_by_approach,
    map_columns,
    map_rows,
    overview_counts,
)
from .selectors import SlugState, resolve_slug

MAP_PAGE_SIZE = 50
COMPARE_MIN, COMPARE_MAX = 2, 4
MAP_CSV_FILENAME = "toolkit-evidence-map.csv"


def _filtered(request):
    """The list page's facets (same parameters), applied to live versions."""
    filterset = SummaryFilter(request.GET, queryset=SummaryVersion.objects.live())
    return filterset


def _facet_params(request: HttpRequest) -> list[tuple[str, str]]:
    """The facet parameters of the request, to carry to the list, the downloads, a page."""
    names = set(SummaryFilter.base_filters)
    return [(k, v) for k, values in request.GET.lists() if k in names for v in values[:20]]


@require_safe
@public_page
def evidence_map(request):
    """Interventions against outcomes: a server-drawn table, 50 summaries a page,
    optionally grouped by approach (``group=approach``); ``format=csv|json`` downloads
    the whole filtered grid."""
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "json"):
        return _map_download(request, fmt)
    filterset = _filtered(request)
    columns = map_columns()
    versions = map_rows(filterset.qs)
    page = Paginator(versions, MAP_PAGE_SIZE).get_page(request.GET.get("page"))
    # A slice of the queryset given to the paginator.
    rows = build_rows(cast(QuerySet[SummaryVersion], page.object_list), columns, page=True)
    grouped = request.GET.get("group") == "approach"
    groups = group_by_approach(rows) if grouped else []
    params = _facet_params(request)
    # The filters as given in the address (known values only), not the terms' names: a
    # term that tags only drafts must not name itself on a public page.
    chosen = [
        f"{name}: {term.slug}" for name, terms in filterset.selected().items() for term in terms
    ]
    query = urlencode(params)
    keep = params + ([("group", "approach")] if grouped else [])
    return render(
        request,
        "summaries/map.html",
        {
            "columns": columns,
            "rows": rows,
            "groups": groups,
            "grouped": grouped,
            "page_obj": page,
            "chosen": chosen,
            "unknown_values": filterset.unknown_values(),
            "facet_query": query,
            "page_query": urlencode(keep),
            "group_url": "?" + urlencode(params + [("group", "approach")]),
            "ungroup_url": "?" + query if query else reverse("summaries:map"),
            "list_url": reverse("summaries:list") + (f"?{query}" if query else ""),
            "csv_url": reverse("summaries:map_csv") + (f"?{query}" if query else ""),
            "json_url": reverse("summaries:map_json") + (f"?{query}" if query else ""),
            "markers": MARKER_KEY,
        },
    )


# The key to the map's shapes: effect level slug, words.
MARKER_KEY = [
    ("reduced", "Reduced crime (solid triangle pointing down)"),
    ("reduced-some-increase", "Reduced crime, with some evidence of increase (hatched)"),
    ("tended-to-reduce", "Tended to reduce crime (outline triangle pointing down)"),
    ("mixed", "Mixed effects (diamond)"),
    ("no-effect", "No effect (bar)"),
    ("tended-to-increase", "Tended to increase crime (outline triangle pointing up)"),
    ("increased-some-reduction", "Increased crime, with some evidence of reduction (hatched)"),
    ("increased", "Increased crime (solid triangle pointing up)"),
]


@require_safe
@public_page
def evidence_map_csv(request):
    return _map_download(request, "csv")


@require_safe
@public_page
def evidence_map_json(request):
    return _map_download(request, "json")


def _map_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole filtered grid (every page), in a fixed number of queries."""
    columns = map_columns()
    versions = map_rows(_filtered(request).qs)
    rows = build_rows(versions, columns, page=False)
    if fmt == "json":
        return _json(grid_as_dict(rows, columns, request.build_absolute_uri("/")[:-1]))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{MAP_CSV_FILENAME}"'
    response["Access-Control-Allow-Origin"] = "*"
    writer = csv.writer(response)
    header = ["slug", "title", "approaches", "update_status"]
    for outcome in columns:
        header += [
            f"{outcome.slug}_{part}" for part in ("effect", "quality", "studies", "certainty")
        ]
    writer.writerow(header)
    for row in rows:
        cells: list[str | int] = [
            row.slug,
            _text(row.title),
            _text(";".join(a.slug for a in row.approaches)),
            row.status,
        ]
        for cell in row.cells:
            result = cell.result
            if result is None:
                cells += ["", "", "", ""]  # a gap: no evidence on this outcome
                continue
            cells += [
                result.effect_rating.slug if result.effect_rating else "",
                result.quality_rating.slug if result.quality_rating else "",
                "" if cell.studies is None else cell.studies,
                result.certainty.slug if result.certainty else "",
            ]
        writer.writerow(cells)
    return response


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


@require_safe
@public_page
def overview(request):
    """Every live summary's effect against its quality of evidence: a bubble per pair of
    ratings, sized by how many summaries have it, with the same counts as a table whose
    cells link to those summaries on the list."""
    effects, qualities, counts = overview_counts()
    list_url = reverse("summaries:list")
    table = [
        (
            effect,
            [
                (
                    quality,
                    counts.get((effect.pk, quality.pk), 0),
                    f"{list_url}?{urlencode({'effect': effect.slug, 'quality': quality.slug})}",
                )
                for quality in qualities
            ],
        )
        for effect in effects
    ]
    return render(
        request,
        "summaries/overview.html",
        {
            "chart": charts.overview_chart(effects, qualities, counts),
            "qualities": qualities,
            "table": table,
            "total": sum(counts.values()),
        },
    )


# --- Compare ---------------------------------------------------------------------------------


def _bad_compare(request: HttpRequest, message: str, problems: Sequence[str] = ()) -> HttpResponse:
    response = render(
        request,
        "summaries/compare.html",
        {"message": message, "problems": problems, "versions": []},
        status=400,
    )
    return response


@require_safe
@public_page
def compare(request):
    """Two to four live summaries side by side (``?s=slug&s=slug``). An old slug is
    followed to the live summary (a redirect to the corrected address); an unknown or
    withdrawn one, fewer than two or more than four answer 400 with what was wrong."""
    slugs = list(dict.fromkeys(s.strip() for s in request.GET.getlist("s") if s.strip()))
    if not slugs:
        return render(request, "summaries/compare.html", {"versions": [], "empty": True})
    if len(slugs) > COMPARE_MAX:
        return _bad_compare(
            request,
            f"You chose {len(slugs)} summaries; compare at most {COMPARE_MAX} at a time.",
        )
    if len(slugs) < COMPARE_MIN:
        return _bad_compare(request, "Choose at least two summaries to compare.")
    live = SummaryVersion.objects.live().for_page()
    found = {v.intervention.slug: v for v in live.filter(intervention__slug__in=slugs)}
    problems, moved = [], {}
    for slug in slugs:
        if slug in found:
            continue
        resolved = resolve_slug(slug)
        if resolved.state == SlugState.MOVED:
            moved[slug] = resolved.slug
        elif resolved.state == SlugState.WITHDRAWN:
            problems.append(f"‘{slug}’ has been withdrawn and can no longer be compared.")
        else:
            problems.append(f"No summary has the address ‘{slug[:120]}’.")
    if problems:
        return _bad_compare(
            request, "Some of the summaries you chose cannot be compared.", problems
        )
    if moved:
        corrected = [moved.get(slug, slug) for slug in slugs]
        return redirect(
            f"{reverse('summaries:compare')}?{urlencode([('s', s) for s in corrected])}"
        )
    versions = [found[slug] for slug in slugs]
    outcomes = []
    for version in versions:
        for result in version.outcome_results.all():
            if result.outcome not in outcomes:
                outcomes.append(result.outcome)
    outcome_rows = [
        (
            outcome,
            [
                next((r for r in v.outcome_results.all() if r.outcome_id == outcome.pk), None)
                for v in versions
            ],
        )
        for outcome in outcomes
    ]
    return render(
        request,
        "summaries/compare.html",
        {"versions": versions, "outcome_rows": outcome_rows},
    )
