"""Two staff acting on one version at the same moment, for real.

Each person is a thread with its own test client and so its own database connection;
both load their page first, then a barrier releases their POSTs together. The scenarios
return plain data (status codes, pages, what was saved), so they can run in this process
(PostgreSQL, inside a TransactionTestCase) or in a fresh interpreter against a SQLite
file (``python -m tests.concurrency FILE`` prints them as JSON): the test database
SQLite gets under pytest lives in memory, shared by every connection of the process, and
does not lock the way a file does.
"""

import json
import os
import sys
import threading

from django.db import connection
from django.test import Client
from django.urls import reverse

ROUNDS = 3


def race(*people):
    """Run each person's ``prepare()`` (loading pages) in its own thread, then release
    the actions it returns all at once; their results, in order."""
    barrier = threading.Barrier(len(people))
    results: list = [None] * len(people)
    errors: list = []

    def run(index, prepare):
        try:
            act = prepare()
            barrier.wait(timeout=60)
            results[index] = act()
        except BaseException as error:  # reported to the test below
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def _page(response) -> dict:
    return {"status": response.status_code, "body": response.content.decode()}


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def two_saves() -> list[dict]:
    """Two editors save the same draft at the same moment, ``ROUNDS`` times (a new draft
    each time): per round, both pages and the title saved."""
    from summaries.models import SummaryVersion
    from tests.factories import make_complete_draft, make_user
    from tests.test_admin import form_data

    alice, bob = make_user(superuser=True), make_user(superuser=True)
    rounds = []
    for _ in range(ROUNDS):
        draft = make_complete_draft()
        url = reverse("admin:summaries_summaryversion_change", args=[draft.pk])

        def editor(user, name, url=url):
            def prepare():
                client = _client(user)
                data = form_data(client.get(url), "summaryversion_form")
                data.update(title=[f"{name}'s title"], standfirst=[f"{name} typed this."])
                data["_save"] = ["Save"]
                return lambda: _page(client.post(url, data))

            return prepare

        pages = race(editor(alice, "Alice"), editor(bob, "Bob"))
        saved = SummaryVersion.objects.get(pk=draft.pk)
        rounds.append({"pages": pages, "saved_title": saved.title})
    return rounds


def two_publishes() -> list[dict]:
    """Two reviewers publish the same version at the same moment, ``ROUNDS`` times: per
    round, both pages (the redirect followed, to show the message) and the state."""
    from summaries.models import SummaryVersion
    from tests.factories import make_complete_draft, make_user, send_to_review

    submitter = make_user(superuser=True)
    first, second = make_user(superuser=True), make_user(superuser=True)
    rounds = []
    for _ in range(ROUNDS):
        version = send_to_review(make_complete_draft(), user=submitter)
        url = reverse("admin:summaries_summaryversion_publish", args=[version.pk])

        def reviewer(user, url=url):
            def prepare():
                client = _client(user)
                client.get(url)
                return lambda: _page(client.post(url, follow=True))

            return prepare

        pages = race(reviewer(first), reviewer(second))
        saved = SummaryVersion.objects.get(pk=version.pk)
        published = saved.intervention.versions.filter(state="published").count()
        rounds.append({"pages": pages, "state": saved.state, "published": published})
    return rounds


def read_during_write() -> dict:
    """A reader opens a public page while an editor's save holds the write lock: the
    page's status, and whether the lock was still held when the page came back."""
    from django.db import transaction

    from summaries.models import SummaryVersion
    from tests.factories import make_draft, make_live

    make_live(title="Already live")
    draft = make_draft()
    writing, read = threading.Event(), threading.Event()
    outcome: dict = {}

    def editor():
        try:
            with transaction.atomic():
                SummaryVersion.objects.filter(pk=draft.pk).update(title="Being saved")
                writing.set()
                # Holds the lock until the reader is done (or for 30 s, failing the test).
                outcome["lock_held_throughout"] = read.wait(timeout=30)
        finally:
            connection.close()

    def reader():
        try:
            writing.wait(timeout=30)
            outcome["status"] = Client(raise_request_exception=False).get("/toolkit/").status_code
            read.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=editor), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def main(path: str) -> None:
    """Migrate a new SQLite file at ``path`` and print both scenarios' results as JSON."""
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolkit.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    scenarios = [two_saves, two_publishes, read_during_write]
    print(json.dumps({scenario.__name__: scenario() for scenario in scenarios}))


if __name__ == "__main__":
    main(sys.argv[1])
