"""The daily clean-up (``PERIODIC_TASKS``, at ``HOUSEKEEPING_AT``), also run by
``manage.py housekeeping``.

What it deletes, each after its retention period (settings, in days; docs/operations.md):

- expired sessions (Django's ``clear_expired``);
- sign-in records (django-axes' attempts, failure and access logs) older than
  ``SIGNIN_RECORDS_KEEP_DAYS`` (90);
- staff notifications read more than ``READ_NOTIFICATIONS_KEEP_DAYS`` (180) ago;
- external reviewers' addresses, ``EXTERNAL_REVIEW_ADDRESS_KEEP_DAYS`` (30) after their
  link expired or was withdrawn (the link, its name and its comments stay);
- alert deliveries sent more than ``SENT_ALERTS_KEEP_DAYS`` (90) ago, and publications'
  outbox rows with nothing left to send;
- autosaved version forms (``AutosaveSlot``) last written more than
  ``AUTOSAVE_KEEP_DAYS`` (30) ago, and any left on a version that is no longer a draft;
- finished background tasks' records: successful ones after ``TASK_RESULTS_KEEP_DAYS``
  (1: a confirmation's task holds the address it was sent to), failed ones after
  ``FAILED_TASKS_KEEP_DAYS`` (30).

And it requeues background tasks abandoned by a worker that stopped in the middle of
them (still "running" after ``TASK_ABANDONED_MINUTES``, 60): their work is then done
again, rather than never.
"""

import logging
from datetime import datetime, timedelta
from importlib import import_module

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from summaries.models import (
    EDITABLE_STATES,
    AlertDelivery,
    AlertOutbox,
    AutosaveSlot,
    ExternalReview,
    Notification,
)

from .periodic import periodic_task

logger = logging.getLogger(__name__)


class AbandonedTask(Exception):
    """The worker stopped while running the task (it was queued again)."""


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def clean_up() -> dict[str, int]:
    """Delete what has outlived its retention and requeue abandoned tasks; the counts."""
    done: dict[str, int] = {}
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()

    signin_cutoff = days_ago(settings.SIGNIN_RECORDS_KEEP_DAYS)
    done["sign-in records"] = sum(
        model.objects.filter(attempt_time__lt=signin_cutoff).delete()[0]
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    )
    done["read notifications"] = Notification.objects.filter(
        read_at__lt=days_ago(settings.READ_NOTIFICATIONS_KEEP_DAYS)
    ).delete()[0]
    address_cutoff = days_ago(settings.EXTERNAL_REVIEW_ADDRESS_KEEP_DAYS)
    done["external reviewers' addresses"] = (
        ExternalReview.objects.exclude(email="")
        .filter(Q(expires_at__lt=address_cutoff) | Q(revoked_at__lt=address_cutoff))
        .update(email="")
    )
    sent_cutoff = days_ago(settings.SENT_ALERTS_KEEP_DAYS)
    done["sent alerts"] = AlertDelivery.objects.filter(sent_at__lt=sent_cutoff).delete()[0]
    AlertOutbox.objects.filter(expanded_at__lt=sent_cutoff, deliveries__isnull=True).delete()
    done["autosaved forms"] = AutosaveSlot.objects.filter(
        Q(updated_at__lt=days_ago(settings.AUTOSAVE_KEEP_DAYS))
        | ~Q(version__state__in=EDITABLE_STATES)
    ).delete()[0]

    finished = DBTaskResult.objects.filter
    done["task records"] = (
        finished(
            status=TaskResultStatus.SUCCESSFUL,
            finished_at__lt=days_ago(settings.TASK_RESULTS_KEEP_DAYS),
        ).delete()[0]
        + finished(
            status=TaskResultStatus.FAILED,
            finished_at__lt=days_ago(settings.FAILED_TASKS_KEEP_DAYS),
        ).delete()[0]
    )
    done["abandoned tasks requeued"] = requeue_abandoned()
    return done


def requeue_abandoned() -> int:
    """Queue again each task still "running" long after its start (its worker died);
    the old record is marked failed. How many."""
    cutoff = timezone.now() - timedelta(minutes=settings.TASK_ABANDONED_MINUTES)
    requeued = 0
    for record in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ):
        with transaction.atomic():
            result = record.task_result
            record.task.enqueue(*result.args, **result.kwargs)
            record.set_failed(AbandonedTask(f"Started {record.started_at}, never finished."))
        logger.warning(
            "Task %s (%s) abandoned by its worker: queued again", record.pk, record.task_path
        )
        requeued += 1
    return requeued


@periodic_task()
def housekeeping() -> dict[str, int]:
    done = clean_up()
    logger.info("Housekeeping: %s", ", ".join(f"{n} {what}" for what, n in done.items()))
    return done
