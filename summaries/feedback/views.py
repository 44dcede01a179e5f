"""``/toolkit/suggest/``, ``/toolkit/<slug>/report/`` and ``/toolkit/<slug>/challenge/``:
a suggestion of what to assess, a problem with a summary's page (the GOV.UK pattern) and
a challenge to one of its ratings. Each is a form (GET), kept when sent (POST: the admin's
queue, or the challenges' workflow), then a "thank you" page (redirect after POST).

Never cached (a form carries its CSRF token and the time it was served). Bad input of
any kind is named on the form, with status 400; a client over the throttle gets 429 with
``Retry-After``; a filled honeypot gets the "thank you" page and nothing is kept.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from summaries.editorial.challenges import challenge_file
from summaries.editorial.suggestions import problem_report, suggestion_receive
from summaries.models import SummaryVersion
from summaries.public.selectors import SlugState, published_version, resolve_slug
from summaries.public.views import not_live_response
from toolkit.middleware import client_ip

from . import spam
from .forms import ChallengeForm, FeedbackForm, ProblemForm, SuggestionForm, rating_choices


def _throttled(request):
    response = render(request, "feedback/throttled.html", status=429)
    response["Retry-After"] = str(settings.FEEDBACK_THROTTLE_PER_CLIENT["period"])
    return response


def _form_page(request, template: str, form: FeedbackForm, context: dict, *, status=200):
    if form.is_bound:
        # Served again: a fresh start time, so a person who was too quick can just resend.
        form.data = form.data.copy()
        form.data["started"] = spam.started_token()
    return render(request, template, {"form": form, **context}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def suggest(request):
    """Suggest an intervention or a review for the team to assess."""
    if request.method != "POST":
        form = SuggestionForm(initial={"started": spam.started_token()})
        return _form_page(request, "feedback/suggest.html", form, {})
    if not spam.client_allowed(client_ip(request)):
        return _throttled(request)
    form = SuggestionForm(request.POST)
    if form.is_spam():
        return redirect("feedback:suggest_sent")
    if not form.is_valid():
        return _form_page(request, "feedback/suggest.html", form, {}, status=400)
    data = form.cleaned_data
    suggestion_receive(
        subject=data["subject"],
        body=data["body"],
        evidence_url=data["evidence_url"],
        email=data["email"].strip().lower(),
    )
    return redirect("feedback:suggest_sent")


@require_safe
def suggest_sent(request):
    return render(request, "feedback/sent.html", {"kind": "suggestion"})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def report(request, slug):
    """Report a problem with a live summary's page."""
    resolved = resolve_slug(slug)
    if resolved.state != SlugState.LIVE:
        return not_live_response(request, resolved, "feedback:report")
    live = resolved.version
    assert live is not None
    context = {"version": live, "slug": slug}
    if request.method != "POST":
        form = ProblemForm(initial={"started": spam.started_token(), "version": live.number})
        return _form_page(request, "feedback/report.html", form, context)
    if not spam.client_allowed(client_ip(request)):
        return _throttled(request)
    form = ProblemForm(request.POST)
    if form.is_spam():
        return redirect("feedback:report_sent", slug=slug)
    if not form.is_valid():
        return _form_page(request, "feedback/report.html", form, context, status=400)
    data = form.cleaned_data
    # The version the reader had open, if it was ever public; else the live one.
    read = published_version(live.intervention_id, data["version"]) or live
    problem_report(version=read, body=data["body"], email=data["email"].strip().lower())
    return redirect("feedback:report_sent", slug=slug)


@require_safe
def report_sent(request, slug):
    return render(
        request,
        "feedback/sent.html",
        {"kind": "problem", "back_url": reverse("summaries:detail", kwargs={"slug": slug})},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def challenge(request, slug):
    """Challenge a rating or an outcome's rating of a live summary."""
    resolved = resolve_slug(slug, live=SummaryVersion.objects.live().for_page())
    if resolved.state != SlugState.LIVE:
        return not_live_response(request, resolved, "feedback:challenge")
    live = resolved.version
    assert live is not None
    choices = rating_choices(live)
    context = {"version": live, "slug": slug, "target_days": settings.CHALLENGE_TARGET_DAYS}
    if request.method != "POST":
        form = ChallengeForm(initial={"started": spam.started_token()}, choices=choices)
        return _form_page(request, "feedback/challenge.html", form, context)
    if not spam.client_allowed(client_ip(request)):
        return _throttled(request)
    form = ChallengeForm(request.POST, choices=choices)
    if form.is_spam():
        return redirect("feedback:challenge_sent", slug=slug)
    if not form.is_valid():
        return _form_page(request, "feedback/challenge.html", form, context, status=400)
    data = form.cleaned_data
    challenge_file(
        version=live,
        rating=data["rating"],
        rating_label=dict(choices)[data["rating"]],
        reasons=data["reasons"],
        evidence=data["evidence"],
        email=data["email"].strip().lower(),
    )
    return redirect("feedback:challenge_sent", slug=slug)


@require_safe
def challenge_sent(request, slug):
    return render(
        request,
        "feedback/sent.html",
        {
            "kind": "challenge",
            "back_url": reverse("summaries:detail", kwargs={"slug": slug}),
            "target_days": settings.CHALLENGE_TARGET_DAYS,
        },
    )
