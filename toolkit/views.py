"""Project-level views: the health check, robots.txt, the admin's refusal page and the
answer to a request for a host name the site does not serve."""

import logging

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, InterfaceError, connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_safe

from summaries.public.cache import public_page

logger = logging.getLogger(__name__)


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


def permission_denied(request, exception=None):
    """403. In the admin, for signed-in staff, a page in the admin's style that says
    what was refused, what it needs, who can do it, and leads back; elsewhere Django's.

    The admin's own refusals (``summaries.admin.common.ActionRefused``) carry those
    details; any other (Django's admin refusing a page by permission) says the role
    does not allow it and names the user's groups.
    """
    user = getattr(request, "user", None)
    in_admin = request.path.startswith(f"/{settings.ADMIN_URL}")
    if not (in_admin and user is not None and user.is_active and user.is_staff):
        return defaults.permission_denied(request, exception)
    groups = ", ".join(user.groups.values_list("name", flat=True)) or "no group"
    back_url = getattr(exception, "back_url", "")
    back_label = getattr(exception, "back_label", "")
    if not back_url:
        referer = request.headers.get("referer", "")
        safe = url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        back_url = referer if safe and referer else reverse("admin:index")
        back_label = "Back to the page you came from" if safe and referer else "Admin home"
    reason = str(exception or "") or "Your role does not include this page or action."
    context = {
        **admin.site.each_context(request),
        "title": getattr(exception, "title", "You can’t do this"),
        "reason": reason,
        "needs": getattr(exception, "needs", ""),
        "who": getattr(
            exception, "who", "An administrator can give your account the role it needs."
        ),
        "groups": groups,
        "back_url": back_url,
        "back_label": back_label,
    }
    return TemplateResponse(request, "admin/403.html", context, status=403)


def bad_request(request, exception=None):
    """400. A request for a host name not in ALLOWED_HOSTS gets a plain answer: the page
    in the site's style makes absolute links from the host name, which would fail again
    (and turn the 400 into a 500). Any other bad request gets that page."""
    try:
        request.get_host()
    except DisallowedHost:
        return HttpResponseBadRequest(
            "Bad request: this server does not serve that host name.\n",
            content_type="text/plain; charset=utf-8",
        )
    return defaults.bad_request(request, exception)
