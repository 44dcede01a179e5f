"""The deployment recipe, run on this machine as an operator would: deploy/build.sh,
then `honcho start` on the Procfile (deploy/start.sh's web and worker) with the settings
of .env.example, DEBUG off; the site answers, the worker runs tasks, metrics are served
on their own port only. (Containers cannot run here: the Dockerfile and compose.yaml wrap
these same scripts, docs/operations.md.)"""

import http.client
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.test import SimpleTestCase

from tests.processes import ROOT, SiteDatabase, free_port, wait_for

VENV = Path(sys.prefix)


def env_example() -> dict[str, str]:
    """The variables .env.example sets (those it leaves empty take their defaults)."""
    variables = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        name, equals, value = line.partition("=")
        if equals and not line.startswith("#") and value:
            variables[name.strip()] = value.strip()
    return variables


def get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode()
    except OSError:
        return 0, ""
    finally:
        connection.close()


def probe(port: int, allowed_hosts: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "deploy/probe.py"],
        cwd=ROOT,
        env={**os.environ, "GUNICORN_BIND": f"0.0.0.0:{port}", "ALLOWED_HOSTS": allowed_hosts},
        capture_output=True,
        timeout=30,
    )


@pytest.mark.slow
class RecipeTests(SimpleTestCase):
    def test_build_then_honcho_start(self):
        static_root = Path(tempfile.mkdtemp(prefix="toolkit-static-"))
        env = {
            **env_example(),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "VENV": str(VENV),
            "STATIC_ROOT": str(static_root),
        }
        build = subprocess.run(
            ["deploy/build.sh"],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        self.assertEqual(build.returncode, 0, build.stderr)
        self.assertIn("static files.", build.stdout)
        self.assertTrue((static_root / "staticfiles.json").exists())

        site = SiteDatabase(**env)
        self.addCleanup(site.drop)
        port, metrics_port = free_port(), free_port()
        honcho = subprocess.Popen(
            [VENV / "bin" / "honcho", "start", "--port", str(port)],
            cwd=ROOT,
            # As an operator's environment: no DJANGO_SETTINGS_MODULE (manage.py and
            # gunicorn.conf.py name the settings themselves).
            env={
                **{k: v for k, v in site.env.items() if k != "DJANGO_SETTINGS_MODULE"},
                "DEBUG": "0",
                "MIGRATE": "1",
                "GUNICORN_WORKERS": "2",
                "METRICS_PORT": str(metrics_port),
                "LOG_LEVEL": "INFO",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

        output: list[str] = []

        def stop() -> str:
            """Stop honcho (it stops both processes); everything they printed."""
            if honcho.poll() is None:
                honcho.send_signal(signal.SIGTERM)
                try:
                    honcho.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    os.killpg(honcho.pid, signal.SIGKILL)
                    honcho.wait(timeout=10)
            if not output:
                assert honcho.stdout is not None
                with honcho.stdout:
                    output.append(honcho.stdout.read())
            return output[0]

        try:
            host = env["ALLOWED_HOSTS"].split(",")[0]
            wait_for(lambda: get(port, "/healthz", host)[0] == 200, timeout=60, what="gunicorn")
            # The worker has run its first heartbeat: the server is ready, every part ok.
            wait_for(lambda: get(port, "/readyz", host)[0] == 200, timeout=60, what="worker")
            status, body = get(port, "/readyz", host)
            self.assertIn("worker: ok (last seen", body)
            status, body = get(port, "/", host)
            self.assertEqual(status, 200)
            self.assertIn("</html>", body)
            # DEBUG is off: an unknown host is refused, not served with a debug page.
            self.assertEqual(get(port, "/", "elsewhere.example")[0], 400)
            # Metrics: on their own port, counting the requests above; the site has none.
            self.assertEqual(get(port, "/metrics", host)[0], 404)
            status, metrics = get(metrics_port, "/metrics")
            self.assertEqual(status, 200)
            self.assertRegex(
                metrics, r'django_http_responses_total_by_status_total\{status="200"\} [1-9]'
            )
            # The container's HEALTHCHECK command.
            self.assertEqual(probe(port, env["ALLOWED_HOSTS"]).returncode, 0)
        finally:
            stop()
        self.assertEqual(probe(port, env["ALLOWED_HOSTS"]).returncode, 1)
        self.assertIn("web.1 ", output[0])
        self.assertIn("worker.1 ", output[0])
        self.assertIn("Metrics on http://127.0.0.1:", output[0])
