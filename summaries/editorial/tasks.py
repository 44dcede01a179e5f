"""The editorial background tasks (``summaries.tasks``)."""

from summaries.tasks import background_task, periodic_task

from . import services


@background_task()
def publish_scheduled() -> str:
    """Publish the versions whose scheduled time has come (``services.publish_due``).

    Queued by ``version_schedule`` to run at the scheduled time; any run publishes
    whatever is due then, so a run for a schedule since moved or cancelled publishes
    nothing early, and runs that overlap publish nothing twice. ``manage.py
    publish_scheduled`` does the same from cron, as a safety net."""
    published = services.publish_due()
    return f"{len(published)} scheduled version(s) published"


@periodic_task()
def remind_overdue_reviews() -> str:
    """Daily (``PERIODIC_TASKS``): tell every reviewer of each review past its due day."""
    return f"{services.remind_overdue()} overdue review(s)"
