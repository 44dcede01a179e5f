"""Real services for tests: a database other processes can use, a mail server, Redis.

Not a test module. Each helper starts what it needs on a free loopback port and stops it
itself; tests that use them stop services for real to test faults.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRESQL = connection.vendor == "postgresql"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.1, what: str = "it"):
    """``predicate()``'s first truthy value within ``timeout`` seconds, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {timeout} s for {what}")
        time.sleep(interval)


def postgres_connect(dbname: str) -> psycopg.Connection:
    """A connection outside Django to ``dbname`` on the test database's server."""
    s = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        user=s["USER"],
        password=s["PASSWORD"],
        host=s["HOST"] or "localhost",
        port=s["PORT"] or 5432,
        autocommit=True,
    )


class SiteDatabase:
    """A migrated database of its own for processes started by a test (the test database
    holds uncommitted data no other process sees): a file on SQLite, a database on the
    test database's PostgreSQL server (named after the test database, so parallel runs
    do not meet). ``env`` is the environment the processes run with."""

    def __init__(self, **env: str):
        self.workdir = Path(tempfile.mkdtemp(prefix="toolkit-site-"))
        self.name = None
        if ON_POSTGRESQL:
            self.name = f"{connection.settings_dict['NAME'][:40]}_site_{uuid.uuid4().hex[:8]}"
            with postgres_connect("postgres") as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{self.name}").geturl()
        else:
            url = f"sqlite:///{self.workdir / 'db.sqlite3'}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "toolkit.settings",
            "DATABASE_URL": url,
            "DEBUG": "1",
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
            "TASKS_BACKEND": "database",
            **env,
        }
        self.manage("migrate", "--noinput", "-v0")

    def manage(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        """``manage.py *args`` running in the background (stop it with ``stop``)."""
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    @staticmethod
    def stop(process: subprocess.Popen) -> str:
        """Stop a process started with ``start``; what it printed."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        output = process.stdout.read() if process.stdout else ""
        if process.stdout:
            process.stdout.close()
        return output

    def drop(self):
        if self.name:
            with postgres_connect("postgres") as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.name = None
        shutil.rmtree(self.workdir, ignore_errors=True)


def mail_settings(port: int) -> dict:
    """Settings that send by SMTP to ``port`` on the loopback address."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
        "EMAIL_TIMEOUT": 5,
    }


class _Collect:
    def __init__(self, delay: float, refuse: bool):
        self.delay = delay
        self.refuse = refuse
        self.messages: list[Message] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class MailServer:
    """An SMTP server (aiosmtpd) on a loopback port, keeping what it receives in
    ``messages``; ``delay`` seconds before it accepts each message, like a slow relay;
    ``refuse``: every recipient refused (550)."""

    def __init__(self, *, port: int | None = None, delay: float = 0.0, refuse: bool = False):
        self.port = port or free_port()
        self.handler = _Collect(delay, refuse)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    @property
    def settings(self) -> dict:
        """What this process's settings need to send here."""
        return mail_settings(self.port)

    @property
    def env(self) -> dict[str, str]:
        """What a process needs to send here."""
        return {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_TIMEOUT": "5",
        }

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    """Debian's redis-server on a free loopback port, with nothing saved to disk.

    ``stop`` kills it (connections are refused), ``pause`` freezes it with SIGSTOP
    (connections hang until the client's timeout), ``start`` and ``resume`` undo them.
    Without redis-server the test skips locally, and fails when ``CI`` is set."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @staticmethod
    def require(test_case) -> None:
        if not Path(REDIS_SERVER).exists():
            message = "redis-server not found: apt-get install redis-server"
            if os.environ.get("CI"):
                test_case.fail(message)
            test_case.skipTest(message)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def caches(self) -> dict:
        """``CACHES`` as the settings make them for ``CACHE_URL`` naming this server."""
        from toolkit.settings import cache_from_url

        return {
            "default": {**cache_from_url(self.url), "KEY_PREFIX": "test"},
            "signin": {**cache_from_url(self.url), "KEY_PREFIX": "test-signin"},
        }

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--protected-mode", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, timeout=10, what="redis-server to answer")

    def stop(self) -> None:
        if self.process is not None:
            self.resume()
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
