"""Scale-out benchmark: 1 to 3 gunicorn servers sharing one Redis and one PostgreSQL,
under load while a summary is published and withdrawn every second, with faults.

    python bench/cluster.py                    # about 3 minutes (see bench/README.md)
    python bench/cluster.py --summaries 1000 --phase-seconds 8

Everything it needs it starts itself, as children, on loopback ports from ``--base-port``
(default 8140: PostgreSQL, Redis, then the servers) and removes afterwards:

- a private PostgreSQL 15 cluster (``initdb`` as the ``postgres`` user in a temporary
  directory), so restarting the database as a fault touches nobody else's;
- Redis (Debian's ``redis-server``, installed with apt-get if missing), no persistence;
- up to three gunicorn servers (``DEBUG=0``, 2 sync workers each, ``CACHE_URL=redis://``).

Then, with ``flip.py`` publishing or withdrawing one synthetic summary every second and a
checker reading that summary from every server in turn: throughput of the demo summary
page spread over 1, 2 and 3 servers (one wrk per server), then three faults, each while
the load runs: ``kill -9`` of one server (restarted at once), Redis stopped for a few
seconds (pages must still be served, uncached, not 500), and the PostgreSQL cluster
restarted. For each: the errors seen and the time until every server answers 200 again.

A page is *stale* if it shows a state of the flipped summary older than the last one
committed before its request started (the checker reads ``<meta name="toolkit:version">``
and 410s). The run fails on any stale page or any 5xx outside the database restart.

This is a benchmark, not a test: it prints figures and takes minutes.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
PG_BIN = Path("/usr/lib/postgresql/15/bin")
DEMO = "/toolkit/psychosocial-treatment-sex-offenders/"
VERSION = re.compile(r'<meta name="toolkit:version" content="(\d+)">')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--summaries", type=int, default=1000, help="synthetic summaries")
    parser.add_argument("--base-port", type=int, default=8140)
    parser.add_argument("--phase-seconds", type=int, default=8, help="wrk seconds per phase")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections per server")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    return parser.parse_args()


def say(message):
    print(f"[cluster] {message}", flush=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def as_postgres(*command, **kwargs):
    return subprocess.run(["su", "postgres", "-c", " ".join(command)], check=True, **kwargs)


class PostgreSQL:
    """A private cluster in ``directory``, owned by the postgres user, on ``port``."""

    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port
        directory.mkdir()
        shutil.chown(directory, "postgres", "postgres")
        as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(directory / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            stdout=subprocess.DEVNULL,
        )
        self.start()
        as_postgres(
            str(PG_BIN / "psql"),
            "-h",
            str(directory),
            "-p",
            str(port),
            "-U",
            "postgres",
            "-c",
            "\"CREATE ROLE cluster LOGIN CREATEDB PASSWORD 'cluster'\"",
            stdout=subprocess.DEVNULL,
        )
        as_postgres(
            str(PG_BIN / "createdb"),
            "-h",
            str(directory),
            "-p",
            str(port),
            "-U",
            "postgres",
            "-O",
            "cluster",
            "cluster",
        )
        self.url = f"postgres://cluster:cluster@127.0.0.1:{port}/cluster"

    def ctl(self, action, *extra):
        as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.directory / "data"),
            "-w",
            "-l",
            str(self.directory / "log"),
            "-o",
            f'"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"',
            action,
            *extra,
            stdout=subprocess.DEVNULL,
        )

    def start(self):
        self.ctl("start")

    def restart(self):
        self.ctl("restart", "-m", "fast")

    def stop(self):
        try:
            self.ctl("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass


class Redis:
    def __init__(self, directory: Path, port: int):
        self.directory, self.port, self.process = directory, port, None
        self.url = f"redis://127.0.0.1:{port}/0"
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            ):
                return
            time.sleep(0.1)
        raise SystemExit("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Server:
    """One gunicorn (its own process group) on ``port``."""

    def __init__(self, env, port: int, workers: int, log):
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.base = f"http://127.0.0.1:{port}"
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env={
                **self.env,
                "PORT": str(self.port),
                "GUNICORN_WORKERS": str(self.workers),
                "GUNICORN_THREADS": "1",
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_healthy()

    def wait_healthy(self, timeout=60.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if status(self.base + DEMO) == 200:
                return time.monotonic() - started
            time.sleep(0.05)
        self.kill()
        raise SystemExit(f"server on {self.port} did not become healthy")

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def status(url) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


class Flips(threading.Thread):
    """Reads flip.py's lines: the committed states of the flipped summary, in order."""

    def __init__(self, process):
        super().__init__(daemon=True)
        self.process = process
        self.states = ["1"]  # as generated: version 1 live; then "N" or "withdrawn"

    def run(self):
        for line in self.process.stdout:
            self.states.append(line.split()[1])


