"""The content checks on the version form and the review page, and the endpoint that runs
them on the form's unsaved fields while an editor types (``static/js/content_checks.js``).

The checks themselves are in ``summaries/editorial/checks/``; here they are placed: each
finding gets its part of the form and the id of its field (``parts.locate_findings``), so
its link opens that part and focuses the field, as the error summary's links do.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from summaries import converters  # noqa: F401  (registers <row_id:...>)
from summaries.editorial import checks, rules
from summaries.editorial.checks import links
from summaries.models import SummaryVersion, SystematicReview

from . import parts


def _summary(views) -> str:
    """The findings counted, in words (the panel's status line)."""
    if not views:
        return "No findings: every check passes."
    required = sum(1 for view in views if view.finding.required)
    warnings = len(views) - required
    counted = []
    if required:
        counted.append(f"{required} required for submission")
    if warnings:
        counted.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{len(views)} finding{'s' if len(views) != 1 else ''}: {', '.join(counted)}."


def panel(version: SummaryVersion, draft: checks.Draft, *, fields: dict, on_form: bool) -> dict:
    """The panel's context: the findings placed on the form, with links to their fields
    (on the form itself, or from the review page to the form)."""
    views = parts.locate_findings(
        checks.run(draft),
        fields=fields,
        checkbox_reviews=bool(draft.reviews)
        or SystematicReview.objects.filter(version=version).exists(),
    )
    form_url = (
        "" if on_form else reverse("admin:summaries_summaryversion_change", args=[version.pk])
    )
    items = []
    for view in views:
        # A closed version's form is read-only: its fields have no ids, its parts do.
        target = view.target if version.is_editable else f"part-{view.part}"
        # The part is named unless the field's label says it ("Section “Effect – ...”").
        show_part = view.part_title.lower() not in view.finding.place.label.lower()
        items.append({"view": view, "href": f"{form_url}#{target}", "show_part": show_part})
    return {
        "items": items,
        "summary": _summary(views),
        # On the form the list is opened when needed; on the review page it is the point.
        "open": not on_form or any(view.finding.required for view in views),
        "links_checked_at": links.last_checked(draft),
        "has_links": bool(draft.urls()),
        "checks_url": reverse("admin:summaries_summaryversion_checks", args=[version.pk])
        if on_form and version.is_editable
        else "",
    }


def as_json(item: dict) -> dict:
    view = item["view"]
    finding = view.finding
    return {
        "severity": finding.severity,
        "severity_label": finding.severity_label,
        "part": view.part,
        "part_title": view.part_title,
        "field": finding.place.label,
        "show_part": item["show_part"],
        "href": item["href"],
        "message": finding.message,
        "excerpt": finding.excerpt,
    }


def checks_view(request, object_id, *, model_admin):
    """The checks on the form's fields as posted, unsaved: JSON for the panel."""
    if not rules.may_view(request.user):
        raise PermissionDenied
    length = request.headers.get("content-length") or "0"
    if not length.isdigit() or int(length) > settings.CONTENT_CHECKS_MAX_BYTES:
        return JsonResponse({"error": "The form is too large to check."}, status=400)
    version = SummaryVersion.objects.filter(pk=object_id).first()
    if version is None:
        raise Http404
    try:
        draft = checks.Draft.of_form_data(version, request.POST)
    except checks.BadFormData:
        return JsonResponse({"error": "Not the version form's fields."}, status=400)
    context = panel(version, draft, fields=model_admin.parts_of_fields(), on_form=True)
    return JsonResponse(
        {"summary": context["summary"], "findings": [as_json(item) for item in context["items"]]}
    )


def checks_urls(model_admin) -> list:
    return [
        path(
            "<row_id:object_id>/checks/",
            model_admin.admin_site.admin_view(require_POST(checks_view)),
            {"model_admin": model_admin},
            name="summaries_summaryversion_checks",
        )
    ]
