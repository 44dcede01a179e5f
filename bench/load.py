"""Load benchmark: gunicorn on PostgreSQL with the demo and synthetic summaries, driven by
wrk: uncached, cached, and cached while a summary is published and withdrawn over and over.

    python bench/load.py            # everything, from an empty database (see bench/README.md)
    python bench/load.py --keep-db  # reuse the populated database of an earlier run

Prints, for home, the list, a search, a filtered list, a summary, a version page, the
API's list, search, filter, summary and version, and the stylesheet (the
ceiling: whitenoise serving a file through the same server): requests per second, p50 and
p99 latency, responses that were not 2xx/3xx, 5xx, the ratio to the stylesheet's
throughput in the same table, and the queries each page costs uncached and from the
cache. The first table is the server with ``CACHE_URL=dummy://`` (every page rendered
from scratch), the second the same server with the page cache (``--cache-url``); a third
repeats the cached pages while the flipper publishes and withdraws (``--no-flip`` skips
it); the consistency checker fetches the flipped summary all along and fails the run on
any 5xx or any page whose title, version number and change note belong to different
versions.

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

from pg_database import database

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
DEMO = "/toolkit/psychosocial-treatment-sex-offenders/"


def server_arguments(parser, *, database_help, port, workers, threads, duration=20):
    """The arguments every benchmark that starts our gunicorn and drives wrk takes."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://toolkit_ci:toolkit_ci@127.0.0.1:5432/toolkit_bench"
        ),
        help=database_help,
    )
    parser.add_argument("--port", type=int, default=port, help="gunicorn's port")
    parser.add_argument("--duration", type=int, default=duration, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=workers, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=threads, help="gunicorn threads per worker")


def server_env(database_url, workdir, *, cache_url, **more):
    """The environment our gunicorn runs in for a benchmark: production settings (DEBUG
    off, a random key), the database, the cache, a static root in ``workdir``, JSON logs
    of warnings only, and an API rate limit wrk cannot reach."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",
        "CACHE_URL": cache_url,
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(workdir / "static"),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "API_RATE_LIMIT": "1000000000/minute",
        **more,
    }


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    server_arguments(
        parser,
        database_help="PostgreSQL database to create (its role needs CREATEDB); dropped afterwards",
        port=8502,
        workers=3,
        threads=2,
    )
    parser.add_argument("--summaries", type=int, default=10_000, help="synthetic summaries")
    parser.add_argument("--flip-interval", type=float, default=1.0, help="seconds between flips")
    parser.add_argument("--cache-url", default="locmem://", help="the cached tables' cache")
    parser.add_argument("--no-flip", action="store_true", help="skip the publishing table")
    parser.add_argument("--keep-db", action="store_true", help="reuse the database, keep it")
    parser.add_argument(
        "--peer",
        metavar="URL",
        help="a peer site to measure in the same run (its summary page, search and static "
        "file at --peer-paths), e.g. the Wagtail peer at http://127.0.0.1:8791",
    )
    parser.add_argument(
        "--peer-paths",
        nargs=3,
        metavar=("SUMMARY", "SEARCH", "STATIC"),
        default=[
            "/psychosocial-treatment-sex-offenders/",
            "/search/?q=reoffending",
            "/static/peer/peer.css",
        ],
    )
    return parser.parse_args()


def say(message):
    print(f"[bench] {message}", flush=True)


def manage(env, *args, capture=False):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )


def start_gunicorn(env, args, log):
    server_env = {
        **env,
        "PORT": str(args.port),
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
    }
    process = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so its workers stop with it
    )
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process, base
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            # Workers still importing on a busy machine may not answer within the timeout.
            time.sleep(0.2)
    stop(process)
    log.flush()
    tail = Path(log.name).read_text().splitlines()[-20:]
    raise SystemExit("gunicorn did not start; the end of its log:\n" + "\n".join(tail))


def stop(process):
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def wrk(url, args) -> dict:
    result = subprocess.run(
        [
            "wrk",
            f"-t{args.wrk_threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--latency",
            "-s",
            str(BENCH / "status.lua"),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK_JSON "))
    figures = json.loads(line.removeprefix("WRK_JSON "))
    statuses = {int(code): count for code, count in figures["statuses"].items()}
    return {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50": figures["p50_us"] / 1000,
        "p99": figures["p99_us"] / 1000,
        "not_ok": sum(n for code, n in statuses.items() if not 200 <= code < 400),
        "errors_5xx": sum(n for code, n in statuses.items() if code >= 500),
        "socket_errors": figures["socket_errors"] + figures["timeouts"],
        "statuses": statuses,
    }


class ConsistencyChecker(threading.Thread):
    """Fetches the flipped summary continuously; every page must be one version only."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.running = True
        self.counts = {"pages": 0, "gone": 0, "5xx": 0, "mixed": 0, "other": 0}
        self.examples = []

    def check(self, html: str) -> bool:
        title = re.search(r"<h1>[^<]*\(bench v(\d+)\)</h1>", html)
        meta = re.search(r'<meta name="toolkit:version" content="(\d+)">', html)
        note = re.search(r"<dd>Benchmark revision (\d+)\.</dd>", html)
        about = re.search(r"<dt>Version</dt><dd>(\d+)</dd>", html)
        if not (meta and about):
            return False
        # Version 1 is the summary as generated: no benchmark marker in title or note.
        found = {m.group(1) if m else "1" for m in (title, meta, note, about)}
        return len(found) == 1

    def run(self):
        while self.running:
            try:
                with urllib.request.urlopen(self.url, timeout=10) as response:
                    html = response.read().decode()
                self.counts["pages"] += 1
                if not self.check(html):
                    self.counts["mixed"] += 1
                    self.examples.append(html[:2000])
            except urllib.error.HTTPError as error:
                key = "gone" if error.code == 410 else "5xx" if error.code >= 500 else "other"
                self.counts[key] += 1
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                self.counts["other"] += 1
            time.sleep(0.02)


