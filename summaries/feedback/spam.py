"""Keeping machines out of the public forms without a CAPTCHA service.

Four checks, each cheap for a person and costly for a script:

- a **honeypot**: a field people never see (hidden by CSS and from screen readers, out
  of the tab order); a form that fills it is answered "thank you" and nothing is kept,
  so a script learns nothing;
- a **minimum fill time**: the form carries the time it was served, signed; one sent
  back sooner than ``FEEDBACK_MIN_FILL_SECONDS`` is refused with a message asking the
  person to check it and send it again (a person reading the form takes longer);
- a **limit on links** in the text (``FEEDBACK_MAX_LINKS``): spam is links;
- the **per-client throttle** (``FEEDBACK_THROTTLE_PER_CLIENT``), counted in Django's
  cache like the follow form's: with the cache down it lets requests through
  (``toolkit.guarded_cache``) rather than refuse everyone.
"""

import re
import time

from django.conf import settings
from django.core import signing

from summaries.alerts import throttle

SALT = "summaries.feedback.started"
LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
# A form kept open longer than this is served again (its token has expired).
TOKEN_MAX_AGE = 24 * 60 * 60


def started_token() -> str:
    """The signed time a form is served at."""
    return signing.dumps(time.time(), salt=SALT)


def seconds_since(token: str) -> float | None:
    """Seconds since the form with ``token`` was served; None if the token is not ours
    or older than a day."""
    try:
        started = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(started, int | float):
        return None
    elapsed = time.time() - started
    return elapsed if elapsed <= TOKEN_MAX_AGE else None


def links_in(*texts: str) -> int:
    return sum(len(LINK.findall(text)) for text in texts)


def client_allowed(client: str) -> bool:
    """Whether one more form from this client address fits the throttle."""
    return throttle.allow("feedback-client", client, **settings.FEEDBACK_THROTTLE_PER_CLIENT)
