"""Operations on PostgreSQL: the app survives a database restart, and a pg_dump backup
restores every version and the whole audit log into an empty database.

Both need a real PostgreSQL server (its backends, pg_dump and pg_restore); on SQLite they
are skipped with the reason.
"""

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from unittest import skipUnless

import psycopg
import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory, TransactionTestCase

from summaries.editorial.services import (
    draft_start_from,
    version_archive,
    version_submit,
    version_withdraw,
)
from summaries.models import AuditEvent, State, SummaryVersion
from tests.factories import make_complete_draft, make_user, publish

# Connections dropped under the app, pg_dump and pg_restore: run one at a time (make test).
pytestmark = pytest.mark.slow


ON_POSTGRESQL = connection.vendor == "postgresql"
NEEDS_POSTGRESQL = "needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite has no server"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def pg_tool(name: str) -> str:
    return shutil.which(name) or str(PG_BIN / name)


def connect(dbname: str | None = None) -> psycopg.Connection:
    """A connection of our own, outside Django, to ``dbname`` (default: the test database)."""
    s = connection.settings_dict
    return psycopg.connect(
        dbname=dbname or s["NAME"],
        user=s["USER"],
        password=s["PASSWORD"],
        host=s["HOST"] or "localhost",
        port=s["PORT"] or 5432,
        autocommit=True,
    )


def pg_env() -> dict[str, str]:
    s = connection.settings_dict
    return {
        **os.environ,
        "PGHOST": s["HOST"] or "localhost",
        "PGPORT": str(s["PORT"] or 5432),
        "PGUSER": s["USER"],
        "PGPASSWORD": s["PASSWORD"],
    }


@skipUnless(ON_POSTGRESQL, NEEDS_POSTGRESQL)
class DatabaseRestartTests(TransactionTestCase):
    """With CONN_MAX_AGE, connections outlive requests; a restarted server kills them."""

    serialized_rollback = True

    def setUp(self):
        self.saved = {
            k: connection.settings_dict[k] for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")
        }
        connection.settings_dict["CONN_MAX_AGE"] = 60
        connection.close()
        self.handler = WSGIHandler()

    def tearDown(self):
        connection.settings_dict.update(self.saved)
        connection.close()

    def get(self, path: str) -> str:
        """A request through the real WSGI handler, as gunicorn makes it: the request
        signals open and health-check persistent connections as in production."""
        environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
        statuses = []
        response = self.handler(
            environ, lambda status, headers, exc_info=None: statuses.append(status)
        )
        b"".join(response)
        response.close()
        return statuses[0]

    def terminate_backends(self) -> int:
        """What a restart does to the app's connections (restarting the cluster itself
        from a test would hit every other database on it)."""
        with connect() as other:
            return other.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]

    def test_restart_is_survived_with_health_checks(self):
        """After the server drops every connection the next request still succeeds."""
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
        self.assertEqual(self.get("/"), "200 OK")
        self.assertIsNotNone(connection.connection, "the connection should persist")
        self.assertGreaterEqual(self.terminate_backends(), 1)
        self.assertEqual(self.get("/toolkit/"), "200 OK")
        self.assertEqual(self.get("/healthz"), "200 OK")

    def test_without_health_checks_one_reader_gets_the_503_page(self):
        """Without health checks the first request fails, politely, and the next recovers:
        why the settings turn them on."""
        connection.settings_dict["CONN_HEALTH_CHECKS"] = False
        self.assertEqual(self.get("/"), "200 OK")
        self.terminate_backends()
        with self.assertLogs("toolkit.middleware", "ERROR"):
            self.assertEqual(self.get("/toolkit/"), "503 Service Unavailable")
        self.assertEqual(self.get("/toolkit/"), "200 OK")


# Every table of the content, the accounts and what the accounts' permissions point at.
BACKED_UP_APPS = ["summaries", "auth", "contenttypes", "axes"]


def table_names() -> list[str]:
    tables = set()
    for label in BACKED_UP_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            # Unmanaged models are views of tables that exist on other databases only
            # (SearchEntry: SQLite's full-text table); their data is derived, not backed up.
            if model._meta.managed:
                tables.add(model._meta.db_table)
    return sorted(tables)


def snapshot(dbname: str | None = None) -> dict[str, list[tuple]]:
    """Every row of every backed-up table, in primary-key order, plus the sequences."""
    with connect(dbname) as db:
        rows = {
            table: db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            for table in table_names()
        }
        rows["sequences"] = db.execute(
            "SELECT sequencename, last_value FROM pg_sequences ORDER BY 1"
        ).fetchall()
    return rows


@skipUnless(ON_POSTGRESQL, NEEDS_POSTGRESQL)
@skipUnless(Path(pg_tool("pg_dump")).exists(), "pg_dump not installed")
class BackupRestoreTests(TransactionTestCase):
    """The backup and restore of docs/operations.md, run for real."""

    serialized_rollback = True

    def make_content(self):
        editor = make_user("editor", groups=[Group.objects.get(name="Editors")])
        reviewer = make_user("reviewer", superuser=True)
        live = publish(make_complete_draft("lighting", user=editor), user=reviewer)
        second = draft_start_from(version=live, user=editor, change_note="Updated.")
        publish(second, user=reviewer)  # v1 superseded, v2 live
        version_submit(
            version=draft_start_from(version=second, user=editor),
            user=editor,
            change_note="In review.",
        )  # v3 in review
        gone = publish(make_complete_draft("cctv", user=editor), user=reviewer)
        version_withdraw(version=gone, user=reviewer, reason="Evidence retracted.")
        abandoned = make_complete_draft("patrols", user=editor)
        version_archive(version=abandoned, user=editor)

    def test_dump_and_restore_round_trip(self):
        """pg_dump -Fc, then pg_restore into an empty database, gives back every row:
        all versions in every state, their content, the audit log and the accounts."""
        self.make_content()
        states = set(SummaryVersion.objects.values_list("state", flat=True))
        self.assertTrue(
            {State.PUBLISHED, State.SUPERSEDED, State.IN_REVIEW, State.WITHDRAWN} <= states
        )
        self.assertGreater(AuditEvent.objects.count(), 10)
        original = snapshot()

        restored_db = f"restore_test_{uuid.uuid4().hex[:8]}"
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "toolkit.dump"
            subprocess.run(
                [
                    pg_tool("pg_dump"),
                    "-Fc",
                    "--no-owner",
                    "-f",
                    str(dump),
                    connection.settings_dict["NAME"],
                ],
                env=pg_env(),
                check=True,
                capture_output=True,
            )
            with connect("postgres") as admin:
                admin.execute(f'CREATE DATABASE "{restored_db}"')
            try:
                subprocess.run(
                    [
                        pg_tool("pg_restore"),
                        "--no-owner",
                        "--exit-on-error",
                        "-d",
                        restored_db,
                        str(dump),
                    ],
                    env=pg_env(),
                    check=True,
                    capture_output=True,
                )
                restored = snapshot(restored_db)
            finally:
                with connect("postgres") as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')

        self.assertEqual(restored.keys(), original.keys())
        for table in original:
            with self.subTest(table=table):
                self.assertEqual(restored[table], original[table])
        self.assertGreater(len(original["summaries_section"]), 9)
