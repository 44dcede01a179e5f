"""The public site: home, browse and search, a summary, a rating scale, the accessibility
statement, robots.txt and the health check.

Every page reads live versions only (``SummaryVersion.objects.live()``): drafts, superseded
and withdrawn versions never reach the public. Each page runs a fixed number of queries,
whatever the amount of content. A withdrawn summary's address answers 410 Gone with the
reason, so readers and search engines learn it was taken down on purpose.
"""

import logging

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError, InterfaceError, connection
from django.db.models import Case, Count, Q, When
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from . import search
from .cache import public_page
from .filters import SummaryFilter, cache_key, search_counts
from .models import Approach, Problem, Scale, State, SummaryVersion

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
RECENT_COUNT = 6
CHANGE_LOG_LENGTH = 10


def _live_cards():
    """Live versions with what a summary card shows, in one query."""
    return (
        SummaryVersion.objects.live()
        .select_related("intervention", "effect_rating__scale", "quality_rating__scale")
        .defer("search_vector")
    )


def _terms_with_live_counts(model):
    """The vocabulary's terms that tag at least one live summary, each with how many.

    One query per vocabulary: the count is an aggregate over live versions (at most one
    per intervention), not a query per term.
    """
    return (
        model.objects.annotate(
            live_count=Count("summaryversion", filter=Q(summaryversion__state=State.PUBLISHED))
        )
        .filter(live_count__gt=0)
        .order_by("position", "name")
    )


@require_safe  # GET and HEAD (link checkers and monitors use HEAD)
@public_page
def home(request):
    """What the toolkit is and how to read it, search, browse by term, recent summaries."""
    recent = _live_cards().order_by("-published_at", "title")[:RECENT_COUNT]
    return render(
        request,
        "summaries/home.html",
        {
            "recent": recent,
            "problems": _terms_with_live_counts(Problem),
            "approaches": _terms_with_live_counts(Approach),
        },
    )


