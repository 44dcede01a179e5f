"""The public site: home, browse and search, a summary, a rating scale and the
accessibility statement.

Every page reads live versions only (``selectors.py``): drafts, superseded and withdrawn
versions never reach the public. Each page runs a fixed number of queries, whatever the
amount of content. A withdrawn summary's address answers 410 Gone with the reason, so
readers and search engines learn it was taken down on purpose.
"""

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from summaries import search
from summaries.models import Approach, Problem, Scale, State, SummaryVersion
from summaries.models.generation import current_generation, site_generation, summary_generation
from summaries.search.facets import cache_key, search_counts
from summaries.search.filters import SummaryFilter
from summaries.search.forgiving import CountedSearch

from . import citations, pages
from .cache import public_page
from .list_state import SORTS, ListState
from .selectors import Resolved, SlugState, live_term_counts, published_version, resolve_slug

PAGE_SIZE = 20
RECENT_COUNT = 6
RECENT_ORDER = ("-published_at", "title")
# Browsers keep a 301 for as long as they are allowed to; a summary renamed back to an old
# address would then send readers who remember the rename round in a loop. A day bounds it.
MOVED_MAX_AGE = 24 * 60 * 60


@require_safe  # GET and HEAD (link checkers and monitors use HEAD)
@public_page
def home(request):
    """What the toolkit is and how to read it, search, browse by term, recent summaries."""
    live = SummaryVersion.objects.live().order_by(*RECENT_ORDER)
    recent = pages.cards(pages.card_rows(live)[:RECENT_COUNT], site_generation(request))
    problems, approaches = live_term_counts(Problem, Approach)
    return render(
        request,
        "summaries/home.html",
        {"recent": recent, "problems": problems, "approaches": approaches},
    )


