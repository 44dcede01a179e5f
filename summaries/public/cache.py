"""Public pages from the cache, and conditional GET, without ever serving a stale page.

Every change to what the public sees raises ``PublicContent.generation`` in the same
transaction (``summaries/models/generation.py``: publishing, withdrawing, the admin's edits
of terms, scales and interventions, the synthetic data generator). A public page's cache key
and its ETag both contain the generation (and the release, ``release.py``, which a deploy
changes), so the first request after a change misses the
cache and renders afresh; nothing needs deleting, and app servers that each keep their
own cache stay correct because they all read the number from the database.

A request that hits the cache runs one query (the generation, a primary-key lookup); a
browser revalidating with ``If-None-Match`` or ``If-Modified-Since`` gets a 304 for the
same price. A miss renders the page inside one database snapshot, so a publication
committed mid-render cannot mix two versions on one page.
"""

import hashlib
import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from summaries.models.generation import current_generation, summary_generation
from summaries.models.snapshot import one_snapshot

from .release import release_key

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponseBase]
ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)

# Statuses worth keeping: a page, and the "withdrawn" page. Not 404s: anyone can invent
# addresses, and they would push real pages out of the cache.
CACHEABLE_STATUSES = {200, 410}

_LOOKUP_ATTRIBUTE = "_public_page_lookup"


def _etag(request: HttpRequest, generation: int | str) -> str:
    # The address includes host and scheme (pages hold absolute links); the date, because
    # the printed footer says when the page was printed.
    # The release: a deploy that changes templates, code or static files changes every key
    # and ETag, so no reader is sent the old release's markup (release.py).
    source = f"{generation}|{release_key()}|{timezone.localdate()}|{request.build_absolute_uri()}"
    return '"' + hashlib.blake2b(source.encode(), digest_size=16).hexdigest() + '"'


def _last_modified(changed_at: datetime) -> int | None:
    """Last-Modified for the generation, in whole seconds, once that second is over.

    HTTP dates have no fractions: a copy fetched in the same second as a change (or the
    next, allowing for clocks that differ a little between servers) could be confirmed by
    If-Modified-Since after a second change within that second. Until then the page has
    only its ETag, which has no such blind spot.
    """
    second = int(changed_at.timestamp())
    if timezone.now().timestamp() < second + 2:
        return None
    return second


def _finish(response: ResponseT, etag: str, changed_at: datetime) -> ResponseT:
    response["ETag"] = etag
    if (last_modified := _last_modified(changed_at)) is not None:
        response["Last-Modified"] = http_date(last_modified)
    # Browsers ask again each time (a 304 if nothing changed) unless the operator accepts
    # some staleness with PUBLIC_MAX_AGE. Shared caches (a CDN) may reuse a page for
    # PUBLIC_S_MAXAGE seconds and serve it stale while they revalidate for
    # PUBLIC_STALE_WHILE_REVALIDATE more: the bound on how long a reader behind a CDN can
    # still see a page after a publication or a withdrawal (docs/operations.md).
    if shared := settings.PUBLIC_S_MAXAGE:
        stale = settings.PUBLIC_STALE_WHILE_REVALIDATE
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PUBLIC_MAX_AGE,
            s_maxage=shared,
            **({"stale_while_revalidate": stale} if stale else {}),
        )
    elif settings.PUBLIC_MAX_AGE:
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, public=True, no_cache=True)
    return response


def public_page(view: View | None = None, *, summary: bool = False) -> Any:
    """Serve an anonymous GET (or HEAD) of ``view`` from the cache, with ETag and
    Last-Modified.

    ``@public_page`` keys the page by the generation every change raises: right for
    pages that show many summaries. ``@public_page(summary=True)``, for the pages of the
    summary named by the view's ``slug`` argument, keys it by that summary's own
    generation (``summary_generation``), so a publication of another, unrelated summary
    leaves it in the cache.

    Requests that carry a session (signed-in staff) bypass the cache: the pages do not
    differ for them today, but a page that some day does must not leak into the cache.
    """
    if view is None:
        return lambda view: _public_page(view, summary=summary)
    return _public_page(view, summary=summary)


