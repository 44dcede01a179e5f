"""Error reporting: Django's error mails to ADMINS, queued for the worker rather than
sent by the failing request; Sentry on when SENTRY_DSN is set, without personal data."""

import json
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import path
from django_tasks_db.models import DBTaskResult

from summaries.tasks.error_mail import mail_error_report
from tests.helpers import run_queued_tasks
from tests.processes import ROOT, free_port, wait_for

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ADMINS = [("Ops", "ops@example.org")]


def broken(request):
    raise RuntimeError("Something broke")


def unavailable(request):
    return HttpResponse("down", status=503)


urlpatterns = [
    path("broken/", broken),
    path("readyz", unavailable),
]


@override_settings(
    ROOT_URLCONF=__name__, ADMINS=ADMINS, SERVER_EMAIL="errors@example.org", TASKS=DATABASE_TASKS
)
class AdminMailTests(TestCase):
    def get(self, url):
        client = self.client_class(raise_request_exception=False)
        # Not assertLogs: it would keep the record from the handlers under test.
        with self.captureOnCommitCallbacks(execute=True):
            return client.get(url)

    def test_a_500_is_mailed_by_the_worker(self):
        """A 500 queues the report; nothing is sent while the request runs; the worker
        sends it to ADMINS from SERVER_EMAIL."""
        response = self.get("/broken/")
        self.assertEqual(response.status_code, 500)
        self.assertEqual(mail.outbox, [])
        queued = DBTaskResult.objects.get(task_path=mail_error_report.module_path)
        self.assertIn("/broken/", queued.args_kwargs["args"][0])
        self.assertEqual(run_queued_tasks(), 1)
        [report] = mail.outbox
        self.assertEqual(report.to, ["ops@example.org"])
        self.assertEqual(report.from_email, "errors@example.org")
        self.assertIn("Something broke", report.body)

    def test_a_probes_503_is_not_mailed(self):
        """A probe answering 503 is logged, not mailed at every probe."""
        self.assertEqual(self.get("/readyz").status_code, 503)
        self.assertFalse(DBTaskResult.objects.exists())

    @override_settings(ADMINS=[])
    def test_no_admins_no_mail(self):
        self.assertEqual(self.get("/broken/").status_code, 500)
        run_queued_tasks()
        self.assertEqual(mail.outbox, [])


class AdminsSettingTests(SimpleTestCase):
    def settings_of(self, **env) -> subprocess.CompletedProcess:
        code = (
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.ADMINS, settings.SERVER_EMAIL)"
        )
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "toolkit.settings", "DEBUG": "1", **env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    def test_admins_from_the_environment(self):
        result = self.settings_of(
            ADMINS="Ops Team <ops@example.org>, dev@example.org", SERVER_EMAIL="err@example.org"
        )
        self.assertEqual(
            result.stdout.strip(),
            "[('Ops Team', 'ops@example.org'), ('', 'dev@example.org')] err@example.org",
        )
        result = self.settings_of(ADMINS="", DEFAULT_FROM_EMAIL="toolkit@example.org")
        self.assertEqual(result.stdout.strip(), "[] toolkit@example.org")
        result = self.settings_of(ADMINS="not an address")
        self.assertIn("ADMINS must be email addresses", result.stderr)


class FakeSentry(BaseHTTPRequestHandler):
    """Keeps the events a Sentry SDK sends (envelopes, maybe compressed)."""

    events: list[dict] = []

    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        for line in body.splitlines():
            item = json.loads(line) if line.startswith(b"{") else None
            if item and "exception" in item:
                self.events.append(item)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.mark.slow
class SentryTests(SimpleTestCase):
    def test_sentry_gets_errors_without_personal_data(self):
        """With SENTRY_DSN set, an error in a request reaches Sentry, without the user's
        address, cookies or headers that identify them; without it, the SDK is off."""
        port = free_port()
        server = ThreadingHTTPServer(("127.0.0.1", port), FakeSentry)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        FakeSentry.events = []
        code = (
            "import django; django.setup(); import sentry_sdk\n"
            "from django.test import Client\n"
            "from django.test.utils import override_settings\n"
            "print('client', sentry_sdk.get_client().is_active())\n"
            "with override_settings(ROOT_URLCONF='tests.test_error_reports'):\n"
            "    Client(raise_request_exception=False, REMOTE_ADDR='203.0.113.9').get(\n"
            "        '/broken/', HTTP_COOKIE='sessionid=secret-session')\n"
            "sentry_sdk.flush(5)\n"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "toolkit.settings", "DEBUG": "1"}
        dsn = f"http://publickey@127.0.0.1:{port}/1"
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**env, "SENTRY_DSN": dsn, "LOG_LEVEL": "CRITICAL"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertIn("client True", result.stdout, result.stderr)
        events = wait_for(lambda: FakeSentry.events, timeout=10, what="an event")
        sent = json.dumps(events[0])
        self.assertIn("Something broke", sent)
        self.assertNotIn("203.0.113.9", sent)
        self.assertNotIn("secret-session", sent)

        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); import sentry_sdk; "
                "print('client', sentry_sdk.get_client().is_active())",
            ],
            cwd=ROOT,
            env={**env, "SENTRY_DSN": ""},
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertIn("client False", result.stdout, result.stderr)
