"""Project-level views: the health check and robots.txt."""

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
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