@dataclass
class _Lookup:
    """What the cache holds for one anonymous request: the page's ETag and the time of
    the last change, and the answer if there is one already (a 304 or the cached page)."""

    etag: str
    changed_at: datetime
    answer: HttpResponse | None
    cache_works: bool


def _lookup(request: HttpRequest, kwargs: dict[str, Any], *, summary: bool) -> _Lookup:
    """The generation (one query), then a 304 or the cached page. Made once per request:
    when the page cache middleware looked and missed, the view does not look again."""
    remembered: _Lookup | None = getattr(request, _LOOKUP_ATTRIBUTE, None)
    if remembered is not None:
        return remembered
    generation: int | str
    if summary:
        generation, changed_at = summary_generation(kwargs["slug"], request)
    else:
        generation, changed_at = current_generation(request)
    etag = _etag(request, generation)
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=_last_modified(changed_at)
    )
    if not_modified is not None:
        return _Lookup(etag, changed_at, _finish(not_modified, etag, changed_at), True)
    try:
        cached = cache.get(f"page:{etag}")
    except Exception:
        # The cache server is down or slow (Redis stopped, a timeout): serve the page
        # rendered afresh rather than an error; it is as correct, only slower.
        logger.warning("Cache unavailable: %s rendered without it", request.path, exc_info=True)
        found = _Lookup(etag, changed_at, None, False)
    else:
        answer = None
        if cached is not None:
            status, headers, content = cached
            answer = _finish(
                HttpResponse(content, status=status, headers=headers), etag, changed_at
            )
        found = _Lookup(etag, changed_at, answer, True)
    setattr(request, _LOOKUP_ATTRIBUTE, found)
    return found


def _anonymous_read(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _public_page(view: View, *, summary: bool) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _anonymous_read(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response

        found = _lookup(request, kwargs, summary=summary)
        if found.answer is not None:
            return found.answer
        etag, changed_at, cache_works = found.etag, found.changed_at, found.cache_works

        # The snapshot starts after the generation was read, so the page is at least as
        # new as its key says: a publication in between files the new page under the old
        # key, which only requests already in flight can still ask for. One summary's
        # pages read one stored row (built in a snapshot of its own when it is missing or
        # stale, ``pages.build``): a transaction around that one read would only add three
        # round trips to the database.
        with nullcontext() if summary else one_snapshot():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # a TemplateResponse (the sitemap) renders in the snapshot
        if (
            cache_works
            # A streamed response has no content to keep.
            and isinstance(response, HttpResponse)
            and response.status_code in CACHEABLE_STATUSES
            and not response.cookies
        ):
            headers = {k: v for k, v in response.headers.items() if k != "Last-Modified"}
            try:
                cache.set(
                    f"page:{etag}",
                    (response.status_code, headers, response.content),
                    settings.PAGE_CACHE_SECONDS,
                )
            except Exception:
                logger.warning("Cache unavailable: %s not kept", request.path, exc_info=True)
        return _finish(response, etag, changed_at)

    wrapped.public_page = {"summary": summary}  # type: ignore[attr-defined]
    return wrapped


class PageCacheMiddleware:
    """Answers an anonymous request for a public page from the cache (or with a 304)
    before the rest of the middleware runs, as whitenoise answers for static files.

    Sessions, CSRF, messages, authentication and the sign-in throttles have nothing to do
    for a cache hit, yet cost a fifth of its time; this runs right after the security
    headers and the maintenance switch, resolves the address, and for a view wrapped in
    ``@public_page`` makes the same lookup the decorator makes (the decorator then does
    not make it again). Everything else, and every miss, goes on down the stack. A hit
    carries the headers the full stack would give it (``Content-Length`` is the only one
    added after this point: ``CommonMiddleware``'s).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        answer = self._hit(request) if _anonymous_read(request) else None
        return answer if answer is not None else self.get_response(request)

    def _hit(self, request: HttpRequest) -> HttpResponseBase | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        options = getattr(match.func, "public_page", None)
        if options is None:
            return None
        try:
            found = _lookup(request, match.kwargs, summary=options["summary"])
        except DatabaseError:
            return None  # the view meets it again and answers 503 (ServiceUnavailableMiddleware)
        answer = found.answer
        if answer is not None and not answer.has_header("Content-Length"):
            answer["Content-Length"] = str(len(answer.content))
        return answer
