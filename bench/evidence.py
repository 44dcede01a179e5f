"""Print the evidence map's and the comparison's render time (p50 ms, wall and CPU, uncached) and
queries at 100, 1,000 and 10,000 live summaries.

Usage: .venv/bin/python bench/evidence.py [--sizes 100 1000 10000] [--runs 15]

Uses a fresh SQLite database in a temporary directory (or ``BENCH_DATABASE_URL``, e.g.
PostgreSQL, whose tables it then fills: use a throwaway database), loads the demo and
adds synthetic summaries up to each size. Each page is rendered ``--runs`` times through
Django's test client with the page cache cleared before each request, so the figures are
the cost of drawing the page, not of serving it from the cache.
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
parser.add_argument("--runs", type=int, default=15)
args = parser.parse_args()

workdir = tempfile.mkdtemp(prefix="evidence-bench-")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
)
# As in production: DEBUG off (so no SQL is kept), no HTTPS redirect for the test client.
os.environ.update(
    DEBUG="0",
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="0",
)
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django  # noqa: E402, F401  (sets Django up)
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from summaries.demo import data  # noqa: E402
from summaries.models import SummaryVersion  # noqa: E402
from summaries.synthetic.store import synthetic_generate  # noqa: E402

# Plain static file URLs: no collectstatic manifest is needed to render a page.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
call_command("migrate", verbosity=0)
call_command("load_demo", "--no-accounts", verbosity=0)
client = Client()


def measure(url: str, runs: int) -> tuple[float, float, int, int]:
    """(p50 ms, CPU p50 ms, queries, status) of rendering ``url`` uncached."""
    times, cpu_times, queries, status = [], [], 0, 0
    for _ in range(runs):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            body = response.content  # the whole body, as a reader gets it
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu_started) * 1000)
        queries, status = len(captured), response.status_code
        assert body
    return statistics.median(times), statistics.median(cpu_times), queries, status


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


engine = connection.vendor
print(f"Evidence map and compare, {engine}, uncached renders, p50 of {args.runs} runs")
print(f"load {load_average()} at the start")
print(f"{'summaries':>10}  {'page':<34} {'p50 ms':>8} {'cpu p50':>8} {'queries':>8} {'status':>7}")
live = 1
for size in args.sizes:
    if size > live:
        synthetic_generate(count=size - live)
        live = size
    slugs = list(
        SummaryVersion.objects.live()
        .exclude(intervention__slug=data.SLUG)
        .order_by("id")
        .values_list("intervention__slug", flat=True)[:3]
    )
    compare_two = f"/toolkit/compare/?s={data.SLUG}&s={slugs[0]}"
    compare_four = compare_two + "".join(f"&s={slug}" for slug in slugs[1:])
    pages = {
        "map (first page, 50 rows)": "/toolkit/map/",
        "map, last page": "/toolkit/map/?page=999999",
        "map, grouped by approach": "/toolkit/map/?group=approach",
        "map, filtered (problem=burglary)": "/toolkit/map/?problem=burglary",
        "map.json (every row)": "/toolkit/map.json",
        "map.csv (every row)": "/toolkit/map.csv",
        "compare, 2 summaries": compare_two,
        "compare, 4 summaries": compare_four,
    }
    for name, url in pages.items():
        runs = args.runs if "/map." not in url else max(3, args.runs // 5)
        p50, cpu, queries, status = measure(url, runs)
        print(
            f"{size:>10,}  {name:<34} {p50:>8.1f} {cpu:>8.1f} {queries:>8} {status:>7}", flush=True
        )
print(f"load {load_average()} at the end")
