"""Django's cache for things a request can do without: every cache call outside the
page cache goes through here, and none of them can fail a request.

The sign-in cap (``toolkit/signin.py``), the API's rate limit, the follow form's limits,
the editors' presence notes and the facet counts keep small values in the cache. When
the cache server is stopped, unreachable or hung (Redis's socket timeout, 0.5 s, runs
out), a read here returns nothing, a write is dropped and a count is unknown (None), so:

- a limit that lives only in the cache lets the request through (django-axes still
  counts wrong passwords in the database, so sign-in stays guarded);
- presence shows no one else, facet counts are computed afresh.

After a failure the cache is not asked again for ``CACHE_DOWN_RETRY_SECONDS`` (5) in this
process: a hung server costs one request one timeout, not every call of every request.
The first failure of each outage is logged as a warning.

The page cache (``summaries/public/cache.py``) guards its own calls: a page's cache hit
must be answered before anything else runs.
"""

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

# (alias, backend, location) -> the monotonic time until which that cache is not asked.
_down_until: dict[tuple[str, str, str], float] = {}


@receiver(setting_changed, dispatch_uid="toolkit.guarded_cache.reset")
def _forget_outages(*, setting: str, **kwargs: Any) -> None:
    if setting == "CACHES":
        _down_until.clear()


class GuardedCache:
    """One of ``CACHES``, through calls that never raise."""

    def __init__(self, alias: str = "default"):
        self.alias = alias

    def _identity(self) -> tuple[str, str, str]:
        config = settings.CACHES[self.alias]
        return (self.alias, str(config.get("BACKEND", "")), str(config.get("LOCATION", "")))

    def available(self) -> bool:
        """False while a recent failure says the cache is down (then calls skip it)."""
        return _down_until.get(self._identity(), 0.0) <= time.monotonic()

    def _failed(self, what: str, error: Exception) -> None:
        identity = self._identity()
        if identity not in _down_until or _down_until[identity] <= time.monotonic():
            logger.warning(
                "Cache unavailable (%s, %s): %s; not asked again for %s s",
                self.alias,
                what,
                error,
                settings.CACHE_DOWN_RETRY_SECONDS,
            )
        _down_until[identity] = time.monotonic() + settings.CACHE_DOWN_RETRY_SECONDS

    def _recovered(self) -> None:
        _down_until.pop(self._identity(), None)

    def get(self, key: str, default: Any = None) -> Any:
        if not self.available():
            return default
        try:
            value = caches[self.alias].get(key, default)
        except Exception as error:  # any failure of the cache server or its client
            self._failed("get", error)
            return default
        self._recovered()
        return value

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        if not self.available():
            return {}
        try:
            found = caches[self.alias].get_many(keys)
        except Exception as error:
            self._failed("get_many", error)
            return {}
        self._recovered()
        return found

    def set(self, key: str, value: Any, timeout: float | None) -> bool:
        """Keep ``value``; False if the cache could not be reached."""
        if not self.available():
            return False
        try:
            caches[self.alias].set(key, value, timeout)
        except Exception as error:
            self._failed("set", error)
            return False
        self._recovered()
        return True

    def count(self, key: str, *, timeout: float) -> int | None:
        """Add one to the counter ``key`` (created for ``timeout`` seconds) and return it,
        atomically across processes with a shared cache; None if the cache is down."""
        if not self.available():
            return None
        cache = caches[self.alias]
        try:
            cache.add(key, 0, timeout)
            try:
                used = int(cache.incr(key))
            except ValueError:  # expired or evicted between add and incr
                cache.add(key, 1, timeout)
                used = 1
        except Exception as error:
            self._failed("count", error)
            return None
        self._recovered()
        return used


def guarded(alias: str = "default") -> GuardedCache:
    return GuardedCache(alias)
