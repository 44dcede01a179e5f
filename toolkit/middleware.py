"""Request plumbing for production: security headers, the 503 page, the client's address."""

import logging

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` proxies the
    entry of X-Forwarded-For the outermost trusted proxy wrote.

    Each proxy appends the address it received the request from, so only the last
    ``TRUSTED_PROXY_COUNT`` entries are trustworthy; anything left of them is whatever
    the client sent, and would let a password guesser pick a fresh address every try.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",")]
    forwarded = [address for address in forwarded if address]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return str(request.META.get("REMOTE_ADDR", ""))


class PermissionsPolicyMiddleware:
    """Turns off browser features no page uses (Django has no setting for this header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with inline styles allowed in two places only.

    The admin: Django's admin templates, ours and the prose editor write ``style``
    attributes and ``<style>`` blocks. The 500 and 503 pages: they carry their own
    ``<style>`` so they render when nothing else works. Neither shows a visitor's input
    unescaped, and scripts stay strict (``'self'`` and the nonce) everywhere.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        in_admin = request.path_info.startswith(f"/{settings.ADMIN_URL}")
        if in_admin or response.status_code >= 500:
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts


class TooManyParametersMiddleware:
    """400 for a query string with more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` parameters.

    Django raises ``TooManyFieldsSent`` wherever ``request.GET`` is first read, and turns
    it into a 400, except with DEBUG on: its debug page reads ``request.GET`` to show it,
    raises again and answers 500. Reading it here, before any view, answers the same 400
    page in both cases; the parameters are then replaced by none, so nothing that renders
    the page trips over them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.GET  # noqa: B018 (parsed here on purpose)
        except TooManyFieldsSent:
            request.GET = QueryDict()
            limit = f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}"
            return render(request, "400.html", {"limit": limit}, status=400)
        return self.get_response(request)


def service_unavailable(request=None):
    """The 503 page, rendered without the database or a request context."""
    html = loader.get_template("503.html").render()
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """503 "try again shortly" in maintenance mode, and when the database is down.

    Maintenance mode (``MAINTENANCE_MODE=1``) answers every request but the health
    check. A database that refuses connections (restarting, failing over) raises
    ``OperationalError`` in the view: the reader gets the 503 page with Retry-After, not
    the 500 apology, and the error is logged. Neither page touches the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MAINTENANCE_MODE and request.path_info != "/healthz":
            return service_unavailable(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("Database unavailable for %s", request.path, exc_info=exception)
            return service_unavailable(request)
        return None
