"""Readiness (/readyz): the database, the cache, migrations and the worker, each named;
503 naming what fails. Faults are real: a stopped redis-server, a database with a
migration unapplied, a worker that has run nothing."""

from datetime import timedelta

import pytest
from django.test import TestCase, override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from summaries.tasks.periodic import heartbeat
from tests.helpers import run_queued_tasks
from tests.processes import RedisServer, SiteDatabase

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def parts(response) -> dict[str, str]:
    """Each part's state from the answer's lines after the first."""
    lines = response.content.decode().splitlines()[1:]
    return dict(line.split(": ", 1) for line in lines)


class ReadinessTests(TestCase):
    def test_ready(self):
        """All parts ok: 200, "ready", each part named, never cached."""
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertEqual(response.content.decode().splitlines()[0], "ready")
        self.assertEqual(
            parts(response),
            {
                "database": "ok",
                "cache": "ok",
                "migrations": "ok",
                "worker": "ok (tasks run in the web process)",
            },
        )
        self.assertEqual(self.client.head("/readyz").status_code, 200)
        self.assertEqual(self.client.post("/readyz").status_code, 405)

    @override_settings(TASKS=DATABASE_TASKS, WORKER_SEEN_SECONDS=300)
    def test_worker_never_seen_then_seen(self):
        """Tasks queued in the database and none ever finished: 503 naming the worker;
        once the worker has run the heartbeat, ready."""
        with self.assertLogs("toolkit.health", "WARNING"):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content.decode().splitlines()[0], "not ready: worker failing")
        self.assertIn("is the worker running?", parts(response)["worker"])
        self.assertEqual(parts(response)["database"], "ok")

        with self.captureOnCommitCallbacks(execute=True):
            heartbeat.enqueue()
        self.assertGreaterEqual(run_queued_tasks(), 1)
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertRegex(parts(response)["worker"], r"^ok \(last seen \d+ s ago\)$")

    @override_settings(TASKS=DATABASE_TASKS, WORKER_SEEN_SECONDS=60)
    def test_worker_seen_too_long_ago(self):
        """The last task finished longer ago than WORKER_SEEN_SECONDS: 503, with the age."""
        with self.captureOnCommitCallbacks(execute=True):
            heartbeat.enqueue()
        run_queued_tasks()
        finished = DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL)
        DBTaskResult.objects.filter(pk=finished.pk).update(
            finished_at=finished.finished_at - timedelta(minutes=10)
        )
        with self.assertLogs("toolkit.health", "WARNING"):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertRegex(parts(response)["worker"], r"^FAILING: no task finished for 6\d\d s")

    @override_settings(READINESS_REPORT_ONLY=["worker"], TASKS=DATABASE_TASKS)
    def test_report_only(self):
        """A part named in READINESS_REPORT_ONLY is reported failing, but answers 200."""
        with self.assertLogs("toolkit.health", "WARNING"):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content.decode().splitlines()[0], "degraded: worker failing")
        self.assertTrue(parts(response)["worker"].startswith("FAILING: "))


@pytest.mark.slow
class CacheReadinessTests(TestCase):
    """A real redis-server, then the same server killed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        RedisServer.require(cls)
        cls.redis = RedisServer()
        cls.redis.start()
        cls.addClassCleanup(cls.redis.stop)

    def test_cache_up_then_down(self):
        with override_settings(CACHES=self.redis.caches()):
            self.assertEqual(self.client.get("/readyz").status_code, 200)
            self.redis.stop()
            self.addCleanup(self.redis.start)
            with self.assertLogs("toolkit.health", "WARNING") as logs:
                response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content.decode().splitlines()[0], "not ready: cache failing")
        # The error's type only: the error itself goes to the log.
        self.assertEqual(parts(response)["cache"], "FAILING: ConnectionError")
        self.assertIn("Readiness: cache failing: ", "\n".join(logs.output))
        self.assertEqual(parts(response)["database"], "ok")


@pytest.mark.slow
class MigrationReadinessTests(TestCase):
    def test_unapplied_migration_is_named(self):
        """A database one migration behind the code: 503 naming the migration; applied,
        ready. Checked in a process of its own on a database of its own."""
        site = SiteDatabase(TASKS_BACKEND="immediate")
        self.addCleanup(site.drop)
        site.manage("migrate", "sessions", "zero", "--noinput", "-v0")
        code = (
            "from django.test import Client; r = Client().get('/readyz'); "
            "print(r.status_code); print(r.content.decode())"
        )
        output = site.shell(code)
        self.assertIn("503\nnot ready: migrations failing\n", output)
        self.assertIn("migrations: FAILING: 1 to apply (sessions.0001_initial)", output)
        site.manage("migrate", "--noinput", "-v0")
        self.assertIn("200\nready\n", site.shell(code))
