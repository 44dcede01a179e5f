"""``/review/<token>/``: a draft as the public will see it, for the one person its link
was made for, with a form for their comments.

The page is built on request from the version's rows through the public pages' own
code (``public.views.render_summary``, as the staff preview is) and kept nowhere: no
``PublishedPage``, no page cache, no search index, feed, sitemap or download. Every
answer here, refusals included, is private and never stored (``Cache-Control: private,
no-store``), kept out of search engines (``X-Robots-Tag`` and the page's robots meta)
and sends no address to other sites (``Referrer-Policy: same-origin``, see ``_private``).

A token of no link is the site's 404; an expired or withdrawn link answers 410 naming
who to ask for a new one, never the draft. A version that has left review (published,
superseded, withdrawn, archived) is not shown: the page says what became of it.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from summaries.alerts import throttle
from summaries.editorial import comments, external_reviews
from summaries.editorial.errors import ServiceError
from summaries.models import OPEN_STATES, VERSION_PART, ExternalReview, State, SummaryVersion
from summaries.public.views import render_summary
from toolkit.middleware import client_ip

from .forms import ExternalCommentForm


def _private(response: HttpResponse) -> HttpResponse:
    """Never cached or indexed; no Referer with the token to any other site.

    ``same-origin``, not ``no-referrer``: with ``no-referrer`` browsers send the comment
    form's POST with ``Origin: null`` (Chromium does), which Django's CSRF check rightly
    refuses. ``same-origin`` sends the address only back to this site, which has it."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def _maker(review: ExternalReview) -> str:
    maker = review.made_by
    return (maker.get_full_name() or maker.get_username()) if maker else "the editors"


@require_http_methods(["GET", "HEAD", "POST"])
def preview(request: HttpRequest, token: str) -> HttpResponse:
    review = external_reviews.find(token)
    if review is None:
        return _private(render(request, "404.html", status=404))
    if not review.is_usable:
        external_reviews.external_review_refused(review=review)
        context = {"review": review, "maker": _maker(review)}
        return _private(render(request, "external/gone.html", context, status=410))
    if review.version.state not in OPEN_STATES:
        return _private(_closed(request, review))
    if request.method == "POST":
        return _private(_comment(request, review))
    external_reviews.external_review_opened(review=review)
    form = ExternalCommentForm(initial={"name": review.name, "anchor": VERSION_PART})
    return _private(_page(request, review, form, sent=request.GET.get("sent") == "1"))


def _page(
    request: HttpRequest,
    review: ExternalReview,
    form: ExternalCommentForm,
    *,
    status: int = 200,
    sent: bool = False,
) -> HttpResponse:
    version = SummaryVersion.objects.for_page().get(pk=review.version_id)
    # Its dates as the public would see them if it were published now (not saved).
    version.published_at = timezone.now()
    own = [
        thread
        for thread in comments.threads([version.pk]).get(version.pk, [])
        if thread.external_review_id == review.pk
    ]
    response = render_summary(
        request,
        version,
        template="external/preview.html",
        extra_context={
            "review": review,
            "maker": _maker(review),
            "form": form,
            "own_comments": own,
            "sent": sent,
            # The print footer's "Printed from": paper must not carry the token either.
            "canonical_url": "a draft for review (not published)",
        },
    )
    response.status_code = status
    return response


def _closed(request: HttpRequest, review: ExternalReview) -> HttpResponse:
    """What became of a version no longer in review, and where the summary is now."""
    version = review.version
    live = SummaryVersion.objects.live().filter(intervention_id=version.intervention_id).first()
    context = {
        "review": review,
        "version": version,
        "maker": _maker(review),
        "live": live,
        "published": version.state in (State.PUBLISHED, State.SUPERSEDED),
    }
    return render(request, "external/closed.html", context)


def _throttled(request: HttpRequest) -> HttpResponse:
    response = render(request, "feedback/throttled.html", status=429)
    response["Retry-After"] = str(settings.EXTERNAL_COMMENT_THROTTLE_PER_LINK["period"])
    return response


def _comment(request: HttpRequest, review: ExternalReview) -> HttpResponse:
    """A comment sent from the page: into the version's review thread, then the page
    again (redirect after POST) thanking them."""
    # Per client address, and per link: a leaked link cannot flood the thread from many
    # addresses. With the cache down both let comments through (toolkit.guarded_cache).
    by_client = throttle.allow(
        "external-client", client_ip(request), **settings.EXTERNAL_COMMENT_THROTTLE_PER_CLIENT
    )
    if not by_client or not throttle.allow(
        "external-link", str(review.pk), **settings.EXTERNAL_COMMENT_THROTTLE_PER_LINK
    ):
        return _throttled(request)
    form = ExternalCommentForm(request.POST)
    if not form.is_valid():
        return _page(request, review, form, status=400)
    data = form.cleaned_data
    try:
        comment = external_reviews.external_comment_add(
            review=review, name=data["name"], anchor=data["anchor"], body=data["body"]
        )
    except ServiceError as error:
        form.add_error(None, str(error))
        return _page(request, review, form, status=400)
    return redirect(f"{request.path}?sent=1#comment-{comment.pk}")
