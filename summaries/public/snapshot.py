"""One snapshot of the database for a page's reads (and the page's build, when it has one)."""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def one_snapshot():
    """Run the block's queries against one snapshot of the database.

    PostgreSQL's default (read committed) gives each query its own snapshot; repeatable
    read gives the whole transaction one. SQLite's read transaction already holds one; it
    begins deferred, not immediate as SQLite's writes do (``toolkit/settings.py``), so
    page renders neither wait for the write lock nor hold it against editors.
    Inside an enclosing transaction (tests, a page building its stored copy) the
    isolation cannot change and need not.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()  # connecting sets transaction_mode from settings
        mode, connection.transaction_mode = connection.transaction_mode, None
        try:
            with transaction.atomic():  # a plain BEGIN: deferred
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