def table(title, results, queries, ceiling=None):
    """One table; ratios to ``ceiling`` or else to the table's own static file."""
    ceiling = ceiling or results["static css"][1]["rps"]
    print(f"\n{title}")
    header = (
        f"{'page':<12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx/3xx':>12} "
        f"{'5xx':>5} {'vs static':>10} {'queries (uncached/cached)':>26}"
    )
    print(header)
    print("-" * len(header))
    for name, (path, figures) in results.items():
        q = queries.get(path)
        q_text = f"{q['uncached']} / {q['cached']}" if q else "0 (whitenoise)"
        print(
            f"{name:<12} {figures['rps']:>8.0f} {figures['p50']:>8.1f} {figures['p99']:>8.1f} "
            f"{figures['not_ok']:>12} {figures['errors_5xx']:>5} "
            f"{figures['rps'] / ceiling:>10.2f} {q_text:>26}"
        )


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        say("installing wrk (Debian package)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    workdir = Path(tempfile.mkdtemp(prefix="toolkit-bench-"))
    env = server_env(args.database_url, workdir, cache_url=args.cache_url, PYTHONPATH=str(BENCH))
    server = flipper = None
    started = time.monotonic()
    try:
        if not args.keep_db:
            database(args.database_url, create=False, drop=True)
        database(args.database_url, create=True, drop=False)
        say("migrate, demo, collectstatic")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo", "--no-accounts")
        manage(env, "collectstatic", "--noinput", "-v0")
        have = manage(
            env,
            "shell",
            "-v0",
            "-c",
            "from summaries.models import Intervention as I; "
            "print(I.objects.filter(is_synthetic=True).count())",
            capture=True,
        ).stdout.strip()
        if int(have) < args.summaries:
            say(f"generate_synthetic {args.summaries - int(have)} (takes a while)")
            manage(env, "generate_synthetic", str(args.summaries - int(have)))
        # As a deploy does: build every stored page that is missing or stale.
        built = manage(env, "build_pages", capture=True).stdout.strip().splitlines()[-1:]
        say(f"build_pages: {' '.join(built)}")
        probe = manage(
            env,
            "shell",
            "-v0",
            "-c",
            "from summaries.models import Intervention, Problem; "
            "print(Problem.objects.filter(summaryversion__state='published')"
            ".order_by('position', 'name').first().slug); "
            "print(Intervention.objects.filter(is_synthetic=True).order_by('slug').first().slug)",
            capture=True,
        ).stdout.split()
        problem, flip_slug = probe[0], probe[1]

        pages = {
            "home": "/",
            "list": "/toolkit/",
            "search": "/toolkit/?q=reoffending",
            "filtered": f"/toolkit/?problem={problem}",
            "summary": DEMO,
            "version": f"{DEMO}v/1/",
            "data.json": f"{DEMO}data.json",
            # The API beside the pages it mirrors (the rate limiter runs, with a limit
            # wrk cannot reach: its cost is measured, not its refusals).
            "api list": "/api/v1/summaries/",
            "api search": "/api/v1/summaries/?q=reoffending",
            "api filter": f"/api/v1/summaries/?problem={problem}",
            "api detail": "/api/v1/summaries/psychosocial-treatment-sex-offenders/",
            "api version": "/api/v1/summaries/psychosocial-treatment-sex-offenders/versions/1/",
        }
        log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115  (open for the whole run)
        # Uncached first: the same server, every page rendered from scratch.
        server, base = start_gunicorn({**env, "CACHE_URL": "dummy://"}, args, log)
        with urllib.request.urlopen(base + "/") as response:
            css = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', response.read().decode())
        pages["static css"] = css.group(1)
        queries = json.loads(
            subprocess.run(
                [PYTHON, str(BENCH / "queries.py"), *list(pages.values())[:-1]],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        say(f"gunicorn {args.workers} workers x {args.threads} threads on {base}; load {load()}")

        def run_all(label):
            for path in pages.values():  # warm each worker: imports, templates, connections
                for _ in range(4 * args.workers):
                    with urllib.request.urlopen(base + path) as response:
                        response.read()
            results = {}
            for name, path in pages.items():
                results[name] = (path, wrk(base + path, args))
                say(f"{label} {name}: {results[name][1]['rps']:.0f} req/s; load {load()}")
            return results, load()

        uncached, uncached_load = run_all("uncached")
        peer = measure_peer(args) if args.peer else None
        stop(server)
        server, base = start_gunicorn(env, args, log)
        steady, steady_load = run_all("cached")
        if args.no_flip:
            flipping = None
            report(args, uncached, uncached_load, steady, steady_load, queries, peer)
            total_5xx = sum(f["errors_5xx"] for r in (uncached, steady) for _, f in r.values())
            say(f"done in {time.monotonic() - started:.0f} s")
            if total_5xx:
                raise SystemExit("FAILED: 5xx responses (see above)")
            return
        checker = ConsistencyChecker(f"{base}/toolkit/{flip_slug}/")
        flipper = subprocess.Popen(
            [PYTHON, str(BENCH / "flip.py"), flip_slug, str(args.flip_interval)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        checker.start()
        flipping, flipping_load = run_all("flipping")
        checker.running = False
        checker.join()
        stop_flipper = flipper
        flipper = None
        stop_flipper.terminate()
        flips = len(stop_flipper.communicate(timeout=30)[0].splitlines())

        report(args, uncached, uncached_load, steady, steady_load, queries, peer)
        table(
            f"Cached, while a summary is published or withdrawn every {args.flip_interval:g} s "
            f"({flips} flips; ratios to the cached table's static file; load {flipping_load}):",
            flipping,
            queries,
            ceiling=steady["static css"][1]["rps"],
        )
        c = checker.counts
        print(
            f"\nConsistency: {c['pages']} pages of the flipped summary read, {c['gone']} answered "
            f"410 while withdrawn, {c['mixed']} mixed versions, {c['5xx']} 5xx, "
            f"{c['other']} other failures."
        )
        total_5xx = sum(
            f["errors_5xx"] for r in (uncached, steady, flipping) for _, f in r.values()
        )
        say(f"done in {time.monotonic() - started:.0f} s")
        if total_5xx or c["5xx"] or c["mixed"] or not c["pages"]:
            for example in checker.examples[:1]:
                print(example)
            raise SystemExit("FAILED: 5xx responses or mixed versions (see above)")
    finally:
        if flipper:
            flipper.terminate()
        stop(server)
        if not args.keep_db:
            database(args.database_url, create=False, drop=True)
        shutil.rmtree(workdir, ignore_errors=True)


def measure_peer(args) -> dict:
    """The peer's summary page, search and static file, each as ``wrk`` measures ours."""
    results = {}
    for name, path in zip(("summary", "search", "static css"), args.peer_paths, strict=True):
        for _ in range(8):  # warm its workers
            with urllib.request.urlopen(args.peer + path) as response:
                response.read()
        results[name] = (path, wrk(args.peer + path, args))
        say(f"peer {name}: {results[name][1]['rps']:.0f} req/s; load {load()}")
    return results


def report(args, uncached, uncached_load, steady, steady_load, queries, peer=None):
    kind = "sync" if args.threads == 1 else "gthread"
    print(
        f"\nLoad benchmark: {args.summaries:,} synthetic summaries + the demo, PostgreSQL, "
        f"gunicorn {args.workers}x{args.threads} ({kind}), "
        f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s"
    )
    table(f"Uncached (CACHE_URL=dummy://; load {uncached_load}):", uncached, queries)
    if peer:
        table(f"Peer ({args.peer}, measured right after the uncached table):", peer, {})
        ours, theirs = uncached["summary"][1]["rps"], peer["summary"][1]["rps"]
        print(f"Our summary page rendered / the peer's: {ours / theirs:.2f}x")
    table(f"Cached ({args.cache_url}, no publications; load {steady_load}):", steady, queries)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
