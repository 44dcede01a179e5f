"""The public content generation: one number that moves with every change the public sees.

Cached pages, their ETags and cached search counts are all keyed by it, so nothing cached
before a change is served after it, on any app server (the number lives in the database,
not in a cache). Two rules keep it cheap:

- **Raised once per transaction.** ``public_content_changed()`` is called by whatever
  changes public content (a publication, a withdrawal, an edit of a term or a scale), in
  the changing transaction. Calls after the first in one transaction do nothing: they
  would only take the row lock again and spend a number.
- **Read once per request.** ``current_generation(request)`` remembers the value on the
  request, so the page cache and the search counts of one request share one query.
"""

from datetime import UTC, datetime

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from .infrastructure import PublicContent

NEVER = datetime(2000, 1, 1, tzinfo=UTC)
_REQUEST_ATTRIBUTE = "_public_content_generation"


def _raised_in_this_transaction() -> None:
    """Marks, among the transaction's commit callbacks, that the generation was raised.

    Django drops a callback when the savepoint it was registered in rolls back (and all of
    them when the transaction does), so the mark lasts exactly as long as the raise does.
    """


def public_content_changed() -> None:
    """Record that what the public sees changed; call it inside the changing transaction.

    The row lock this takes holds back a second change until the first commits, so each
    committed change has a number of its own and readers never see one without the other.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        open_savepoints = set(connection.savepoint_ids)
        # A mark registered under savepoints that are all still open belongs to this
        # transaction (under a test's wrapping transaction, a finished service's
        # savepoint has been released, so its mark no longer counts).
        for savepoints, callback, _robust in connection.run_on_commit:
            if callback is _raised_in_this_transaction and savepoints <= open_savepoints:
                return
        transaction.on_commit(_raised_in_this_transaction)
    now = timezone.now()
    if not PublicContent.objects.filter(pk=1).update(
        generation=F("generation") + 1, changed_at=now
    ):
        # Migration 0009 creates the row; a database flushed since (tests) has none.
        PublicContent.objects.get_or_create(pk=1, defaults={"changed_at": now})


def current_generation(request: HttpRequest | None = None) -> tuple[int, datetime]:
    """The generation and when it last changed: one primary-key lookup, made once per
    ``request`` when one is given."""
    if request is not None and hasattr(request, _REQUEST_ATTRIBUTE):
        remembered: tuple[int, datetime] = getattr(request, _REQUEST_ATTRIBUTE)
        return remembered
    row = PublicContent.objects.filter(pk=1).values_list("generation", "changed_at").first()
    value: tuple[int, datetime] = row or (0, NEVER)
    if request is not None:
        setattr(request, _REQUEST_ATTRIBUTE, value)
    return value
