"""Publish and withdraw one summary over and over, through the services, until killed.

Each publication is a new version whose title, version number and change note all name
the same number, so a reader can tell a page that mixes two versions. After each commit
it prints a line: the flip's count and the version now live, or "withdrawn". Usage (the
benchmarks start it): python bench/flip.py SLUG INTERVAL_SECONDS
"""

import sys
import time

import _django  # noqa: F401  (sets Django up)
from django.db import OperationalError, connection
from django.db.models import F

from summaries.editorial.services import draft_start_from, version_publish, version_withdraw
from summaries.models import State, SummaryVersion

slug, interval = sys.argv[1], float(sys.argv[2])
versions = SummaryVersion.objects.filter(intervention__slug=slug)
base_title = versions.order_by("number").first().title.split(" (bench v")[0]
flips = 0
while True:
    try:
        live = versions.live().first()
    except OperationalError:  # the database is restarting (bench/cluster.py's fault)
        connection.close()
        time.sleep(interval)
        continue
    if live is not None:
        version_withdraw(version=live, reason=f"Benchmark withdrawal {flips}.")
    else:
        latest = versions.exclude(state__in=[State.DRAFT, State.IN_REVIEW]).order_by("-number")
        draft = draft_start_from(version=latest.first())
        # Straight to review: the benchmark exercises publication, not the editors' checks.
        versions.filter(pk=draft.pk).update(
            state=State.IN_REVIEW,
            title=f"{base_title} (bench v{draft.number})",
            change_note=f"Benchmark revision {draft.number}.",
            revision=F("revision") + 1,
        )
        draft.refresh_from_db()
        version_publish(version=draft)
    flips += 1
    # One line per committed flip: its count, then the version now live or "withdrawn".
    print(flips, "withdrawn" if live is not None else draft.number, flush=True)
    time.sleep(interval)
