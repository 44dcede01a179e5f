"""What every ``/api/`` request shares: rate limiting, CORS, the cache and ETags, and
errors as problem details.

- **Rate limit** per client address (``toolkit.middleware.client_ip``, which trusts only
  the proxies ``TRUSTED_PROXY_COUNT`` says are ours): at most ``API_RATE_LIMIT`` requests
  ("120/minute") in each fixed window, counted in Django's cache (shared between app
  servers when ``CACHE_URL`` names a shared cache). Over it: 429 with Retry-After, the
  seconds until the window ends. With the cache down the limit cannot count, and lets
  requests through (``toolkit.guarded_cache``).
- **CORS**: the data is public and needs no credentials, so any site's scripts may read
  it (``Access-Control-Allow-Origin: *``); a preflight ``OPTIONS`` is answered here.
- **Cache and ETag**: a GET runs through ``public.cache.public_page``, like the pages, so
  the response is cached under the public content generation and a client revalidating
  with ``If-None-Match`` gets a 304 for one query; a publication changes both at once.
  One summary's detail and its versions' (``SUMMARY_ROUTES``) are keyed as that
  summary's pages are, by its own generation and read outside a transaction: they send
  its stored data, as ``data.json`` does.
- **Errors**: anything under ``/api/`` that would answer an error in HTML (an unknown
  address, a method other than GET) answers a problem document instead.
"""

import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from summaries.public.cache import public_page
from toolkit.guarded_cache import guarded
from toolkit.middleware import client_ip

from .problems import PROBLEM_CONTENT_TYPE, problem_response

API_PREFIX = "/api/"
# The API's reads of one summary's stored data, by view name (their addresses hold its slug).
SUMMARY_ROUTES = {"api:summary", "api:version"}
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """``"120/minute"`` -> (120, 60); ``""`` or ``"0"``: no limit."""
    rate = rate.strip()
    if rate in ("", "0"):
        return None
    count, _, period = rate.partition("/")
    try:
        return int(count), _PERIODS[period.strip()]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"API_RATE_LIMIT must look like 120/minute (second, minute, hour, day), not {rate!r}."
        ) from None


def _rate_limited(request: HttpRequest) -> HttpResponse | None:
    limit = parse_rate(settings.API_RATE_LIMIT)
    if limit is None:
        return None
    allowed, period = limit
    now = time.time()
    window = int(now // period)
    key = f"api-rate:{period}:{window}:{client_ip(request)}"
    used = guarded().count(key, timeout=period + 1)
    if used is None or used <= allowed:  # None: the cache is down, so nothing is counted
        return None
    retry_after = max(1, int((window + 1) * period - now + 0.999))
    response = problem_response(
        request, 429, f"More than {allowed} requests in {period} seconds from one address."
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _add_cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    # Clients may read these beyond the CORS-safelisted ones.
    response["Access-Control-Expose-Headers"] = "ETag, Retry-After, Location"
    return response


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.cached = public_page(get_response)
        self.cached_summary = public_page(
            lambda request, **kwargs: get_response(request), summary=True
        )

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
            response["Allow"] = ALLOWED_METHODS
            return _add_cors(response)
        if limited := _rate_limited(request):
            return _add_cors(limited)
        if request.method in ("GET", "HEAD"):
            response = self._cached(request)
        else:
            response = problem_response(request, 405, "The API is read-only: GET, HEAD or OPTIONS.")
            response["Allow"] = ALLOWED_METHODS
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            (PROBLEM_CONTENT_TYPE, "application/json")
        ):
            replaced = problem_response(
                request,
                response.status_code,
                "No such resource." if response.status_code == 404 else "The request failed.",
            )
            for header in ("Allow", "Retry-After", "Cache-Control"):
                if header in response:
                    replaced[header] = response[header]
            response = replaced
        return _add_cors(response)

    def _cached(self, request: HttpRequest) -> HttpResponse:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        response: HttpResponse
        if match is not None and match.view_name in SUMMARY_ROUTES:
            response = self.cached_summary(request, slug=match.kwargs["slug"])
        else:
            response = self.cached(request)
        return response
