"""The API's endpoints, with django-ninja: typed function views whose signatures and
response schemas become the OpenAPI document (``/api/v1/openapi.json``).

Every endpoint reads live content only, through the same selectors as the pages: a
summary's address is resolved by ``public.selectors.resolve_slug`` (withdrawn: 410, old
slug: 301 to the same resource under the current slug, never published: 404), the list
takes the list page's search and facets (``search.search_live``, ``SummaryFilter``), and
a summary is its stored data (``public.pages.page_data``), exactly its ``data.json``. Each costs a
fixed number of queries however much content there is.

Caching, ETags, CORS and rate limiting are the same for every endpoint and live in
``middleware.py``.
"""

import json
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from ninja import Path, Query
from ninja.errors import HttpError, ValidationError

from summaries import converters, search
from summaries.models import TAXONOMY, Outcome, Scale, Stage, State, SummaryVersion
from summaries.models.generation import current_generation, site_generation, summary_generation
from summaries.models.vocabularies import Vocabulary
from summaries.public import pages, pipeline
from summaries.public.citations import version_url
from summaries.public.selectors import (
    PUBLIC_VERSION_STATES,
    SlugState,
    published_version,
    resolve_slug,
    terms_with_live_counts,
)
from summaries.public.views import MOVED_MAX_AGE, KnownCountPaginator
from summaries.search.facets import cache_key, search_counts
from summaries.search.filters import MAX_SLUG_LENGTH, MAX_VALUES_PER_FACET, SummaryFilter

from . import schemas
from .contract import ContractApi
from .problems import ApiProblem, problem_response

SORTS = {
    # The list page's orders (public/list_state.SORTS), by the same names.
    "relevance": ("-rank", "title", "pk"),
    "title": ("title", "pk"),
    "updated": ("-published_at", "-pk"),
}
Sort = Literal["relevance", "title", "updated"]

