"""The review page of a version, and its comments.

``/admin/summaries/summaryversion/<id>/review/`` shows what changed (the diff against the
live version, or against nothing for a summary's first version) part by part, with the
comments on each part beside it, and the reviewer's actions: request changes, publish,
schedule. The actions post to the views in ``actions.py``, which do the work; comments
post to the views here, which call ``editorial/comments.py``; external review links
(make, withdraw) to ``external_reviews.py``.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from summaries import converters  # noqa: F401  (registers <row_id:...>)
from summaries.editorial import checks, comments, diff, rules
from summaries.editorial.errors import NotAllowed, ServiceError
from summaries.models import (
    ANCHOR_CHOICES,
    COMMENT_MAX_LENGTH,
    VERSION_PART,
    ReviewComment,
    SectionKind,
    State,
    SummaryVersion,
    VersionAuthor,
)

from . import content_checks, external_reviews
from .actions import CommentForm, action_buttons

ANCHOR_LABELS = dict(ANCHOR_CHOICES)

# Which part of the diff each anchor sits beside: (group title, field label or None for
# the whole group).
_FIELD_ANCHORS = {
    "Title": "title",
    "Standfirst": "standfirst",
    "Evidence last reviewed": "evidence_reviewed_on",
    "Update status": "update_status",
    "Reason for the status": "update_status",
    "Last search for evidence": "update_status",
    "Reassess by": "update_status",
    "Change note": "change_note",
    **{kind.label: f"section-{kind.value}" for kind in SectionKind},
}
_GROUP_ANCHORS = {
    "Ratings": "ratings",
    "Taxonomy": "taxonomy",
    "Key figures": "key_figures",
    "Evidence base": "reviews",
    "Further reading": "links",
    "Related summaries": "related",
}

# Where each part is on the version form, for links from a comment to the field.
FORM_TARGETS = {
    VERSION_PART: "#content",
    "title": "#id_title",
    "standfirst": "#id_standfirst",
    "taxonomy": "#id_problems",
    "ratings": "#id_effect_rating",
    "evidence_reviewed_on": "#id_evidence_reviewed_on",
    "update_status": "#id_update_status",
    "change_note": "#id_change_note",
    # The section's own form (templates/admin/summaries/summaryversion/section_form.html),
    # in whichever part it is; the form's script shows that part and focuses its editor.
    **{f"section-{kind.value}": f"#section-{kind.value}" for kind in SectionKind},
    "key_figures": "#key_figures-group",
    "reviews": "#reviews-group",
    "links": "#external_links-group",
    "related": "#related_summaries-group",
}


class NewCommentForm(forms.Form):
    anchor = forms.ChoiceField(label="About", choices=ANCHOR_CHOICES)
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=COMMENT_MAX_LENGTH,
    )


class _Empty:
    """Nothing: what a summary's first version is compared against."""

    class _Rows(list):
        def all(self):
            return self

    title = standfirst = change_note = update_status_reason = last_search_text = ""
    evidence_reviewed_on = update_status = reassess_on = None

    def __getattr__(self, name):
        if name.endswith("_rating"):
            return None
        return self._Rows()

    def get_ratings_basis_display(self):
        return ""


def threads(version_ids) -> dict[int, list[ReviewComment]]:
    """``comments.threads``, each thread also told where its part is on the version form."""
    by_version = comments.threads(version_ids)
    for version_threads in by_version.values():
        for comment in version_threads:
            comment.form_target = FORM_TARGETS.get(comment.anchor, "#content")
    return by_version


