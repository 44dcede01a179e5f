"""Background work: django-tasks tasks that retry with backoff, queued with a transaction,
and the periodic ones the worker keeps scheduled. See README.md beside this file."""

from .periodic import periodic_task
from .queue import background_task, enqueue

__all__ = ["background_task", "enqueue", "periodic_task"]
