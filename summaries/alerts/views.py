"""The follow pages: ask to follow, confirm, unsubscribe.

None of them says whether an address already follows anything: asking to follow always
answers "check your inbox", whatever the address's state, and unsubscribing always
answers "unsubscribed". Nor does the time they take: asking to follow does the same work
for every address (it counts the address's requests and queues a task); the task, run
by the worker after the response, decides whether to send and sends.

The forms carry no CSRF token, on purpose: the follow form sits on cached public pages
(a token would make every page private), and no request here can do harm on a
visitor's behalf. Asking to follow only sends the address's owner a link they must
click; confirming and unsubscribing need the signed token from the email itself.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from summaries.models import FollowKind, Subscription, UsedConfirmation
from summaries.tasks import enqueue
from toolkit.middleware import client_ip

from . import throttle, tokens
from .targets import Target, target_by_id, target_by_slug
from .tasks import TARGET_FIELD, send_follow_confirmation


class FollowForm(forms.Form):
    email = forms.EmailField(max_length=254)
    kind = forms.ChoiceField(choices=FollowKind.choices)
    slug = forms.SlugField(max_length=120)


def normalise(email: str) -> str:
    """One address, one spelling: the domain is case-insensitive, and in practice so is
    the local part."""
    return email.strip().lower()


@csrf_exempt
@require_POST
@never_cache
def follow(request):
    """Ask to follow a summary, a problem or an approach: emails a confirmation link."""
    form = FollowForm(request.POST)
    if not form.is_valid():
        return render(request, "alerts/follow_invalid.html", {"form": form}, status=400)
    target = target_by_slug(form.cleaned_data["kind"], form.cleaned_data["slug"])
    if target is None:
        return render(request, "alerts/follow_invalid.html", {"form": None}, status=400)
    if not throttle.allow(
        "follow-client", client_ip(request), **settings.FOLLOW_THROTTLE_PER_CLIENT
    ):
        response = render(request, "alerts/throttled.html", status=429)
        response["Retry-After"] = str(settings.FOLLOW_THROTTLE_PER_CLIENT["period"])
        return response
    email = normalise(form.cleaned_data["email"])
    # Over the address's limit, or following already: the task sends nothing, and the
    # page says exactly what it says otherwise, as quickly.
    within_limit = throttle.allow("follow-email", email, **settings.FOLLOW_THROTTLE_PER_ADDRESS)
    enqueue(send_follow_confirmation, email, target.kind, target.id, within_limit)
    return render(request, "alerts/follow_sent.html", {"target": target})


def _link_used(request: HttpRequest, target: Target) -> HttpResponse:
    return render(request, "alerts/link_used.html", {"target": target}, status=410)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def confirm(request, token):
    """The link in the confirmation email: a button (GET), then following (POST).

    Confirming takes a press of the button, not the visit: mail scanners that open
    every link in a message would otherwise confirm for the reader. A link works once:
    used, it says so, even after an unsubscribe (which it must not undo).
    """
    data = tokens.read_confirm_token(token)
    target = None if data is None else target_by_id(data["k"], data["t"])
    if data is None or target is None:
        return render(request, "alerts/link_expired.html", status=400)
    digest = tokens.confirm_token_digest(token)
    if request.method != "POST":
        if UsedConfirmation.objects.filter(digest=digest).exists():
            return _link_used(request, target)
        return render(request, "alerts/confirm.html", {"target": target, "email": data["e"]})
    now = timezone.now()
    with transaction.atomic():
        UsedConfirmation.objects.filter(expires_at__lt=now).delete()
        _, first_use = UsedConfirmation.objects.get_or_create(
            digest=digest,
            defaults={"expires_at": now + timedelta(seconds=settings.FOLLOW_CONFIRM_MAX_AGE)},
        )
        if not first_use:
            return _link_used(request, target)
        Subscription.objects.get_or_create(
            email=data["e"],
            kind=target.kind,
            **{TARGET_FIELD[FollowKind(target.kind)]: target.id},
            defaults={"confirmed_at": timezone.now()},
        )
    return render(request, "alerts/confirmed.html", {"target": target, "email": data["e"]})


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def unsubscribe(request, token):
    """The link in every alert: a button (GET), then deleting the subscription (POST).

    Mail programs that offer "unsubscribe" POST here directly (``List-Unsubscribe-Post``,
    RFC 8058). The answer is the same whether anything was deleted.
    """
    subscription_id = tokens.read_unsubscribe_token(token)
    if subscription_id is None:
        return render(request, "alerts/link_expired.html", status=400)
    if request.method != "POST":
        return render(request, "alerts/unsubscribe.html")
    Subscription.objects.filter(pk=subscription_id).delete()
    return render(request, "alerts/unsubscribed.html")