class KnownCountPaginator(Paginator):
    """A paginator told the number of results (from the cache) instead of counting."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@require_safe
@public_page
def summary_list(request):
    """Search and browse live summaries: ``q`` (full-text search), the seven facets of
    ``SummaryFilter``, ``sort`` and ``page``; 20 results a page.

    Every state of the page is a plain GET URL. Nothing a reader types breaks it: the query
    is cleaned and parsed by ``search``, unknown facet values are ignored (and named), an
    unknown ``sort`` falls back to the default, and ``page`` follows
    ``Paginator.get_page`` (not a number: the first page; past either end: the last).
    The page costs a fixed number of queries, however many summaries match.
    """
    query = search.clean_query(request.GET.get("q", ""))
    sort = request.GET.get("sort", "")
    if sort not in SORTS or (sort == "relevance" and not query):
        sort = "relevance" if query else "title"

    live = SummaryVersion.objects.live()
    filterset = SummaryFilter(request.GET, queryset=live)
    generation = current_generation(request)
    forgiving = None
    parsed = None
    if query:
        # The query as read (other spellings, compounds, synonyms), and when it finds
        # little, a better spelling: shown as "did you mean", or run in its place.
        forgiving = search.search_counted(
            filterset, query, generation=generation, verbatim=request.GET.get("verbatim") == "1"
        )
        parsed, total, facets = forgiving.reading.query, forgiving.total, forgiving.facets
        if forgiving.corrected_from:
            query = forgiving.reading.typed.text()
    else:
        key = cache_key(filterset, None, generation=generation[0])
        total, facets = search_counts(filterset, None, key=key)
    selected = filterset.selected()
    # The page of results: the same search (ranked when sorted by relevance) and facets.
    ranked = (
        live if parsed is None else search.search_live(live, parsed, ranked=sort == "relevance")
    )
    results = pages.card_rows(filterset.filter_queryset(ranked).order_by(*SORTS[sort][1]))
    page = KnownCountPaginator(results, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    page.object_list = pages.cards(rows, site_generation(request))
    if parsed is not None:
        # Every form searched for is marked (British or American, compounds, synonyms).
        marked = search.snippets(parsed, [row[0] for row in rows])
        for row, card in zip(rows, page.object_list, strict=True):
            card["snippet"] = marked.get(row[0], "")
    state = ListState(query, sort, selected)
    # Browsing one problem or one approach: offer to follow it.
    topics = [(kind, term) for kind in ("problem", "approach") for term in selected[kind]]
    # The evidence map takes the same facets (known terms only; it has no search).
    facets_chosen = urlencode(
        [(name, term.slug) for name, terms in selected.items() for term in terms]
    )
    return render(
        request,
        "summaries/list.html",
        {
            "page_obj": page,
            "query": query,
            "facets": facets,
            "has_facets": any(facet["options"] for facet in facets),
            "chips": state.chips(),
            "clear_url": state.url(facets={}) if state.has_filters else "",
            "sorts": state.sort_links(),
            "sort": sort,
            "hidden_sort": state.explicit_sort,
            "keep_params": state.kept_params(),
            "unknown_values": filterset.unknown_values(),
            "follow_topic": topics[0] if len(topics) == 1 else None,
            "map_url": reverse("summaries:map") + (f"?{facets_chosen}" if facets_chosen else ""),
            **_forgiving_context(forgiving, sort, selected),
        },
    )


def _forgiving_context(forgiving: CountedSearch | None, sort: str, selected: dict) -> dict:
    """What the page tells the reader about how it read the query: "also searched for",
    "did you mean" and "showing results for ... search instead for" (links keep the
    filters and the sort)."""
    if forgiving is None:
        return {}
    context: dict = {"also_searched": forgiving.reading.also}
    if forgiving.suggestion:
        context["suggestion"] = {
            "text": forgiving.suggestion,
            "url": ListState(forgiving.suggestion, sort, selected).url(),
        }
    if forgiving.corrected_from:
        typed_url = ListState(forgiving.corrected_from, sort, selected).url()
        context["corrected_from"] = {
            "text": forgiving.corrected_from,
            "url": f"{typed_url}&verbatim=1",
        }
    return context


@require_safe
@public_page(summary=True)
def summary_detail(request, slug):
    """The live version of one summary; 410 if it was withdrawn, 404 if it never was live.

    A summary's old address (its slug before a rename) redirects to its current one.
    """
    page = pages.live_page(slug, summary_generation(slug, request)[0], "document")
    if page is not None:
        return pages.document_response(page.stored, request)
    return not_live_response(request, resolve_slug(slug), "summaries:detail")


def not_live_response(
    request: HttpRequest, resolved: Resolved, url_name: str, **url_kwargs: Any
) -> HttpResponse:
    """The answer of any summary address whose summary is not live: 410 with the
    withdrawal notice, a 301 to the same view (``url_name``, with ``url_kwargs`` besides
    the slug) of the current address, or 404 (also for a summary that went live since
    its page was looked for: the reader's next request finds it)."""
    if resolved.state == SlugState.WITHDRAWN:
        return withdrawn_response(request, resolved.found)
    if resolved.state == SlugState.MOVED:
        url = reverse(url_name, kwargs={"slug": resolved.slug, **url_kwargs})
        if query := request.META.get("QUERY_STRING"):
            url = f"{url}?{query}"
        response = redirect(url, permanent=True)
        patch_cache_control(response, max_age=MOVED_MAX_AGE)
        return response
    raise Http404


def withdrawn_response(
    request: HttpRequest, version: SummaryVersion, *, current: SummaryVersion | None = None
) -> HttpResponse:
    """410 Gone with the withdrawal notice (its title, date and reason); ``current`` is
    the live version when only this one version was withdrawn."""
    context = {"version": version, "current": current}
    return render(request, "summaries/withdrawn.html", context, status=410)


def render_page(
    request: HttpRequest,
    article: pages.Article,
    *,
    template: str = "summaries/detail.html",
    extra_context: dict | None = None,
) -> HttpResponse:
    """A version's page rendered now, as its stored pages show it (``pages.build``) but
    on the request's origin and day: a staff preview or an external reviewer's."""
    article.body = mark_safe(pages.absolute(article.body, request))  # stored HTML, escaped
    return render(request, template, {"page": article, **(extra_context or {})})


def render_summary(
    request: HttpRequest,
    version: SummaryVersion,
    *,
    template: str = "summaries/detail.html",
    extra_context: dict | None = None,
) -> HttpResponse:
    """Any version (loaded with ``for_page()``) as its page shows it, built now: the staff
    preview."""
    context = {"version": version, **(extra_context or {})}
    return render_page(
        request, pages.preview_page(version), template=template, extra_context=context
    )


def _version_lookup(
    request: HttpRequest, slug: str, number: int, part: pages.Part
) -> tuple[Resolved, pages.Page | None]:
    """(resolved slug, version ``number`` with its stored ``part`` if it is public) for a
    version's addresses; the page is None for a number never public (or withdrawn)."""
    # The live version is only needed for its intervention and number: load little.
    resolved = resolve_slug(
        slug, live=SummaryVersion.objects.live().only("intervention_id", "number", "state")
    )
    page = None
    if resolved.state == SlugState.LIVE and resolved.version is not None:
        stamp = summary_generation(slug, request)[0]
        page = pages.version_page(resolved.version.intervention_id, number, stamp, part)
    return resolved, page


def _not_public_version(request: HttpRequest, resolved: Resolved, number: int) -> HttpResponse:
    """The answer for a number of a live summary that is not a public version: 410 for a
    withdrawn one, else 404."""
    version = published_version(
        resolved.found.intervention_id,
        number,
        queryset=SummaryVersion.objects.only(
            "number", "state", "title", "withdrawn_at", "withdrawal_reason"
        ),
    )
    if version is not None and version.state == State.WITHDRAWN:
        return withdrawn_response(request, version, current=resolved.version)
    raise Http404("No published version with that number.")


@require_safe
@public_page(summary=True)
def version_detail(request, slug, number):
    """One published version at its stable address, as it was published, under a banner
    linking to the current version.

    The live and the superseded versions answer 200 (they were public); a version that
    was withdrawn, and every version of a withdrawn summary, 410 with the notice; a
    number never published (a draft, or none at all) 404. An old slug redirects to the
    same version under the current slug.
    """
    resolved, page = _version_lookup(request, slug, number, "version_document")
    if resolved.state != SlugState.LIVE:
        return not_live_response(request, resolved, "summaries:version", number=number)
    if page is None:
        return _not_public_version(request, resolved, number)
    return pages.document_response(page.stored, request)


@require_safe
@public_page(summary=True)
def version_citation(request, slug, number, fmt):
    """The citation of one public version as a file: ``cite.bib``, ``cite.ris`` or
    ``cite.json`` (CSL-JSON)."""
    if fmt not in citations.FORMATS:
        raise Http404("No such citation format.")
    resolved, page = _version_lookup(request, slug, number, "reference")
    if resolved.state != SlugState.LIVE:
        return not_live_response(
            request, resolved, "summaries:version_citation", number=number, fmt=fmt
        )
    if page is None:
        return _not_public_version(request, resolved, number)
    reference = pages.reference(page.stored, request)
    response = HttpResponse(
        citations.RENDERERS[fmt](reference), content_type=citations.FORMATS[fmt][1]
    )
    response["Content-Disposition"] = f'attachment; filename="{reference.key}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@public_page
def scale_detail(request, dimension):
    """How to read one rating scale: its question and every level in order."""
    scale = get_object_or_404(Scale.objects.prefetch_related("levels"), dimension=dimension)
    scales = Scale.objects.all()
    return render(request, "summaries/scale.html", {"scale": scale, "scales": scales})


# The axe-core release the browser tests run (tests/test_accessibility.py checks that this
# matches the one installed), named in the accessibility statement.
AXE_CORE_VERSION = "4.12"


@require_safe
@public_page
def accessibility(request):
    """The accessibility statement: the standard, how the site was tested, known issues."""
    return render(
        request,
        "accessibility.html",
        {
            "axe_version": AXE_CORE_VERSION,
            "contact_email": settings.TOOLKIT_CONTACT_EMAIL,
            "organisation": settings.TOOLKIT_ORGANISATION,
        },
    )
