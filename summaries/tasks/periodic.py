"""Tasks that run on a timetable: ``PERIODIC_TASKS`` in the settings, kept queued.

django-tasks has no timetable of its own. Here each periodic task has one queued run
waiting for its time (``run_after``); when a periodic task finishes, successfully or
not, ``ensure_scheduled`` queues the next run of every periodic task that has none
waiting, itself included. The worker command (``run_worker``) calls it once on start,
so a run lost with a killed worker, or a task added to the settings, is scheduled again
by the next start or the next periodic run, whichever comes first.

``PERIODIC_TASKS`` maps a task's import path to ``{"every": seconds}`` or
``{"daily_at": "HH:MM"}`` (the site's time zone). Another module adds its own by defining
a task with ``@periodic_task()`` and naming it in the settings.
"""

import functools
import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any, cast

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def periodic_task(*, queue_name: str = "default") -> Callable[[Callable[..., Any]], Task]:
    """A task run on a timetable: not retried (its next run is the retry), and the next
    runs of every periodic task are queued when it ends."""

    def decorate(func: Callable[..., Any]) -> Task:
        @functools.wraps(func)
        def run() -> Any:
            try:
                return func()
            finally:
                ensure_scheduled()

        return task(queue_name=queue_name)(run)

    return decorate


def next_run(spec: dict[str, Any], *, now: datetime, starting: bool = False) -> datetime:
    """When a periodic task with timetable ``spec`` should run next after ``now``.

    A task run every so often runs at once when the worker starts (``starting``)."""
    if "every" in spec:
        return now if starting else now + timedelta(seconds=int(spec["every"]))
    at = time.fromisoformat(spec["daily_at"])
    local = timezone.localtime(now)
    candidate = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def ensure_scheduled(*, starting: bool = False) -> list[str]:
    """Queue the next run of each periodic task that has none waiting; their paths."""
    now = timezone.now()
    queued = []
    timetable = cast(dict[str, dict[str, Any]], settings.PERIODIC_TASKS)
    for path, spec in timetable.items():
        the_task: Task = import_string(path)
        if not isinstance(the_task.get_backend(), DatabaseBackend):
            continue  # a backend that cannot wait (the tests' immediate one)
        waiting = DBTaskResult.objects.filter(
            task_path=the_task.module_path, status=TaskResultStatus.READY
        )
        if waiting.exists():
            continue
        the_task.using(run_after=next_run(spec, now=now, starting=starting)).enqueue()
        queued.append(path)
    return queued


@periodic_task()
def heartbeat() -> str:
    """Proves the whole queue works, from queuing to running: the readiness check looks
    for a task finished lately (``WORKER_SEEN_SECONDS``), and this one finishes every
    minute even when nothing else is queued."""
    return "alive"


def worker_last_seen() -> datetime | None:
    """When a worker last finished a task (None if never, or if tasks are not queued in
    the database)."""
    return (
        DBTaskResult.objects.exclude(finished_at__isnull=True)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