@require_safe  # GET and HEAD: monitors often probe with HEAD.
def healthz(request):
    """200 "ok" when the database answers a trivial query, 503 otherwise.

    Needs a connection only, no table, so it works before migrations have run.
    """
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, InterfaceError):
        logger.exception("Health check: the database did not answer")
        response = HttpResponse("database unavailable", content_type="text/plain", status=503)
    else:
        response = HttpResponse("ok", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


# The orders a reader may choose; relevance only means something with a query.
# Ties are broken by id, not by slug: the partial indexes on live versions' (title, id)
# and (published_at, id) then give a page without sorting every live summary.
SORTS = {
    "relevance": ("Relevance", ("-rank", "title", "pk")),
    "title": ("Title", ("title", "pk")),
    "updated": ("Last updated", ("-published_at", "-pk")),
}


class KnownCountPaginator(Paginator):
    """A paginator told the number of results (from the cache) instead of counting."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


@require_safe
@public_page
def summary_list(request):
    """Search and browse live summaries: ``q`` (full-text search), the seven facets of
    ``filters.SummaryFilter``, ``sort`` and ``page``; 20 results a page.

    Every state of the page is a plain GET URL. Nothing a reader types breaks it: the query
    is cleaned and parsed by ``search.py``, unknown facet values are ignored (and named),
    an unknown ``sort`` falls back to the default, and ``page`` follows
    ``Paginator.get_page`` (not a number: the first page; past either end: the last).
    The page costs a fixed number of queries, however many summaries match.
    """
    query = search.clean_query(request.GET.get("q", ""))
    sort = request.GET.get("sort", "")
    if sort not in SORTS or (sort == "relevance" and not query):
        sort = "relevance" if query else "title"

    results = _live_cards()
    matching = SummaryVersion.objects.live()
    if query:
        results = search.search_live(results, query)
        matching = search.search_live(matching, query, ranked=False)
    filterset = SummaryFilter(request.GET, queryset=results)
    key = cache_key(filterset, query)
    results = filterset.qs.order_by(*SORTS[sort][1])
    total, facets = search_counts(filterset, matching, key=key)
    page = KnownCountPaginator(results, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    if query:
        marked = search.snippets(query, [version.pk for version in page.object_list])
        for version in page.object_list:
            version.snippet = marked.get(version.pk, "")
    state = _ListState(query, sort, filterset.selected())
    return render(
        request,
        "summaries/list.html",
        {
            "page_obj": page,
            "query": query,
            "facets": facets,
            "has_facets": any(facet.options for facet in facets),
            "chips": state.chips(),
            "clear_url": state.url(facets={}) if state.has_filters else "",
            "sorts": state.sort_links(),
            "sort": sort,
            "hidden_sort": state.explicit_sort,
            "keep_params": state.kept_params(),
            "unknown_values": filterset.unknown_values(),
        },
    )


class _ListState:
    """The page's state as canonical URLs: for the filter chips, "clear all" and sort."""

    def __init__(self, query: str, sort: str, selected: dict[str, list]):
        self.query = query
        self.sort = sort
        self.facets = {name: [t.slug for t in terms] for name, terms in selected.items()}
        self.selected = selected
        self.has_filters = any(self.facets.values())

    @property
    def explicit_sort(self) -> str:
        """The sort when it is not the default one, so URLs stay short."""
        return "" if self.sort == ("relevance" if self.query else "title") else self.sort

    def kept_params(self) -> list[tuple[str, str]]:
        """What a new search from this page keeps: the filters and a chosen sort."""
        kept = [(name, slug) for name, slugs in self.facets.items() for slug in slugs]
        return kept + ([("sort", self.explicit_sort)] if self.explicit_sort else [])

    def url(self, *, facets=None, sort=None) -> str:
        params = QueryDict(mutable=True)
        if self.query:
            params["q"] = self.query
        for name, slugs in (self.facets if facets is None else facets).items():
            params.setlist(name, slugs)
        sort = sort or self.sort
        if sort != ("relevance" if self.query else "title"):
            params["sort"] = sort
        encoded = params.urlencode()
        return f"{reverse('summaries:list')}?{encoded}" if encoded else reverse("summaries:list")

    def chips(self) -> list[dict]:
        """One per chosen term: what it is, and the page without it."""
        chips = []
        for name, terms in self.selected.items():
            for term in terms:
                rest = {**self.facets, name: [s for s in self.facets[name] if s != term.slug]}
                chips.append(
                    {
                        "facet": SummaryFilter.base_filters[name].label,
                        "name": getattr(term, "label", None) or term.name,
                        "remove_url": self.url(facets=rest),
                    }
                )
        return chips

    def sort_links(self) -> list[dict]:
        return [
            {"label": label, "url": self.url(sort=key), "current": key == self.sort}
            for key, (label, _) in SORTS.items()
            if key != "relevance" or self.query
        ]


@require_safe
@public_page
def summary_detail(request, slug):
    """The live version of one summary; 410 if it was withdrawn, 404 if it never was live.

    A summary's old address (its slug before a rename) redirects to its current one.
    """
    version = SummaryVersion.objects.live().for_page().filter(intervention__slug=slug).first()
    if version is None:
        return _withdrawn(request, slug) or _moved(request, slug)
    return render_summary(request, version)


def render_summary(request, version, *, template="summaries/detail.html", extra_context=None):
    """A summary page; also the staff preview of any version, so preview == public page."""
    context = {
        "version": version,
        "related": _live_related(version),
        "change_log": _change_log(version),
        "citation": citation(version, request.build_absolute_uri(version.get_absolute_url())),
        **(extra_context or {}),
    }
    return render(request, template, context)


def _change_log(version: SummaryVersion) -> list[SummaryVersion]:
    """The intervention's published versions, newest first: only what was once public."""
    return list(
        SummaryVersion.objects.filter(
            intervention_id=version.intervention_id, published_at__isnull=False
        )
        .only("number", "state", "published_at", "withdrawn_at", "change_note")
        .order_by("-published_at")[:CHANGE_LOG_LENGTH]
    )


def _withdrawn(request, slug):
    withdrawn = (
        SummaryVersion.objects.filter(intervention__slug=slug, state=State.WITHDRAWN)
        .only("title", "withdrawn_at", "withdrawal_reason")
        .order_by("-withdrawn_at")
        .first()
    )
    if withdrawn is None:
        return None
    return render(request, "summaries/withdrawn.html", {"version": withdrawn}, status=410)


# Browsers keep a 301 for as long as they are allowed to; a summary renamed back to an old
# address would then send readers who remember the rename round in a loop. A day bounds it.
MOVED_MAX_AGE = 24 * 60 * 60


def _moved(request, slug):
    """An old address: 301 to the current one if the summary is live, 410 if withdrawn.

    One query, only on this path. A summary that is not public answers exactly as an
    unknown address would, and a withdrawn one answers 410 here rather than redirecting:
    either way its current address, which may never have been public, stays unknown.
    """
    version = (
        SummaryVersion.objects.filter(
            intervention__slug_redirects__old_slug=slug,
            state__in=(State.PUBLISHED, State.WITHDRAWN),
        )
        .select_related("intervention")
        .only("state", "title", "withdrawn_at", "withdrawal_reason", "intervention__slug")
        .order_by(Case(When(state=State.PUBLISHED, then=0), default=1), "-withdrawn_at")
        .first()
    )
    if version is None:
        raise Http404
    if not version.is_live:
        return render(request, "summaries/withdrawn.html", {"version": version}, status=410)
    url = version.get_absolute_url()
    if query := request.META.get("QUERY_STRING"):
        url = f"{url}?{query}"
    response = redirect(url, permanent=True)
    patch_cache_control(response, max_age=MOVED_MAX_AGE)
    return response


def _live_related(version: SummaryVersion) -> list[SummaryVersion]:
    """The live versions of the version's "see also" summaries, in its order, as cards.

    One query for all targets together; the subquery keeps it to exactly one query even
    when there are none. Targets that are not live now are left out.
    """
    live = {
        card.intervention_id: card
        for card in _live_cards().filter(
            intervention__in=version.related_summaries.values("target")
        )
    }
    return [
        live[related.target_id]
        for related in version.related_summaries.all()
        if related.target_id in live
    ]


def citation(version: SummaryVersion, url: str) -> str:
    """How to cite this version: organisation (year) title. Toolkit, version, date. URL.

    The version and its publication date make the citation point at the text the reader
    saw, even after the summary is updated.
    """
    published = timezone.localtime(version.published_at)
    return (
        f"{settings.TOOLKIT_ORGANISATION} ({published:%Y}) {version.title}. "
        f"{settings.TOOLKIT_NAME}, version {version.number}, "
        f"published {published.day} {published:%B %Y}. Available at: {url}"
    )


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


@require_safe
@public_page
def robots_txt(request):
    """Crawlers may read everything public; the admin is for editors only.

    A moved admin (``ADMIN_URL``) is not named: robots.txt is public, and naming the
    address would undo the point of moving it (the admin's pages say noindex anyway).
    """
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    admin_path = "/admin/" if settings.ADMIN_URL == "admin/" else ""
    return render(
        request,
        "robots.txt",
        {"sitemap_url": sitemap_url, "admin_path": admin_path},
        content_type="text/plain; charset=utf-8",
    )
