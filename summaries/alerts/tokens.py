"""The signed links of the follow flow.

A confirmation link carries the whole request (address, what to follow), signed with a
timestamp and valid for ``FOLLOW_CONFIRM_MAX_AGE`` seconds, so nothing about an address
is stored until its owner confirms. It works once: a used link's digest is kept
(``UsedConfirmation``) until it would have expired. An unsubscribe link names one subscription and
never expires: every alert carries one, and it must still work years later.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "summaries.alerts.confirm"
UNSUBSCRIBE_SALT = "summaries.alerts.unsubscribe"


def confirm_token(*, email: str, kind: str, target_id: int) -> str:
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    # A nonce makes every link its own: links asked for in the same second would
    # otherwise be one link, used up by the first (a link works once).
    data = {"e": email, "k": kind, "t": target_id, "n": secrets.token_urlsafe(6)}
    return signer.sign_object(data, compress=True)


def read_confirm_token(token: str) -> dict | None:
    """The request a confirmation link carries, or None if forged, altered or expired."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    try:
        data = signer.unsign_object(token, max_age=settings.FOLLOW_CONFIRM_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not {"e", "k", "t"} <= data.keys():
        return None
    return data


def confirm_token_digest(token: str) -> str:
    """What is kept of a used confirmation link (``UsedConfirmation``): not the address."""
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_token(subscription_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription_id))


def read_unsubscribe_token(token: str) -> int | None:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
