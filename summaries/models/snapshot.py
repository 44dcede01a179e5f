"""One snapshot of the database for a page's reads (and the page's build, when it has one)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Run the block's queries against one snapshot of the database, on PostgreSQL.

    PostgreSQL's default (read committed) gives each query its own snapshot; repeatable
    read gives the whole transaction one, so a page rendered during a publication shows
    the old version or the new one, never half of each.

    On SQLite each query stays its own snapshot. Its transactions begin immediate, taking
    the write lock (``toolkit/settings.py``), so a transaction around a page's reads would
    queue every reader behind every editor's save and behind each other; SQLite is the
    one-machine database, and its readers are served from one stored row a page
    (``public/pages.py``), which no publication changes under them.
    Inside an enclosing transaction (tests, a page building its stored copy) the
    isolation cannot change and need not.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
