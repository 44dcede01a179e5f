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
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_safe

from .cache import public_page
from .models import Approach, Problem, Scale, State, SummaryVersion

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
RECENT_COUNT = 6
CHANGE_LOG_LENGTH = 10
# Longer queries are cut, not refused: nobody types more, and the database is spared.
MAX_QUERY_LENGTH = 200


def _live_cards():
    """Live versions with what a summary card shows, in one query."""
    return SummaryVersion.objects.live().select_related(
        "intervention", "effect_rating__scale", "quality_rating__scale"
    )


def _search_query(request) -> str:
    # PostgreSQL refuses NUL characters in strings: drop them rather than fail with a 500.
    return request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


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


@require_GET
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


# GET parameter -> (vocabulary, version field) of the simple browse filters.
BROWSE_FILTERS = {"problem": (Problem, "problems"), "approach": (Approach, "approaches")}


@require_GET
@public_page
def summary_list(request):
    """Live summaries by title, 20 a page, optionally filtered by ``q``, ``problem`` and
    ``approach``.

    ``q`` is a simple case-insensitive match on title and standfirst until real search
    arrives. ``problem`` and ``approach`` take a term's slug (the home page's browse
    links); an unknown slug is ignored rather than showing nothing. ``?page=`` follows
    ``Paginator.get_page``: anything that is not a number shows the first page, and a
    number past either end shows the last page, never an error.
    """
    query = _search_query(request)
    versions = _live_cards().order_by("title", "intervention__slug")
    if query:
        versions = versions.filter(Q(title__icontains=query) | Q(standfirst__icontains=query))
    active_terms = []
    for parameter, (model, field) in BROWSE_FILTERS.items():
        slug = request.GET.get(parameter, "")[:120]
        term = model.objects.filter(slug=slug).first() if slug else None
        if term is not None:
            versions = versions.filter(**{field: term})
            active_terms.append(term)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "summaries/list.html",
        {"page_obj": page, "query": query, "active_terms": active_terms},
    )


@require_GET
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


@require_GET
@public_page
def scale_detail(request, dimension):
    """How to read one rating scale: its question and every level in order."""
    scale = get_object_or_404(Scale.objects.prefetch_related("levels"), dimension=dimension)
    scales = Scale.objects.all()
    return render(request, "summaries/scale.html", {"scale": scale, "scales": scales})


# The axe-core release the browser tests run (tests/test_accessibility.py checks that this
# matches the one installed), named in the accessibility statement.
AXE_CORE_VERSION = "4.12"


@require_GET
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


@require_GET
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
