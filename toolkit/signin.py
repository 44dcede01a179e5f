"""A cap on wrong passwords for one username over every address, on top of django-axes.

django-axes pauses one username *from one address* after ``AXES_FAILURE_LIMIT`` wrong
passwords. A guesser with many addresses would get that many guesses from each. Here,
once a username has had ``SIGNIN_USERNAME_FAILURE_LIMIT`` wrong passwords within the last
``SIGNIN_USERNAME_WINDOW_MINUTES`` from any addresses, every further try for it is refused
(429, "try again in N minutes") without checking the password, until enough of those
failures are older than the window. Nobody is locked out for good: the pause ends by
itself, refused tries are not counted (so they do not prolong it), and other usernames
are unaffected.

The counts are a sliding window of one-minute buckets in the ``signin`` cache, each
bucket a counter raised with the cache's atomic ``incr``: with a shared cache (Redis)
every process counts together. Only usernames that exist are counted, so
guesses at invented names cannot fill the cache and push real counts out. With the cache
down the cap counts nothing and refuses nobody (``toolkit.guarded_cache``); django-axes
still counts wrong passwords per username and address, in the database.
"""

import hashlib
import math
import time

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.template.response import TemplateResponse

from toolkit.guarded_cache import GuardedCache, guarded

BUCKET_SECONDS = 60


def now() -> float:
    return time.time()


def _cache() -> GuardedCache:
    return guarded("signin")


def _key(username: str, bucket: int) -> str:
    digest = hashlib.blake2b(username.strip().casefold().encode(), digest_size=16).hexdigest()
    return f"signin-failures:{digest}:{bucket}"


def _window(at: float) -> range:
    current = int(at // BUCKET_SECONDS)
    return range(current - settings.SIGNIN_USERNAME_WINDOW_MINUTES + 1, current + 1)


def record_failure(username: str) -> None:
    """Count one wrong password for ``username`` (from whatever address)."""
    bucket = int(now() // BUCKET_SECONDS)
    key = _key(username, bucket)
    # Kept a minute longer than the window, so a bucket never expires while still in it.
    timeout = (settings.SIGNIN_USERNAME_WINDOW_MINUTES + 1) * BUCKET_SECONDS
    _cache().count(key, timeout=timeout)


def seconds_until_allowed(username: str) -> int | None:
    """None if ``username`` may try to sign in now; else how many seconds until it may."""
    at = now()
    window = _window(at)
    found = _cache().get_many([_key(username, bucket) for bucket in window])
    counts = {bucket: found.get(_key(username, bucket), 0) for bucket in window}
    total = sum(counts.values())
    limit = settings.SIGNIN_USERNAME_FAILURE_LIMIT
    if total < limit:
        return None
    for bucket in window:  # oldest first: they leave the window first
        total -= counts[bucket]
        if total < limit:
            leaves_at = (bucket + settings.SIGNIN_USERNAME_WINDOW_MINUTES) * BUCKET_SECONDS
            return max(1, math.ceil(leaves_at - at))
    raise AssertionError("unreachable: the sum of the buckets is the total")


class UsernameThrottleBackend:
    """An authentication backend that authenticates nobody: listed before the one that
    checks passwords, it refuses a paused username before its password is looked at."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return None
        wait = seconds_until_allowed(username)
        if wait is None:
            return None
        if request is not None:
            request.signin_paused_seconds = wait
        # Stops Django trying the other backends; it then sends user_login_failed.
        raise PermissionDenied

    # No get_user: it signs nobody in, so no session names it (and force_login, which
    # takes the first backend with get_user, must not pick it).


@receiver(user_login_failed, dispatch_uid="toolkit.signin.count_failure")
def count_failure(sender, credentials, request=None, **kwargs):
    """Count a wrong password; not a try refused unchecked (by this cap or by axes)."""
    if request is not None and (
        getattr(request, "signin_paused_seconds", None) is not None
        or getattr(request, "axes_locked_out", False)
    ):
        return
    username = credentials.get(get_user_model().USERNAME_FIELD)
    if not username:
        return
    if (
        get_user_model()
        ._default_manager.filter(**{get_user_model().USERNAME_FIELD: username})
        .exists()
    ):
        record_failure(username)


class UsernameThrottleMiddleware:
    """Turns a sign-in refused by the cap into the "try again in N minutes" page (429)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        wait = getattr(request, "signin_paused_seconds", None)
        if wait is None:
            return response
        minutes = math.ceil(wait / 60)
        paused = TemplateResponse(
            request,
            "admin/username_paused.html",
            {
                **admin.site.each_context(request),
                "minutes": minutes,
                "failure_limit": settings.SIGNIN_USERNAME_FAILURE_LIMIT,
                "window_minutes": settings.SIGNIN_USERNAME_WINDOW_MINUTES,
            },
            status=429,
        )
        paused["Retry-After"] = str(wait)
        return paused.render()