class Checker(threading.Thread):
    """Reads the flipped summary from each server in turn. A response is stale if it is
    none of the states committed between its request's start and its end."""

    def __init__(self, servers, path, flips):
        super().__init__(daemon=True)
        self.servers, self.path, self.flips = servers, path, flips
        self.running = True
        self.counts = {"pages": 0, "stale": 0, "5xx": 0, "unreachable": 0}
        self.examples = []

    def run(self):
        turn = 0
        while self.running:
            server = self.servers[turn % len(self.servers)]
            turn += 1
            first = len(self.flips.states) - 1
            try:
                with urllib.request.urlopen(server.base + self.path, timeout=10) as response:
                    found = VERSION.search(response.read().decode()).group(1)
            except urllib.error.HTTPError as error:
                if error.code >= 500:
                    self.counts["5xx"] += 1
                    continue
                found = "withdrawn" if error.code == 410 else f"HTTP {error.code}"
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                self.counts["unreachable"] += 1
                time.sleep(0.05)
                continue
            self.counts["pages"] += 1
            if found not in self.flips.states[first:]:
                time.sleep(0.5)  # a flip committed just now may not be read from flip.py yet
            if found not in self.flips.states[first:]:
                self.counts["stale"] += 1
                self.examples.append((server.port, found, self.flips.states[first:]))
            time.sleep(0.01)


