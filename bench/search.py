"""Search benchmark (not a test): latency and queries per page at growing collection sizes.

For each size it builds a fresh database (migrate, then ``generate_synthetic N``), then
measures, through Django's test client (the whole page: view, queries, template):

- rare:      a made-up name in exactly 10 summaries (``synthetic.RARE_TERMS``)
- typical:   a crime type in about 3-5% of summaries (``synthetic.TYPICAL_TERMS``)
- broad:     a word in about 85% of summaries (``synthetic.COMMON_TERMS``)
- typo:      the typical word misspelt (one letter doubled), which the page corrects when it
             can ("Showing results for ...": the corrected search is what it then runs)
- facets:    the plain list (every live summary) with its seven facet counts
- filtered:  the list filtered by problem and effect rating, by title

Each page is timed cold (cache cleared first, so every count is computed) and warm (facet
and result counts cached, as for a repeated or paged search), and the search query alone
(the ranked top 20, as the page reads the query) is timed too. Usage, from the project root::

    python bench/search.py --postgres postgres://USER:PASSWORD@HOST:5432/postgres \\
        --sizes 1000 10000 100000
    python bench/search.py --sqlite --sizes 1000 10000

With ``--postgres`` the URL names a database to connect to for administration (the user
needs CREATEDB); the benchmark creates ``toolkit_bench_<N>`` next to it and drops it at the
end unless ``--keep``. With ``--sqlite`` it writes ``bench/toolkit_bench_<N>.sqlite3``.
``--name`` changes the ``toolkit_bench`` prefix, so two runs can share a server.
Each size runs in a child process, as Django reads ``DATABASE_URL`` once at start-up.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("rare", "typical", "broad", "typo", "facets", "filtered")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    backend = parser.add_mutually_exclusive_group(required=True)
    backend.add_argument("--postgres", metavar="URL", help="administration database URL")
    backend.add_argument("--sqlite", action="store_true", help="benchmark SQLite files")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per measurement")
    parser.add_argument(
        "--name", default="toolkit_bench", help="database name prefix (runs side by side)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL plans")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child process: a JSON spec
    args = parser.parse_args()
    if args.measure:
        measure(json.loads(args.measure))
        return
    rows = []
    for size in args.sizes:
        url = _create_database(args, size)
        try:
            generation_seconds = _build(url, size)
            spec = {"size": size, "runs": args.runs, "explain": args.explain}
            child = subprocess.run(
                [sys.executable, __file__, "--sqlite", "--measure", json.dumps(spec)],
                env={**os.environ, "DATABASE_URL": url, "DEBUG": "1"},
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            sys.stderr.write(child.stderr)
            child.check_returncode()
            result = json.loads(child.stdout.strip().splitlines()[-1])
            for row in result["rows"]:
                rows.append({"size": size, "build_s": generation_seconds, **row})
            _print_table(rows)
        finally:
            if not args.keep:
                _drop_database(args, size)


def _bench_url(args, size: int) -> str:
    if args.sqlite:
        return f"sqlite:///{ROOT / 'bench' / f'{args.name}_{size}.sqlite3'}"
    parts = urlsplit(args.postgres)
    return urlunsplit(parts._replace(path=f"/{args.name}_{size}"))


def _admin(args, statement: str) -> None:
    import psycopg

    with psycopg.connect(args.postgres, autocommit=True) as connection:
        connection.execute(statement)


def _create_database(args, size: int) -> str:
    url = _bench_url(args, size)
    if args.sqlite:
        Path(urlsplit(url).path).unlink(missing_ok=True)
    else:
        _admin(args, f"DROP DATABASE IF EXISTS {args.name}_{size}")
        _admin(args, f"CREATE DATABASE {args.name}_{size}")
    return url


def _drop_database(args, size: int) -> None:
    if args.sqlite:
        Path(urlsplit(_bench_url(args, size)).path).unlink(missing_ok=True)
    else:
        _admin(args, f"DROP DATABASE IF EXISTS {args.name}_{size}")


def _build(url: str, size: int) -> float:
    """Migrate and generate ``size`` summaries; the seconds ``generate_synthetic`` took."""
    # A benchmark runs on one's own machine: DEBUG on, as `make migrate` has it (off, the
    # site would not be served without a production secret key).
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    started = time.monotonic()
    subprocess.run(
        [*manage, "generate_synthetic", str(size)],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.monotonic() - started
    if "postgres" in url:
        # Fresh statistics, as autovacuum would gather soon after a real bulk load.
        subprocess.run(
            [
                *manage,
                "dbshell",
                "--",
                "-q",
                "-c",
                "SET client_min_messages = error",
                "-c",
                "VACUUM ANALYZE",
            ],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return round(elapsed, 1)


# --- The child process: measure one database ------------------------------------------------


def measure(spec: dict) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolkit.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from summaries import search
    from summaries.models import SummaryVersion
    from summaries.models.generation import current_generation
    from summaries.search.filters import SummaryFilter
    from summaries.synthetic import COMMON_TERMS, RARE_TERMS, TYPICAL_TERMS

    typical = "burglary" if "burglary" in TYPICAL_TERMS else next(iter(TYPICAL_TERMS))
    broad = max(COMMON_TERMS, key=COMMON_TERMS.get)
    # A letter doubled in the middle: a typing slip "did you mean" should catch.
    typo = typical[:3] + typical[3] + typical[3:]
    queries = {"rare": RARE_TERMS[0], "typical": typical, "broad": broad, "typo": typo}
    pages = {
        "rare": {"q": queries["rare"]},
        "typical": {"q": queries["typical"]},
        "broad": {"q": queries["broad"]},
        "typo": {"q": queries["typo"]},
        "facets": {},
        "filtered": {"problem": "burglary", "effect": "reduced"},
    }
    client = Client()
    runs = spec["runs"]

    def timed(fn, *, cold: bool) -> list[float]:
        fn()  # warm-up: connection, templates, database buffers
        times = []
        for _ in range(runs):
            if cold:
                cache.clear()
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
            reset_queries()
        return times

    def page(params):
        response = client.get("/toolkit/", params)
        assert response.status_code == 200, response.status_code
        return response

    rows = []
    live = SummaryVersion.objects.live()
    # The synonyms and live words are read once per process per content generation:
    # not part of any one page's cost.
    page({"q": "warm-up"})
    for name in SCENARIOS:
        params = pages[name]
        # A reader's first visit stores the page's cards in the read model (``PublishedPage``);
        # the figures are for the steady state, where they are stored.
        page(params)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            page(params)
        counted = None
        if "q" in params:
            # As the page counts them: a corrected search's hits are its correction's.
            counted = search.search_counted(
                SummaryFilter(params, queryset=live), params["q"], generation=current_generation()
            )
            hits = counted.total
        else:
            hits = SummaryFilter(params, queryset=live).qs.count()
        row = {
            "scenario": name,
            "query": params.get("q", "&".join(f"{k}={v}" for k, v in params.items())),
            "hits": hits,
            "queries": len(captured),
            "cold": _percentiles(timed(lambda p=params: page(p), cold=True)),
            "warm": _percentiles(timed(lambda p=params: page(p), cold=False)),
        }
        if counted is not None:
            # The query as the page runs it: its added forms, or its correction.
            ranked = search.search_live(live, counted.reading.query).order_by("-rank", "title")

            def top20(qs=ranked):
                return list(qs.values_list("pk", flat=True)[:20])

            row["search"] = _percentiles(timed(top20, cold=False))
            if spec["explain"] and connection.vendor == "postgresql":
                sys.stderr.write(f"\n== EXPLAIN ANALYZE {name} ({params['q']}), top 20\n")
                sys.stderr.write(ranked.values("pk")[:20].explain(analyze=True) + "\n")
        rows.append(row)
    print(json.dumps({"rows": rows}))


def _percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 1), "p95": round(p95, 1)}


def _print_table(rows: list[dict]) -> None:
    header = (
        f"{'size':>8} {'scenario':<9} {'hits':>7} {'q/page':>6} "
        f"{'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9} "
        f"{'search p50':>10} {'search p95':>10}"
    )
    print(header)
    for row in rows:
        search_ms = row.get("search", {"p50": "-", "p95": "-"})
        print(
            f"{row['size']:>8,} {row['scenario']:<9} {row['hits']:>7,} {row['queries']:>6} "
            f"{row['cold']['p50']:>9} {row['cold']['p95']:>9} "
            f"{row['warm']['p50']:>9} {row['warm']['p95']:>9} "
            f"{search_ms['p50']:>10} {search_ms['p95']:>10}"
        )
    print(f"(ms; generate_synthetic incl. indexing: {rows[-1]['build_s']} s for the last size)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