api = ContractApi(
    title=f"{settings.TOOLKIT_NAME} API",
    version="1",
    description=(
        "Read-only access to the toolkit's live summaries, their published versions, the "
        "vocabularies and the rating scales. No key is needed; requests are limited per "
        "client address. Errors are RFC 9457 problem details. Dates are ISO 8601; "
        "decimals are strings."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,  # our own page (docs.py) renders the document without any script
)

PROBLEMS = {400: schemas.Problem, 404: schemas.Problem, 410: schemas.Problem}


@api.exception_handler(ApiProblem)
def _api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return problem_response(request, exc.status, exc.detail, **exc.extensions)


@api.exception_handler(ValidationError)
def _bad_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "parameter": str(error.get("loc", ["", ""])[-1]),
            "message": str(error.get("msg", "invalid")),
        }
        for error in exc.errors
    ]
    names = ", ".join(sorted({error["parameter"] for error in errors}))
    return problem_response(request, 400, f"Bad parameter: {names}.", errors=errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(request, exc.status_code, str(exc))


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _resolved_live(
    request: HttpRequest,
    slug: str,
    url_name: str,
    *,
    live: QuerySet[SummaryVersion] | None = None,
    **url_kwargs: Any,
) -> SummaryVersion | HttpResponse:
    """The live version for ``slug``, or a 301 to the current slug; raises 404 or 410."""
    resolved = resolve_slug(slug, live=live)
    if resolved.state == SlugState.LIVE:
        return resolved.found
    if resolved.state == SlugState.WITHDRAWN:
        raise _withdrawn(resolved.found)
    if resolved.state == SlugState.MOVED:
        url = reverse(f"api:{url_name}", kwargs={"slug": resolved.slug, **url_kwargs})
        if query := request.META.get("QUERY_STRING"):
            url = f"{url}?{query}"
        response = HttpResponsePermanentRedirect(url)
        patch_cache_control(response, max_age=MOVED_MAX_AGE)
        return response
    raise ApiProblem(404, "No summary has this address.")


def _withdrawn(version: SummaryVersion) -> ApiProblem:
    return ApiProblem(
        410,
        "This summary was withdrawn: it is no longer part of the toolkit.",
        withdrawn_at=version.withdrawn_at.isoformat() if version.withdrawn_at else None,
        withdrawal_reason=version.withdrawal_reason,
    )


# --- Summaries -------------------------------------------------------------------------


def _facet_errors(request: HttpRequest, filterset: SummaryFilter) -> tuple[list[dict], list[dict]]:
    """The facet values given too many times (400), and those that name no term (404:
    the page ignores them; a client should know)."""
    selected = filterset.selected()
    too_many, unknown = [], []
    for name in filterset.filters:
        # An empty value (a form's "any" option) chooses nothing, as on the page.
        given = [value for value in request.GET.getlist(name) if value.strip()]
        if len(given) > MAX_VALUES_PER_FACET:
            too_many.append(
                {"parameter": name, "message": f"at most {MAX_VALUES_PER_FACET} values"}
            )
            continue
        known = {term.slug for term in selected[name]}
        unknown += [
            {"parameter": name, "message": f"no such term: {value[:MAX_SLUG_LENGTH]!r}"}
            for value in dict.fromkeys(given)
            if value not in known
        ]
    return too_many, unknown


@api.get(
    "/summaries/",
    response={200: schemas.SummaryPage, 400: schemas.Problem, 404: schemas.Problem},
    url_name="summaries",
    summary="Search and filter the live summaries",
    tags=["summaries"],
)
def summaries_list(
    request: HttpRequest,
    q: Annotated[
        str, Query(description='Words, "phrases", -exclusions and `or`', max_length=1000)
    ] = "",
    sort: Annotated[
        Sort | None,
        Query(
            description="Default: relevance with `q`, else title (also for relevance without `q`)"
        ),
    ] = None,
    verbatim: Annotated[
        bool, Query(description="Search as sent: no correction of the spelling")
    ] = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=settings.API_MAX_PAGE_SIZE)] = settings.API_PAGE_SIZE,
    problem: Annotated[list[str] | None, Query(description="Problem slugs (any of them)")] = None,
    focus: Annotated[list[str] | None, Query(description="Focus slugs (any of them)")] = None,
    approach: Annotated[list[str] | None, Query(description="Approach slugs (any of them)")] = None,
    setting: Annotated[list[str] | None, Query(description="Setting slugs (any of them)")] = None,
    population: Annotated[
        list[str] | None, Query(description="Population slugs (any of them)")
    ] = None,
    effect: Annotated[
        list[str] | None, Query(description="Effect level slugs (any of them)")
    ] = None,
    quality: Annotated[
        list[str] | None, Query(description="Quality level slugs (any of them)")
    ] = None,
    certainty: Annotated[
        list[str] | None,
        Query(description="Certainty level slugs of the headline outcome (any of them)"),
    ] = None,
    cost: Annotated[list[str] | None, Query(description="Cost band slugs (any of them)")] = None,
    status: Annotated[
        list[str] | None, Query(description="Update status slugs (any of them)")
    ] = None,
) -> HttpResponse:
    """The live summaries, as the list page finds them: the same search (`q`), the same
    facets (each repeatable; values of one facet OR, facets AND) and the same sorts.

    Unlike the page, a facet value that names no term is an error (404: the term is not
    found), so a client learns of a renamed term instead of receiving unfiltered results.
    An empty value (``problem=``, as an HTML form sends for "any") chooses nothing, as on
    the page.
    """
    query = search.clean_query(q)
    # Relevance ranks matches: without words to match, every summary is as relevant as
    # the next, so the list is in title order, as on the page.
    sort = sort if query or sort != "relevance" else None
    sort = sort or ("relevance" if query else "title")
    filterset = SummaryFilter(request.GET, queryset=SummaryVersion.objects.live())
    too_many, unknown = _facet_errors(request, filterset)
    for code, errors, what in ((400, too_many, "Too many"), (404, unknown, "No such")):
        if errors:
            names = ", ".join(sorted({error["parameter"] for error in errors}))
            raise ApiProblem(code, f"{what} facet values: {names}.", errors=errors)
    generation = current_generation(request)
    reading = None
    if query:
        # The page's search: other spellings, compounds, synonyms, "did you mean".
        counted = search.search_counted(filterset, query, generation=generation, verbatim=verbatim)
        total, facets = counted.total, counted.facets
        # The same filters over the ranked matches (``qs`` is built from it when read).
        filterset.queryset = search.search_live(
            SummaryVersion.objects.live(), counted.reading.query
        )
        reading = {
            "query": counted.reading.typed.text(),
            "corrected_from": counted.corrected_from or None,
            "suggestion": counted.suggestion or None,
            "also_searched_for": list(counted.reading.also),
        }
    else:
        key = cache_key(filterset, None, generation=generation[0])
        total, facets = search_counts(filterset, None, key=key)
    # The page's ids first, then their rows: the rows' review and study totals are an
    # aggregate over a join, which the database would otherwise compute for every match
    # before taking the page.
    paginator: Paginator = KnownCountPaginator(
        filterset.qs.order_by(*SORTS[sort]).values_list("pk", flat=True), page_size, count=total
    )
    try:
        page_obj = paginator.page(page)
    except EmptyPage:
        raise ApiProblem(
            404, f"There are {paginator.num_pages} pages of results; no page {page}."
        ) from None
    absolute = request.build_absolute_uri

    def page_url(number: int) -> str:
        params = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values]
        return absolute(f"{request.path}?{urlencode([*params, ('page', number)])}")

    ids = list(page_obj.object_list)
    # Each row from the summary's stored data (the read model), as data.json's rows.
    found = pages.live_data(ids, site_generation(request))
    rows = []
    # A version withdrawn between the two reads is left out of this page.
    for data in (found[pk] for pk in ids if pk in found):
        row = pages.list_row(json.loads(pages.absolute(data, request)))
        row["api_url"] = absolute(reverse("api:summary", kwargs={"slug": row["slug"]}))
        rows.append(row)
    result = {
        "search": reading,
        "total": total,
        "page": page_obj.number,
        "page_size": page_size,
        "pages": paginator.num_pages,
        "next": page_url(page_obj.number + 1) if page_obj.has_next() else None,
        "previous": page_url(page_obj.number - 1) if page_obj.has_previous() else None,
        "results": rows,
        "facets": [
            {
                "name": facet["name"],
                "label": facet["label"],
                "options": [
                    {
                        "slug": option["slug"],
                        "name": option["name"],
                        "count": option["count"],
                        "selected": option["selected"],
                    }
                    for option in facet["options"]
                ],
            }
            for facet in facets
        ],
    }
    # Written out here, not handed back to be validated against the schema field by
    # field (which cost more than the rest of the request): its shape is the schema's,
    # tested against the OpenAPI document (tests/test_api_contract.py).
    return HttpResponse(
        json.dumps(result, ensure_ascii=False, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )


@api.get(
    "/summaries/{slug}/",
    response={200: schemas.Summary, **PROBLEMS},
    url_name="summary",
    summary="One live summary",
    tags=["summaries"],
)
def summary_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything the summary's page shows: the fields of its `data.json`. 410 if it was
    withdrawn (with the reason), 301 from an old slug, 404 if it was never published."""
    page = pages.live_page(slug, summary_generation(slug, request)[0], "data")
    if page is not None:
        # The stored text as it is (its shape is the schema's: tested against the
        # OpenAPI document), not read into a dict to be written out again.
        return HttpResponse(
            pages.page_json(page, request), content_type="application/json; charset=utf-8"
        )
    found = _resolved_live(request, slug, "summary")
    if isinstance(found, HttpResponse):
        return found  # the current address
    # Live since the page was looked for: the client's next request finds it.
    raise ApiProblem(404, "No summary has this address.")


def _version_state(version: SummaryVersion) -> str:
    names = {State.PUBLISHED: "live", State.SUPERSEDED: "superseded"}
    return names.get(State(version.state), "withdrawn")


@api.get(
    "/summaries/{slug}/versions/",
    response={200: schemas.VersionList, **PROBLEMS},
    url_name="versions",
    summary="A summary's published versions",
    tags=["versions"],
)
def versions_list(request: HttpRequest, slug: str) -> Any:
    """Every version of the summary that was published, newest first: the live one, the
    superseded ones, and any withdrawn before the summary came back (without content)."""
    live = _resolved_live(request, slug, "versions")
    if isinstance(live, HttpResponse):
        return live  # the current address
    versions = (
        SummaryVersion.objects.filter(
            intervention_id=live.intervention_id,
            published_at__isnull=False,
            state__in=(*PUBLIC_VERSION_STATES, State.WITHDRAWN),
        )
        .select_related("intervention")
        .only(
            "number", "state", "published_at", "withdrawn_at", "change_note", "intervention__slug"
        )
        .order_by("-number")
    )
    items = []
    for version in versions:
        public = version.state in PUBLIC_VERSION_STATES
        api_path = reverse("api:version", kwargs={"slug": slug, "number": version.number})
        items.append(
            {
                "number": version.number,
                "state": _version_state(version),
                "published_at": version.published_at.isoformat(),
                "withdrawn_at": version.withdrawn_at.isoformat() if version.withdrawn_at else None,
                "change_note": version.change_note,
                "url": request.build_absolute_uri(version_url(version)) if public else None,
                "api_url": request.build_absolute_uri(api_path) if public else None,
            }
        )
    return {"slug": slug, "versions": items}


@api.get(
    # <version_number:...> (summaries/converters.py): a number no version can have is no
    # address at all (404), before any query.
    "/summaries/{slug}/versions/{version_number:number}/",
    response={200: schemas.VersionContent, **PROBLEMS},
    url_name="version",
    summary="One published version, as published",
    tags=["versions"],
)
def version_detail(
    request: HttpRequest,
    slug: str,
    number: Annotated[int, Path(ge=1, le=converters.VERSION_NUMBER_MAX)],
) -> Any:
    """The version's content as it was published (the live one or a superseded one).
    410 for a withdrawn version or any version of a withdrawn summary; 404 for a number
    never published."""
    live = _resolved_live(
        request,
        slug,
        "version",
        live=SummaryVersion.objects.live().only("intervention_id"),
        number=number,
    )
    if isinstance(live, HttpResponse):
        return live  # the current address
    stamp = summary_generation(slug, request)[0]
    page = pages.version_page(live.intervention_id, number, stamp, "data")
    if page is None:
        version = published_version(
            live.intervention_id,
            number,
            queryset=SummaryVersion.objects.only("state", "withdrawn_at", "withdrawal_reason"),
        )
        if version is not None and version.state == State.WITHDRAWN:
            raise _withdrawn(version)
        raise ApiProblem(404, f"This summary has no published version {number}.")
    data = pages.page_data(page, request)
    data["state"] = "live" if page.is_live else "superseded"
    data["version_url"] = request.build_absolute_uri(
        reverse("summaries:version", kwargs={"slug": page.slug, "number": page.number})
    )
    return data


# --- Vocabularies and scales -----------------------------------------------------------


def _vocabulary(vocabulary: Vocabulary) -> dict:
    return {
        "key": vocabulary.key,
        "param": vocabulary.param,
        "label": vocabulary.label,
        "terms": [dict(term) for term in terms_with_live_counts(vocabulary.model)],
    }


@api.get(
    "/vocabularies/",
    response=list[schemas.Vocabulary],
    url_name="vocabularies",
    summary="The taxonomy's vocabularies and their terms",
    tags=["vocabularies"],
)
def vocabularies_list(request: HttpRequest) -> Any:
    """Each vocabulary (problems, focuses, approaches, settings, populations) with the
    terms that tag live summaries; a term's slug is a value of the list's facet `param`."""
    return [_vocabulary(vocabulary) for vocabulary in TAXONOMY]


@api.get(
    "/vocabularies/{key}/",
    response={200: schemas.Vocabulary, 404: schemas.Problem},
    url_name="vocabulary",
    summary="One vocabulary and its terms",
    tags=["vocabularies"],
)
def vocabulary_detail(request: HttpRequest, key: str) -> Any:
    """One vocabulary by its key (`problems`, `approaches`, ...)."""
    for vocabulary in TAXONOMY:
        if vocabulary.key == key:
            return _vocabulary(vocabulary)
    raise ApiProblem(404, f"No vocabulary is called {key!r}.")


@api.get(
    "/outcomes/",
    response=list[schemas.OutcomeOut],
    url_name="outcomes",
    summary="The outcomes summaries report on",
    tags=["outcomes"],
)
def outcomes_list(request: HttpRequest) -> Any:
    """Every outcome (e.g. sexual, violent and general reoffending), with its problems and
    how many live summaries report on it; a summary's `outcomes` name them by slug."""
    outcomes = (
        Outcome.objects.annotate(
            live_count=Count(
                "results__version",
                filter=Q(results__version__state=State.PUBLISHED),
                distinct=True,
            )
        )
        .prefetch_related("problems")
        .order_by("position", "name")
    )
    return [
        {
            "slug": outcome.slug,
            "name": outcome.name,
            "description": outcome.description,
            "problems": [{"slug": p.slug, "name": p.name} for p in outcome.problems.all()],
            "live_count": outcome.live_count,
        }
        for outcome in outcomes
    ]


def _scale(scale: Scale) -> dict:
    return {
        "dimension": scale.dimension,
        "name": scale.name,
        "question": scale.question,
        "description": scale.description,
        "levels": [
            {
                "position": level.position,
                "slug": level.slug,
                "label": level.label,
                "meaning": level.description,
                "icon": level.icon,
            }
            for level in scale.levels.all()
        ],
    }


@api.get(
    "/scales/",
    response=list[schemas.ScaleOut],
    url_name="scales",
    summary="The rating scales and their levels",
    tags=["scales"],
)
def scales_list(request: HttpRequest) -> Any:
    """Every rating scale (one per dimension) with its levels in order."""
    return [_scale(scale) for scale in Scale.objects.prefetch_related("levels").order_by("id")]


@api.get(
    "/scales/{dimension}/",
    response={200: schemas.ScaleOut, 404: schemas.Problem},
    url_name="scale",
    summary="One rating scale",
    tags=["scales"],
)
def scale_detail(request: HttpRequest, dimension: str) -> Any:
    """One scale by its dimension (`effect`, `quality`, ...)."""
    scale = Scale.objects.prefetch_related("levels").filter(dimension=dimension).first()
    if scale is None:
        raise ApiProblem(404, f"No scale has the dimension {dimension!r}.")
    return _scale(scale)


# --- The pipeline ----------------------------------------------------------------------


@api.get(
    "/pipeline/",
    response={200: schemas.PipelineOut, 400: schemas.Problem},
    url_name="pipeline",
    summary="What is being assessed, and what was considered and not rated",
    tags=["pipeline"],
)
def pipeline_list(
    request: HttpRequest,
    stage: Annotated[
        list[schemas.PipelineStage] | None, Query(description="Stages (any of them)")
    ] = None,
    q: Annotated[
        str,
        Query(
            description="Words in the title or description (all of them)",
            max_length=pipeline.QUERY_MAX_LENGTH,
        ),
    ] = "",
) -> dict[str, Any]:
    """The entries of `/toolkit/pipeline/`, newest stage change first, with how many
    each stage holds: interventions suggested, being screened or assessed, and those
    considered and not rated, with the reason. An entry whose summary is published
    leaves the list (it is among `/summaries/`)."""
    form = pipeline.PipelineFilterForm({"stage": stage or [], "q": q})
    if not form.is_valid():
        errors = [
            {"parameter": name, "message": str(message)}
            for name, messages in form.errors.items()
            for message in messages
        ]
        names = ", ".join(sorted(form.errors))
        raise ApiProblem(400, f"Bad parameter: {names}.", errors=errors)
    entries = form.entries().order_by("-stage_changed_on", "title", "pk")
    counts = pipeline.stage_counts()
    return {
        "stages": [
            {"stage": value, "label": label, "total": counts[value]}
            for value, label in Stage.choices
        ],
        "results": [pipeline.entry_as_dict(entry) for entry in entries],
    }