def wrk(servers, seconds, connections) -> dict:
    """One wrk per server against the demo summary, together; summed figures."""
    processes = [
        subprocess.Popen(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(BENCH / "status.lua"),
                server.base + DEMO,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for server in servers
    ]
    total = {"rps": 0.0, "5xx": 0, "errors": 0, "p50": []}
    for process in processes:
        out = process.communicate()[0]
        line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
        figures = json.loads(line.removeprefix("WRK_JSON "))
        total["rps"] += figures["requests"] / (figures["duration_us"] / 1e6)
        total["5xx"] += sum(n for code, n in figures["statuses"].items() if int(code) >= 500)
        total["errors"] += figures["socket_errors"] + figures["timeouts"]
        total["p50"].append(figures["p50_us"] / 1000)
    return total


def during(fault, servers, seconds, connections):
    """Run ``fault`` (which returns its recovery time) while wrk loads every server."""
    result = {}

    def act():
        time.sleep(seconds / 4)
        result["recovery"] = fault()

    thread = threading.Thread(target=act)
    thread.start()
    figures = wrk(servers, seconds, connections)
    thread.join()
    return figures, result.get("recovery")


def main():
    args = parse_args()
    for tool, package in (("wrk", "wrk"), ("redis-server", "redis-server")):
        if not shutil.which(tool):
            say(f"installing {package} (Debian package)")
            subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True)
    workdir = Path(tempfile.mkdtemp(prefix="toolkit-cluster-"))
    os.chmod(workdir, 0o755)
    port = args.base_port
    database = redis = flipper = checker = None
    servers: list[Server] = []
    try:
        say("private PostgreSQL and Redis")
        database = PostgreSQL(workdir / "pg", port)
        redis = Redis(workdir, port + 1)
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database.url,
            "CONN_MAX_AGE": "60",
            "CACHE_URL": redis.url,
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": str(workdir / "static"),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "ERROR",
            "GUNICORN_LOG_LEVEL": "warning",
            "PYTHONPATH": str(BENCH),
        }
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["load_demo", "--no-accounts", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
            ["generate_synthetic", str(args.summaries)],
        ):
            subprocess.run(
                [PYTHON, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        flip_slug = subprocess.run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-v0",
                "-c",
                "from summaries.models import Intervention; print(Intervention.objects"
                ".filter(is_synthetic=True).order_by('slug').first().slug)",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115  (open for the whole run)
        say("three gunicorn servers")
        servers = [Server(env, port + 2 + n, args.workers, log) for n in range(3)]
        flipper = subprocess.Popen(
            [PYTHON, str(BENCH / "flip.py"), flip_slug, "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        flips = Flips(flipper)
        flips.start()
        checker = Checker(servers, f"/toolkit/{flip_slug}/", flips)
        checker.start()
        say(f"load {load()}")

        rows = []
        for count in (1, 2, 3):
            figures = wrk(servers[:count], args.phase_seconds, args.connections)
            rows.append((f"{count} server{'s' if count > 1 else ''}", figures, None))
            say(f"{count} servers: {figures['rps']:.0f} req/s; load {load()}")

        victim = servers[2]

        def kill_one():
            victim.kill()
            started = time.monotonic()
            victim.start()
            return time.monotonic() - started

        def stop_redis():
            redis.stop()
            time.sleep(3)
            served = [status(server.base + DEMO) for server in servers]
            redis.start()
            stop_redis.while_down = served
            return 3.0

        def restart_postgresql():
            started = time.monotonic()
            database.restart()
            for server in servers:
                server.wait_healthy()
            return time.monotonic() - started

        for name, fault in (
            ("kill -9 one server", kill_one),
            ("Redis stopped 3 s", stop_redis),
            ("PostgreSQL restarted", restart_postgresql),
        ):
            before = dict(checker.counts)
            figures, recovery = during(fault, servers, args.phase_seconds, args.connections)
            seen = {k: checker.counts[k] - before[k] for k in checker.counts}
            rows.append((name, figures, (recovery, seen)))
            say(f"{name}: {figures['rps']:.0f} req/s, recovery {recovery:.1f} s; load {load()}")

        checker.running = False
        checker.join()
        flipper.terminate()
        flipper.wait(timeout=30)
        print(
            f"\nCluster benchmark: {args.summaries:,} synthetic summaries + the demo, private "
            f"PostgreSQL 15, Redis, gunicorn {args.workers} sync workers per server, one wrk "
            f"-t1 -c{args.connections} -d{args.phase_seconds}s per server on the demo summary, "
            f"a publication or withdrawal every second ({len(flips.states) - 1} in all); "
            f"load {load()} at the end"
        )
        header = (
            f"{'phase':<22}{'req/s':>8}{'p50 ms':>9}{'5xx':>6}{'socket err':>11}"
            f"{'checker 5xx':>12}{'unreachable':>12}{'stale':>6}{'recovery s':>11}"
        )
        print(header)
        print("-" * len(header))
        for name, figures, fault in rows:
            recovery, seen = fault if fault else (None, {})
            p50 = max(figures["p50"])
            print(
                f"{name:<22}{figures['rps']:>8.0f}{p50:>9.1f}{figures['5xx']:>6}"
                f"{figures['errors']:>11}{seen.get('5xx', ''):>12}{seen.get('unreachable', ''):>12}"
                f"{seen.get('stale', ''):>6}{'' if recovery is None else f'{recovery:.1f}':>11}"
            )
        c = checker.counts
        print(
            f"\nChecker: {c['pages']} reads of the flipped summary across the servers, "
            f"{c['stale']} stale, {c['5xx']} 5xx, {c['unreachable']} unreachable. "
            f"While Redis was stopped the servers answered {stop_redis.while_down}."
        )
        for example in checker.examples[:3]:
            print("stale example (server, found, states allowed):", example)
        pg_5xx = rows[-1][1]["5xx"]
        other_5xx = sum(figures["5xx"] for _, figures, _ in rows[:-1])
        if c["stale"] or other_5xx or any(code != 200 for code in stop_redis.while_down):
            raise SystemExit("FAILED: stale pages, or 5xx outside the database restart")
        say(f"5xx during the PostgreSQL restart (503 while it is down): {pg_5xx}")
    finally:
        if checker:
            checker.running = False
        if flipper and flipper.poll() is None:
            flipper.terminate()
        for server in servers:
            server.stop()
        if redis:
            redis.stop()
        if database:
            database.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