def review_view(request, object_id, *, model_admin, external_form=None):
    if not rules.may_view(request.user):
        raise PermissionDenied
    try:
        version = SummaryVersion.objects.for_page().get(pk=object_id)
    except (SummaryVersion.DoesNotExist, ValueError) as error:
        raise Http404 from error
    live = SummaryVersion.objects.for_page().filter(
        intervention_id=version.intervention_id, state=State.PUBLISHED
    )
    live_version = live.exclude(pk=version.pk).first()
    groups = diff.compare_versions(live_version or _Empty(), version)  # type: ignore[arg-type]
    version_threads = threads([version.pk]).get(version.pk, [])
    comments.mark_resolvable(request.user, version, version_threads)
    by_anchor: dict[str, list[ReviewComment]] = {}
    for comment in version_threads:
        by_anchor.setdefault(comment.anchor, []).append(comment)
    parts = []
    for group in groups:
        group_anchor = _GROUP_ANCHORS.get(group.title)
        rows = []
        for field in group.fields:
            if field.label == "Change note":
                # Each version has its own note (shown at the top); against the live
                # version's it always read "changed".
                continue
            anchor = _FIELD_ANCHORS.get(field.label)
            if field.status != "same" or by_anchor.get(anchor or ""):
                rows.append(
                    {"field": field, "anchor": anchor, "comments": by_anchor.get(anchor or "", [])}
                )
        parts.append(
            {
                "title": group.title,
                "anchor": group_anchor,
                "rows": rows,
                "comments": by_anchor.get(group_anchor or "", []),
                "unchanged": len(group.fields) - sum(1 for f in group.fields if f.status != "same"),
            }
        )
    authors = VersionAuthor.objects.filter(version=version).select_related("user")
    buttons = action_buttons(request.user, version)
    keys = {button["key"] for button in buttons}
    four_eyes = ""
    if (
        version.state == State.IN_REVIEW
        and request.user.has_perm(rules.PUBLISH)
        and not rules.role_allows(request.user, "publish", version)
    ):
        four_eyes = rules.four_eyes_reason(version, request.user)
    anchor = request.GET.get("anchor", VERSION_PART)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Review: {version.title} (v{version.number})",
        "today": timezone.localdate(),
        "version": version,
        "live_version": live_version,
        # Parts with changes or comments in full; the rest named in one line, so the
        # first change is not below a column of "No changes."
        "parts": [part for part in parts if part["rows"] or part["comments"]],
        "unchanged_parts": [part for part in parts if not (part["rows"] or part["comments"])],
        # The review needs the width: the admin's model list is one click away.
        "is_nav_sidebar_enabled": False,
        "general_comments": by_anchor.get(VERSION_PART, []),
        "open_count": sum(1 for c in version_threads if not c.is_resolved),
        "authors": authors,
        "buttons": [
            b for b in buttons if b["key"] not in {"request-changes", "schedule", "publish"}
        ],
        "can_request_changes": "request-changes" in keys,
        "can_publish": "publish" in keys,
        "can_schedule": "schedule" in keys,
        "request_changes_form": CommentForm(auto_id="id_rc_%s"),
        "comment_form": NewCommentForm(
            initial={"anchor": anchor if anchor in ANCHOR_LABELS else VERSION_PART}
        ),
        "may_comment": comments.may_comment(request.user, version),
        "four_eyes": four_eyes,
        "review_url": reverse("admin:summaries_summaryversion_review", args=[version.pk]),
        # The same findings the editor sees, each linked to its field on the form.
        "content_checks": content_checks.panel(
            version,
            checks.Draft.of_version(version),
            fields=model_admin.parts_of_fields(),
            on_form=False,
        )
        if version.is_open
        else None,
        **external_reviews.context(request.user, version, external_form),
    }
    return TemplateResponse(request, "admin/summaries/summaryversion/review.html", context)


def _back(request, version: SummaryVersion, fragment: str = "", *, anchor: str = ""):
    """Back where the form was posted from; the review page keeps "About" on ``anchor``,
    so a second comment on the same part needs no new choice."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    if not target:
        target = reverse("admin:summaries_summaryversion_review", args=[version.pk])
        if anchor:
            target += f"?anchor={anchor}"
    return redirect(target + fragment)


def comment_add_view(request, object_id, *, model_admin):
    version = get_object_or_404(SummaryVersion, pk=object_id)
    form = NewCommentForm(request.POST)
    if not form.is_valid():
        model_admin.message_user(
            request, "Write the comment and choose what it is about.", messages.ERROR
        )
        return _back(request, version)
    try:
        comment = comments.comment_add(
            version=version,
            user=request.user,
            anchor=form.cleaned_data["anchor"],
            body=form.cleaned_data["body"],
        )
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except ServiceError as error:
        model_admin.message_user(request, str(error), messages.ERROR)
        return _back(request, version)
    model_admin.message_user(
        request, f"Comment added on {comment.get_anchor_display()}.", messages.SUCCESS
    )
    return _back(request, version, f"#comment-{comment.pk}", anchor=comment.anchor)


def comment_reply_view(request, object_id, comment_id, *, model_admin):
    comment = get_object_or_404(ReviewComment, pk=comment_id, version_id=object_id)
    try:
        reply = comments.comment_reply(
            comment=comment, user=request.user, body=request.POST.get("body", "")
        )
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except ServiceError as error:
        model_admin.message_user(request, str(error), messages.ERROR)
        return _back(request, comment.version)
    model_admin.message_user(request, "Reply added.", messages.SUCCESS)
    return _back(request, comment.version, f"#comment-{reply.parent_id}")


def comment_resolve_view(request, object_id, comment_id, *, model_admin):
    comment = get_object_or_404(ReviewComment, pk=comment_id, version_id=object_id)
    try:
        comments.comment_resolve(comment=comment, user=request.user)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except ServiceError as error:
        model_admin.message_user(request, str(error), messages.ERROR)
        return _back(request, comment.version)
    model_admin.message_user(request, "Comment resolved.", messages.SUCCESS)
    return _back(request, comment.version)


def review_urls(model_admin) -> list:
    """The review page's addresses, for ``SummaryVersionAdmin.get_urls``."""
    view = model_admin.admin_site.admin_view
    kwargs = {"model_admin": model_admin}
    return [
        path(
            "<row_id:object_id>/review/",
            view(review_view),
            kwargs,
            name="summaries_summaryversion_review",
        ),
        path(
            "<row_id:object_id>/comments/add/",
            view(require_POST(comment_add_view)),
            kwargs,
            name="summaries_summaryversion_comment_add",
        ),
        path(
            "<row_id:object_id>/comments/<row_id:comment_id>/reply/",
            view(require_POST(comment_reply_view)),
            kwargs,
            name="summaries_summaryversion_comment_reply",
        ),
        path(
            "<row_id:object_id>/comments/<row_id:comment_id>/resolve/",
            view(require_POST(comment_resolve_view)),
            kwargs,
            name="summaries_summaryversion_comment_resolve",
        ),
        *external_reviews.external_review_urls(model_admin, review_view),
    ]
