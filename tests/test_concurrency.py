"""Two staff saving or publishing the same version at the same moment: one wins, the other
is told plainly and keeps their text; nobody gets the 503 page. On PostgreSQL and on a
SQLite file (see tests/concurrency.py for why not SQLite's in-memory test database)."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import TestCase, TransactionTestCase
from django.urls import reverse

from summaries.admin.versions import SummaryVersionAdmin, SystematicReviewAdmin
from summaries.editorial import services
from summaries.models import State
from tests import concurrency
from tests.factories import make_complete_draft, make_user, send_to_review
from tests.test_admin import change_url, form_data

# Processes racing on one database, with lock timeouts: run one at a time (make test).
pytestmark = pytest.mark.slow


ROOT = Path(__file__).resolve().parent.parent
LOCKED = OperationalError("database is locked")


def sqlite_file_results() -> dict:
    """Both scenarios run by a fresh interpreter against a new SQLite file."""
    with tempfile.TemporaryDirectory() as directory:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        finished = subprocess.run(
            [sys.executable, "-m", "tests.concurrency", str(Path(directory) / "race.sqlite3")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    if finished.returncode != 0:
        raise AssertionError(finished.stderr[-3000:])
    return json.loads(finished.stdout.strip().splitlines()[-1])


class SimultaneousWriteTests(TransactionTestCase):
    # Keep the groups and scales the migrations seed, for the tests that run after.
    serialized_rollback = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.results = sqlite_file_results() if connection.vendor == "sqlite" else None

    def scenario(self, name):
        if self.results is not None:
            return self.results[name]
        return getattr(concurrency, name)()

    def test_two_saves_at_once(self):
        """Two editors save one draft at the same moment: one is saved, the other gets the
        "not saved, here is your text" form, never the 503 page."""
        for number, round_ in enumerate(self.scenario("two_saves"), 1):
            with self.subTest(round=number):
                statuses = [page["status"] for page in round_["pages"]]
                self.assertEqual(sorted(statuses), [200, 302])
                names = ["Alice", "Bob"]
                winner, loser = statuses.index(302), statuses.index(200)
                self.assertEqual(round_["saved_title"], f"{names[winner]}'s title")
                refused = round_["pages"][loser]["body"]
                # The stale-save refusal, naming who saved: the second save waited for the
                # first instead of failing on the lock.
                self.assertIn("saved this version at", refused)
                self.assertIn("Nothing was overwritten", refused)
                # The loser's own typing is still in the form.
                self.assertIn(f"{names[loser]} typed this.", refused)

    def test_two_publishes_at_once(self):
        """Two reviewers publish one version at the same moment: it is published once, and
        the second reviewer is told it already is, never shown the 503 page."""
        for number, round_ in enumerate(self.scenario("two_publishes"), 1):
            with self.subTest(round=number):
                self.assertEqual([p["status"] for p in round_["pages"]], [200, 200])
                self.assertEqual((round_["state"], round_["published"]), ("published", 1))
                bodies = [p["body"] for p in round_["pages"]]
                self.assertEqual(sum("View the public page" in b for b in bodies), 1)
                self.assertEqual(
                    sum("Not possible now: version 1 is published" in b for b in bodies), 1
                )

    def test_public_pages_do_not_wait_for_a_save(self):
        """A reader gets a public page while an editor's save holds the write lock."""
        outcome = self.scenario("read_during_write")
        self.assertEqual(outcome, {"status": 200, "lock_held_throughout": True})


class DatabaseBusyTests(TestCase):
    """The last resort: a write that gives up waiting for the database's lock (SQLite's
    timeout) changes nothing and says so, without the 503 page."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(superuser=True)
        cls.reviewer = make_user(superuser=True)

    def setUp(self):
        self.client.force_login(self.editor)

    def test_save_gives_the_form_back(self):
        """The editor gets the "not saved, your changes are still here" form."""
        draft = make_complete_draft()
        url = change_url(draft)
        data = form_data(self.client.get(url), "summaryversion_form")
        data.update(title=["Typed while busy"], standfirst=["Kept in the form."], _save=["Save"])
        with mock.patch.object(SummaryVersionAdmin, "save_model", side_effect=LOCKED):
            response = self.client.post(url, data)
        self.assertContains(response, "Not saved: someone else was saving this version")
        self.assertContains(response, "Kept in the form.")
        draft.refresh_from_db()
        self.assertNotEqual(draft.title, "Typed while busy")

    def test_review_save_gives_the_form_back(self):
        """The same on a review's own page."""
        review = make_complete_draft().reviews.get()
        url = change_url(review)
        data = form_data(self.client.get(url), "systematicreview_form")
        data.update(citation=["Typed while busy."], _save=["Save"])
        with mock.patch.object(SystematicReviewAdmin, "save_model", side_effect=LOCKED):
            response = self.client.post(url, data)
        self.assertContains(response, "Not saved: someone else was saving this version")
        self.assertContains(response, "Typed while busy.")

    def test_publish_says_nothing_changed(self):
        """The reviewer is told nothing changed; the version is still in review."""
        version = send_to_review(make_complete_draft(), user=self.reviewer)
        url = reverse("admin:summaries_summaryversion_publish", args=[version.pk])
        with mock.patch.object(services, "version_publish", side_effect=LOCKED):
            response = self.client.post(url, follow=True)
        self.assertContains(response, "Not done: someone else was acting on version 1")
        version.refresh_from_db()
        self.assertEqual(version.state, State.IN_REVIEW)
