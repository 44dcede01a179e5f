"""Two app processes sharing one cache never serve a stale page after a publication.

Each server is a separate process (``tests/app_server.py``) with the site's WSGI
application, both over one database and one file-based cache directory
(``CACHE_URL=file://...``), as two app servers share PostgreSQL and Redis in production.
Publications are made by a third process, through the services, as an editor's would be.

The test database is not used: the three processes need committed data. When the suite
runs on PostgreSQL the test creates a database of its own on the same server (named
after the test database, so parallel runs do not meet) and drops it afterwards, so the
PostgreSQL publication path is the one exercised; on SQLite it uses a file of its own.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import SimpleTestCase

from tests.processes import ON_POSTGRESQL, postgres_connect

# Two app servers in processes of their own: run one at a time (make test).
pytestmark = pytest.mark.slow


ROOT = Path(__file__).resolve().parent.parent
DEMO = "/toolkit/psychosocial-treatment-sex-offenders/"

# A new version of the demo, through the services, titled with its version number.
PUBLISH = """
from django.db.models import F
from summaries.editorial.services import draft_start_from, version_publish
from summaries.models import State, SummaryVersion
versions = SummaryVersion.objects.filter(intervention__slug="psychosocial-treatment-sex-offenders")
latest = versions.exclude(state__in=[State.DRAFT, State.IN_REVIEW]).order_by("-number").first()
draft = draft_start_from(version=latest)
versions.filter(pk=draft.pk).update(
    state=State.IN_REVIEW, title=f"Demo version {draft.number}", revision=F("revision") + 1
)
draft.refresh_from_db()
version_publish(version=draft)
"""
WITHDRAW = """
from summaries.editorial.services import version_withdraw
from summaries.models import SummaryVersion
live = SummaryVersion.objects.live().get(intervention__slug="psychosocial-treatment-sex-offenders")
version_withdraw(version=live, reason="Withdrawn by the two-server test.")
"""


class TwoServersTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workdir = Path(tempfile.mkdtemp(prefix="toolkit-two-servers-"))
        cls.servers = []
        cls.database = None
        try:
            cls.database_url = cls.create_database()
        except BaseException:
            cls.tearDownClass()
            raise
        cls.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "toolkit.settings",
            "DATABASE_URL": cls.database_url,
            "CACHE_URL": f"file://{cls.workdir / 'cache'}",
            "DEBUG": "1",
            "LOG_LEVEL": "ERROR",
            "PYTHONWARNINGS": "ignore",
        }
        try:
            cls.manage("migrate", "--noinput", "-v0")
            cls.manage("load_demo", "--no-accounts", "-v0")
            for _ in range(2):
                process = subprocess.Popen(
                    [sys.executable, str(ROOT / "tests" / "app_server.py")],
                    cwd=ROOT,
                    env=cls.env,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                cls.servers.append(
                    (process, f"http://127.0.0.1:{process.stdout.readline().strip()}")
                )
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for process, _ in cls.servers:
            process.kill()
            process.wait(timeout=10)
            process.stdout.close()
        cls.drop_database()
        shutil.rmtree(cls.workdir, ignore_errors=True)
        super().tearDownClass()

    @classmethod
    def create_database(cls) -> str:
        """A database for the three processes; its ``DATABASE_URL``."""
        if not ON_POSTGRESQL:
            cls.database = cls.workdir / "db.sqlite3"
            return f"sqlite:///{cls.database}"
        # The test database's name (``test_...``), cut to leave room in PostgreSQL's 63.
        name = f"{connection.settings_dict['NAME'][:40]}_two_servers_{uuid.uuid4().hex[:8]}"
        with postgres_connect("postgres") as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        cls.database = name
        return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()

    @classmethod
    def drop_database(cls):
        if ON_POSTGRESQL and cls.database:
            with postgres_connect("postgres") as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{cls.database}" WITH (FORCE)')
        cls.database = None

    @classmethod
    def execute(cls, sql: str):
        """Run ``sql`` on the servers' database behind the application's back."""
        if ON_POSTGRESQL:
            with postgres_connect(cls.database) as db:
                db.execute(sql)
        else:
            with closing(sqlite3.connect(cls.database)) as db, db:
                db.execute(sql)

    @classmethod
    def manage(cls, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=cls.env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")

    def get(self, base, path=DEMO) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def version(self, base) -> str:
        status, html = self.get(base)
        self.assertEqual(status, 200)
        return re.search(r'<meta name="toolkit:version" content="(\d+)">', html).group(1)

    def test_the_servers_share_one_cache(self):
        """A page one server rendered is what the other serves, from the shared cache."""
        (_, first), (_, second) = self.servers
        self.get(first)  # rendered by the first server, and cached
        # Behind the application's back (no generation raised): only a cached page can
        # still show the old title.
        self.execute("UPDATE summaries_summaryversion SET title = 'Changed behind the cache'")
        try:
            self.assertNotIn("Changed behind the cache", self.get(second)[1])
        finally:
            self.manage(
                "shell",
                "-c",
                "from summaries.models.generation import "
                "public_content_changed; public_content_changed()",
            )
        # The servers read the very database the statement changed: once the generation
        # moves, both show it.
        for base in (first, second):
            with self.subTest(server=base):
                self.assertIn("Changed behind the cache", self.get(base)[1])

    def test_no_stale_page_after_a_publication(self):
        """After each publication both servers serve the new version at once, the summary
        and the pages that list it, whichever server cached the old one."""
        (_, first), (_, second) = self.servers
        for round_number in range(3):
            order = (first, second) if round_number % 2 == 0 else (second, first)
            before = {self.version(base) for base in order}  # cached by both by now
            self.assertEqual(len(before), 1)
            for base in order:
                self.get(base, "/toolkit/")
            self.manage("shell", "-c", PUBLISH)
            expected = str(int(before.pop()) + 1)
            for base in order:
                with self.subTest(round=round_number, server=base):
                    self.assertEqual(self.version(base), expected)
                    self.assertIn(f"Demo version {expected}", self.get(base, "/toolkit/")[1])

    def test_withdrawal_reaches_both_servers_at_once(self):
        """Once a withdrawal commits, both servers answer 410 for the summary."""
        (_, first), (_, second) = self.servers
        for base in (first, second):
            self.assertEqual(self.get(base)[0], 200)
        self.manage("shell", "-c", WITHDRAW)
        try:
            for base in (second, first):
                with self.subTest(server=base):
                    self.assertEqual(self.get(base)[0], 410)
        finally:
            self.manage("shell", "-c", PUBLISH)  # live again for the other tests
