"""Counting requests in Django's cache: per client address and per email address."""

import hashlib
import time

from django.core.cache import cache


def allow(scope: str, who: str, *, limit: int, period: int) -> bool:
    """Whether one more request by ``who`` fits ``limit`` per ``period`` seconds.

    Addresses are hashed into the key: the cache holds no readable email address.
    """
    window = int(time.time() // period)
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{period}:{window}:{digest}"
    cache.add(key, 0, period + 1)
    try:
        used = cache.incr(key)
    except ValueError:
        cache.add(key, 1, period + 1)
        used = 1
    return used <= limit
