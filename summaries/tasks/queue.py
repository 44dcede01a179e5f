"""Defining and queuing background tasks.

Any module defines a task with ``@background_task`` and queues it with ``enqueue``::

    from summaries.tasks import background_task, enqueue

    @background_task()
    def rebuild_page(version_id: int) -> str:
        ...

    enqueue(rebuild_page, version_id=version.pk)   # inside the write's transaction

A task is a django-tasks task on the database backend: queuing it writes a row in the
caller's transaction, so it is queued exactly when the write it belongs to commits, and a
rollback queues nothing. A task that raises is queued again, later each time (exponential
backoff with jitter, ``TASK_RETRY_BASE_SECONDS`` doubling up to ``TASK_RETRY_MAX_SECONDS``),
up to ``attempts`` times; the failed run stays in the task table with its traceback. After
the last attempt it is logged as an error (so it reaches ``ADMINS`` and Sentry) and left
failed in the table.

Arguments must be JSON (ids, strings, numbers), never model instances: a task reads its
rows when it runs, as they are then. Tasks must be safe to run twice: a worker killed
between doing the work and recording it leaves the run to be run again.
"""

import functools
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)

# The keyword a task's runs carry to count their attempt; not passed on to the function.
ATTEMPT = "task_attempt"
DEFAULT_ATTEMPTS = 10


def retry_delay(attempt: int) -> float:
    """Seconds to wait before the run after ``attempt`` (1 for the first): doubling from
    ``TASK_RETRY_BASE_SECONDS``, capped at ``TASK_RETRY_MAX_SECONDS``, give or take a
    tenth so that tasks failing together do not all come back together."""
    delay = min(
        settings.TASK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), settings.TASK_RETRY_MAX_SECONDS
    )
    return float(delay * random.uniform(0.9, 1.1))  # noqa: S311 (not a secret)


def background_task(
    *, attempts: int = DEFAULT_ATTEMPTS, queue_name: str = "default", priority: int = 0
) -> Callable[[Callable[..., Any]], Task]:
    """Make ``func`` a task that is retried with backoff, up to ``attempts`` runs."""

    def decorate(func: Callable[..., Any]) -> Task:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT, 1))
            try:
                return func(*args, **kwargs)
            except Exception as error:
                _retry_or_give_up(the_task, args, kwargs, attempt, attempts, error)
                raise  # recorded as this run's failure, traceback and all

        the_task: Task = task(queue_name=queue_name, priority=priority)(run)
        return the_task

    return decorate


def _retry_or_give_up(
    the_task: Task,
    args: tuple,
    kwargs: dict[str, Any],
    attempt: int,
    attempts: int,
    error: Exception,
) -> None:
    name = the_task.module_path
    if attempt >= attempts:
        logger.error(
            "Task %s failed on its last attempt (%d of %d), not retried: %s",
            name,
            attempt,
            attempts,
            error,
        )
        return
    backend = the_task.get_backend()
    if not backend.supports_defer:
        logger.error(
            "Task %s failed and is not retried (%s cannot defer): %s", name, backend, error
        )
        return
    delay = retry_delay(attempt)
    the_task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
        *args, **kwargs, **{ATTEMPT: attempt + 1}
    )
    logger.warning(
        "Task %s failed (attempt %d of %d), retried in %.0f s: %s",
        name,
        attempt,
        attempts,
        delay,
        error,
    )


def enqueue(the_task: Task, *args: Any, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Queue ``the_task`` with the current transaction, to run at once or not before
    ``run_after``.

    On the database backend the task's row is written in the caller's transaction (a
    rollback queues nothing; a commit queues it for good, with nothing to lose in
    between). A backend that runs or drops tasks at once (the immediate backend of the
    tests) gets the task only once the transaction has committed, so it never acts on
    a write that is then rolled back; it cannot wait, so a task for later is not given
    to it at all (the tests run such tasks themselves).
    """
    if isinstance(the_task.get_backend(), DatabaseBackend):
        if run_after is not None:
            the_task = the_task.using(run_after=run_after)
        the_task.enqueue(*args, **kwargs)
    elif run_after is None:
        transaction.on_commit(functools.partial(the_task.enqueue, *args, **kwargs))
    else:
        logger.info("Task %s for later not queued: its backend cannot wait", the_task.name)
