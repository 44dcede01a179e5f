"""What a publication costs the reviewer who clicks "Publish": the service, its commit and
the rebuild of the stored pages it makes stale, for a summary that RELATED others show.

    python bench/publish.py --database-url postgres://USER:PASSWORD@127.0.0.1:5432/NAME \
        --summaries 1000 --related 20 --runs 40

Creates the database (its role needs CREATEDB), loads the demo and N synthetic summaries,
builds every stored page (timed: the rebuild after a deploy), makes RELATED live summaries
show the demo as related, then publishes a new version of the demo RUNS times, timing
each ``version_publish`` call from the reviewer's request's point of view (the summary's
own live page is rebuilt when its transaction commits, before the call returns), then the
worker's background task that rebuilds the rest (the pages showing it, its superseded
versions), run here as the worker runs it. Prints p50, p95 and max of each, and how many
stored pages each rebuilt. Drops the database unless --keep-db.

This is a benchmark, not a test: it prints figures and takes minutes.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pg_database import database

ROOT = Path(__file__).resolve().parent.parent
DEMO = "psychosocial-treatment-sex-offenders"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL",
            "postgres://toolkit_ci:toolkit_ci@127.0.0.1:5432/toolkit_bench_publish",
        ),
    )
    parser.add_argument("--summaries", type=int, default=1000)
    parser.add_argument("--related", type=int, default=20)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def outer(args):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "LOG_LEVEL": "WARNING",
    }
    if not args.keep_db:
        database(args.database_url, create=False, drop=True)
    database(args.database_url, create=True, drop=False)
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo", "--no-accounts")
        manage(env, "generate_synthetic", str(args.summaries))
        started = time.monotonic()
        manage(env, "build_pages")
        print(f"build_pages after loading: {time.monotonic() - started:.1f} s wall")
        subprocess.run(
            [sys.executable, __file__, "--inner", *sys.argv[1:]], cwd=ROOT, env=env, check=True
        )
    finally:
        if not args.keep_db:
            database(args.database_url, create=False, drop=True)


def inner(args):
    sys.path.insert(0, str(ROOT / "bench"))
    import _django  # noqa: F401  (sets Django up)
    from django.db.models import F

    from summaries.editorial.services import draft_start_from, version_publish
    from summaries.models import PublishedPage, RelatedSummary, State, SummaryVersion
    from summaries.public import pages

    demo = SummaryVersion.objects.live().get(intervention__slug=DEMO)
    showing = SummaryVersion.objects.live().exclude(pk=demo.pk).order_by("pk")[: args.related]
    RelatedSummary.objects.bulk_create(
        RelatedSummary(version=v, target=demo.intervention, position=99) for v in showing
    )
    pages.materialise(pages.stale_versions())
    from django.core.management import call_command

    durations, rebuilt, background, rebuilt_later = [], [], [], []
    for run in range(args.runs):
        live = SummaryVersion.objects.live().get(intervention__slug=DEMO)
        draft = draft_start_from(version=live)
        SummaryVersion.objects.filter(pk=draft.pk).update(
            state=State.IN_REVIEW,
            change_note=f"Benchmark revision {run}.",
            revision=F("revision") + 1,
        )
        draft.refresh_from_db()
        before = set(PublishedPage.objects.values_list("pk", "built_at"))
        started = time.perf_counter()
        version_publish(version=draft, user=None)  # commits; the rebuild runs on commit
        durations.append(time.perf_counter() - started)
        after = set(PublishedPage.objects.values_list("pk", "built_at"))
        rebuilt.append(len(after - before))
        started = time.perf_counter()
        call_command("run_worker", batch=True, verbosity=0)
        background.append(time.perf_counter() - started)
        rebuilt_later.append(len(set(PublishedPage.objects.values_list("pk", "built_at")) - after))
    print(
        f"Publications of a summary {args.related} others show, {args.summaries:,} synthetic "
        f"summaries, {args.runs} runs; load {os.getloadavg()[0]:.2f}"
    )
    for label, times, counts in (
        ("the reviewer waits", durations, rebuilt),
        ("the worker's rebuild", background, rebuilt_later),
    ):
        times = sorted(times)
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(
            f"  {label}: p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms,"
            f" max {times[-1] * 1000:.0f} ms; stored pages built: {min(counts)} to {max(counts)}"
        )
    print(f"Stale after the last: {len(pages.stale_versions())}")


if __name__ == "__main__":
    arguments = parse_args()
    inner(arguments) if arguments.inner else outer(arguments)
