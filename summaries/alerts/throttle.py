"""Counting requests in Django's cache: per client address and per email address."""

import hashlib
import time

from toolkit.guarded_cache import guarded


def allow(scope: str, who: str, *, limit: int, period: int) -> bool:
    """Whether one more request by ``who`` fits ``limit`` per ``period`` seconds.

    Addresses are hashed into the key: the cache holds no readable email address. With
    the cache down nothing can be counted, and the request is allowed: a limit kept only
    in the cache must not turn an outage into refusals (``toolkit.guarded_cache``).
    """
    window = int(time.time() // period)
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    used = guarded().count(f"throttle:{scope}:{period}:{window}:{digest}", timeout=period + 1)
    return used is None or used <= limit
