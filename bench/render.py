"""In-process render time of each public page, uncached: p50 / p95 ms and queries.

    python bench/render.py                  # SQLite, the demo + 1,000 synthetic summaries
    python bench/render.py --summaries 200 --runs 100

Builds a fresh SQLite database in a temporary directory (migrate, ``load_demo``,
``generate_synthetic N``), collects the static files, then renders each page through
Django's test client with ``DEBUG`` off and the dummy cache (``CACHE_URL=dummy://``), so
every request renders from scratch: no page cache, no cached search counts. A second
table serves the same pages from a local-memory page cache beside the stylesheet through
the same middleware (whitenoise), with the ratio of their CPU times. Wall time
and this process's CPU time are both printed; on a shared machine the CPU time is the
steadier of the two. The load average is printed with the table.

This is a benchmark, not a test: it prints figures.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = "psychosocial-treatment-sex-offenders"
PAGES = [
    ("home", "/"),
    ("list", "/toolkit/"),
    ("search", "/toolkit/?q=reoffending"),
    ("search 2 words", "/toolkit/?q=treatment+offenders"),
    ("summary", f"/toolkit/{DEMO}/"),
    ("version", f"/toolkit/{DEMO}/v/1/"),
    ("api detail", f"/api/v1/summaries/{DEMO}/"),
    ("scale", "/toolkit/scales/effect/"),
    ("data.json", f"/toolkit/{DEMO}/data.json"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--summaries", type=int, default=1000, help="synthetic summaries")
    parser.add_argument("--runs", type=int, default=60, help="timed renders per page")
    parser.add_argument("--profile", metavar="PAGE", help="also print a cProfile of PAGE")
    return parser.parse_args()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main():
    args = parse_args()
    workdir = tempfile.mkdtemp(prefix="toolkit-render-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "toolkit.settings",
            "DATABASE_URL": f"sqlite:///{workdir}/db.sqlite3",
            "CACHE_URL": "dummy://",
            "DEBUG": "0",
            "SECRET_KEY": "render-benchmark-" + "x" * 50,
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": f"{workdir}/static",
            "LOG_LEVEL": "ERROR",
            "API_RATE_LIMIT": "0",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("load_demo", verbosity=0, no_accounts=True)
    if args.summaries:
        call_command("generate_synthetic", args.summaries, verbosity=0)
    # As a deploy does: every stored page built before readers come.
    call_command("build_pages", verbosity=0)

    client = Client()
    print(
        f"Render benchmark: SQLite, the demo + {args.summaries:,} synthetic summaries, DEBUG off, "
        f"CACHE_URL=dummy://, {args.runs} renders per page; "
        f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )
    columns = ("status", "queries", "p50 ms", "p95 ms", "cpu p50", "cpu p95")
    print(f"{'page':<16}" + "".join(f"{c:>9}" for c in columns))
    print("-" * 70)
    for name, url in PAGES:
        for _ in range(3):  # warm: templates compiled, connections open
            client.get(url)
        queries = []  # counted by a wrapper: each request resets queries_log

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        wall, cpu = [], []
        for _ in range(args.runs):
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - start_wall) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        print(
            f"{name:<16}{response.status_code:>9}{len(queries):>9}"
            f"{statistics.median(wall):>9.1f}{percentile(wall, 0.95):>9.1f}"
            f"{statistics.median(cpu):>9.1f}{percentile(cpu, 0.95):>9.1f}"
        )
    print(f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])} at the end")
    cached_table(client, args.runs * 5)
    if args.profile:
        import cProfile
        import pstats

        url = dict(PAGES)[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            client.get(url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def cached_table(client, runs):
    """The same pages served from a local-memory page cache, beside the site's stylesheet
    through the same middleware (whitenoise): what a cache hit costs in this process."""
    from django.templatetags.static import static
    from django.test import override_settings

    def cpu_ms(url):
        times = []
        for _ in range(runs):
            start = time.process_time()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            times.append((time.process_time() - start) * 1000)
        return response, statistics.median(times), percentile(times, 0.95)

    with override_settings(CACHES={"default": {"BACKEND": LOCMEM}}):
        pages = [*PAGES, ("static css", static("css/site.css"))]
        rows = []
        for name, url in pages:
            for _ in range(3):
                client.get(url)  # the first fills the cache
            rows.append((name, *cpu_ms(url)))
        static_p50 = rows[-1][2]
        print(
            f"\nServed from the page cache (locmem://), {runs} requests per page; "
            f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
        )
        columns = ("status", "cpu p50", "cpu p95", "vs static")
        print(f"{'page':<16}" + "".join(f"{c:>10}" for c in columns))
        print("-" * 56)
        for name, response, p50, p95 in rows:
            print(
                f"{name:<16}{response.status_code:>10}{p50:>10.3f}{p95:>10.3f}"
                f"{static_p50 / p50:>10.2f}"
            )


LOCMEM = "django.core.cache.backends.locmem.LocMemCache"

if __name__ == "__main__":
    main()
