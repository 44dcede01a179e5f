"""Readiness: whether this server can do its work now (``/readyz``), beside the liveness
check ``/healthz`` (``views.healthz``: the process answers and the database with it).

Each part is checked and named in the answer, one line each: 200 when all are "ok",
503 when any is not, so a monitor or an orchestrator learns that something is wrong and
the operator reads which part:

- ``database``: a trivial query answers;
- ``cache``: a value written to the default cache reads back;
- ``migrations``: none waits to be applied (code newer than the schema);
- ``worker``: a background task finished within ``WORKER_SEEN_SECONDS`` (the heartbeat
  task finishes every minute), so emails, alerts and scheduled publications go out.

A stopped cache only slows pages, and a stopped worker only delays mail, so a load
balancer that routes by this check would take every server out for a fault that does not
stop the site: parts named in ``READINESS_REPORT_ONLY`` are still checked and reported,
but do not make the answer 503 (docs/operations.md).

The answer is public (a probe has no credentials), so it says which part fails in the
project's own words and gives an unexpected error's type only; the error itself (which
may name hosts and users) goes to the log.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)


class NotReady(Exception):
    """A part is not ready, for a reason this module words (safe to show anyone)."""


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    key = f"readiness-probe:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    found = cache.get(key)
    cache.delete(key)
    if found != "ok":
        raise NotReady("a value written did not read back")
    return "ok"


def check_migrations() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        raise NotReady(f"{len(plan)} to apply ({names})")
    return "ok"


def check_worker() -> str:
    if not isinstance(task_backends["default"], DatabaseBackend):
        return "ok (tasks run in the web process)"
    from summaries.tasks.periodic import worker_last_seen

    seen = worker_last_seen()
    if seen is None:
        raise NotReady("no task has ever finished: is the worker running?")
    age = timezone.now() - seen
    if age > timedelta(seconds=settings.WORKER_SEEN_SECONDS):
        raise NotReady(f"no task finished for {int(age.total_seconds())} s: is the worker running?")
    return f"ok (last seen {int(age.total_seconds())} s ago)"


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "migrations": check_migrations,
    "worker": check_worker,
}


def readiness() -> tuple[bool, dict[str, str]]:
    """Whether every part needed is ready, and each part's state in words."""
    ready, states = True, dict[str, str]()
    report_only = set(settings.READINESS_REPORT_ONLY)
    for name, check in CHECKS.items():
        if name in {"migrations", "worker"} and states["database"] != "ok":
            states[name] = "not checked (no database)"
            continue
        try:
            states[name] = check()
        except Exception as error:  # the part's failure, whatever it is, is the answer
            logger.warning("Readiness: %s failing: %r", name, error)
            reason = str(error) if isinstance(error, NotReady) else type(error).__name__
            states[name] = f"FAILING: {reason}"
            if name not in report_only:
                ready = False
    return ready, states


@require_safe
def readyz(request):
    """200 when the server is ready, 503 naming each failing part (plain text)."""
    ready, states = readiness()
    failing = [name for name, state in states.items() if state.startswith("FAILING")]
    if failing:
        lines = [f"{'degraded' if ready else 'not ready'}: {', '.join(failing)} failing"]
    else:
        lines = ["ready"]
    lines += [f"{name}: {state}" for name, state in states.items()]
    response = HttpResponse(
        "\n".join(lines) + "\n",
        content_type="text/plain; charset=utf-8",
        status=200 if ready else 503,
    )
    response["Cache-Control"] = "no-store"
    return response
