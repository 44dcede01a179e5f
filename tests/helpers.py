"""Helpers shared by the tests: counting the queries a request makes.

Query counts are asserted as "does not grow with content" (the same count before and
after adding content), not as exact numbers: an exact number breaks on every harmless
change of the ORM's plan, while the property readers rely on is that a page's cost does
not depend on how much it shows.
"""

from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(call) -> int:
    """How many queries ``call()`` makes."""
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def queries_of(call) -> list[str]:
    """The SQL of the queries ``call()`` makes, in order."""
    with CaptureQueriesContext(connection) as queries:
        call()
    return [query["sql"] for query in queries]


def build_pages() -> int:
    """Build every public version's stored page that is missing or stale, as the rebuild
    after a change does outside tests (there its commit runs it; a test's transaction
    never commits). The number built."""
    from summaries.public import pages

    stale = pages.stale_versions()
    pages.materialise(stale)
    return len(stale)


def count_get(test, client, url, data=None, *, status=200, built=True) -> int:
    """How many queries a GET of ``url`` makes; the response must have ``status``. With
    ``built`` (the default) every stored page is built first, so the count is a reader's
    once the rebuild after a change has run; without, it includes building them."""
    if built:
        build_pages()

    def get():
        test.assertEqual(client.get(url, data).status_code, status)

    return count_queries(get)


class HTMLElements(HTMLParser):
    """The tags an HTML reader would find in a piece of text: ``feed()`` it, read ``tags``."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def run_queued_tasks() -> int:
    """Run every task queued in the database that is due, as the worker would, in this
    process and this test's transaction; how many ran. (The worker command itself closes
    the connection between tasks, which a test's transaction cannot survive: the tests
    in tests/test_tasks.py run it as a separate process.)"""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran
